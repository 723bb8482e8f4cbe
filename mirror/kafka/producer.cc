#include "mirror/kafka/producer.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>

namespace mirror::kafka {
namespace {

TargetProducer::SendResult outcome_of(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return {TargetProducer::Outcome::Sent};
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
      return {TargetProducer::Outcome::QueueFull, err, rd_kafka_err2str(err)};
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
      return {TargetProducer::Outcome::UnknownPartition, err, rd_kafka_err2str(err)};
    default:
      return {TargetProducer::Outcome::Refused, err, rd_kafka_err2str(err)};
  }
}

// A record's tag rides in the message opaque: an integer carried as a pointer, never dereferenced.
void* as_opaque(int64_t tag) {
  return reinterpret_cast<void*>(static_cast<intptr_t>(tag));  // NOLINT(performance-no-int-to-ptr)
}

}  // namespace

Result<std::unique_ptr<TargetProducer>> TargetProducer::create(const ClientProperties& properties,
                                                               ProducerEvents& events,
                                                               int connections) {
  std::unique_ptr<TargetProducer> self(new TargetProducer(events));
  const int n = std::max(1, connections);
  if (n > 1 && !self->wakeup_.open()) {
    return make_error("target producer: cannot create a wake-up pipe", 0, true);
  }
  for (int i = 0; i < n; ++i) {
    auto handle = properties.create(ClientType::Producer, self.get(), [](rd_kafka_conf_t* conf) {
      rd_kafka_conf_set_dr_msg_cb(conf, &TargetProducer::delivery_cb);
      rd_kafka_conf_set_error_cb(conf, &TargetProducer::error_cb);
    });
    if (!handle.ok()) return handle.error();
    if (n > 1) {
      // Delivery reports and errors are served from the main queue: it writes a byte to the
      // wake-up pipe when it gets something to serve (once until served).
      QueuePtr main(rd_kafka_queue_get_main(handle.value().get()));
      rd_kafka_queue_io_event_enable(main.get(), self->wakeup_.write_fd(), "1", 1);
    }
    self->handles_.push_back(std::move(handle.value()));
  }
  return self;
}

TargetProducer::~TargetProducer() {
  // Nothing left for librdkafka to wait for at destruction: what was not flushed is dropped.
  for (auto& h : handles_)
    rd_kafka_purge(h.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  topics_.clear();
}

TargetProducer::Wakeup::~Wakeup() {
  for (int fd : fds_) {
    if (fd >= 0) ::close(fd);
  }
}

bool TargetProducer::Wakeup::open() {
  return ::pipe2(fds_, O_NONBLOCK | O_CLOEXEC) == 0;
}

void TargetProducer::Wakeup::wait(std::chrono::milliseconds timeout) {
  pollfd pfd{fds_[0], POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return;
  char buf[64];
  while (::read(fds_[0], buf, sizeof buf) > 0) {
  }
}

TargetProducer::Topic& TargetProducer::topic(const std::string& name, void* owner) {
  auto& slot = topics_[name];
  if (!slot) {
    std::vector<TopicPtr> handles;
    for (auto& h : handles_) {
      // A copy of the client's default topic configuration: topic-level properties set on the
      // client (message.timeout.ms, acks, compression.type, ...) apply to this topic too.
      TopicConfPtr tconf(rd_kafka_default_topic_conf_dup(h.get()));
      rd_kafka_topic_conf_set_opaque(tconf.get(), owner);
      handles.emplace_back(rd_kafka_topic_new(h.get(), name.c_str(), tconf.release()));
    }
    slot = std::make_unique<Topic>(name, owner, std::move(handles));
  }
  return *slot;
}

void TargetProducer::release(Topic& topic) {
  topics_.erase(topic.name());
}

const std::string& TargetProducer::name(const Topic& topic) const {
  return topic.name();
}

TargetProducer::SendResult TargetProducer::send(Topic& topic, const Record& record,
                                                const HeaderValue* replace) {
  rd_kafka_message_t* msg = record.message.get();
  rd_kafka_headers_t* headers = nullptr;
  rd_kafka_headers_t* headers_copy = nullptr;
  if (rd_kafka_message_headers(msg, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
    headers_copy = rd_kafka_headers_copy(headers);
  }
  if (replace != nullptr) {
    if (headers_copy == nullptr) {
      headers_copy = rd_kafka_headers_new(1);
    } else {
      rd_kafka_header_remove(headers_copy, replace->name);  // the others keep their order
    }
    rd_kafka_header_add(headers_copy, replace->name, -1, replace->value.data(),
                        static_cast<ssize_t>(replace->value.size()));
  }
  // Timestamp 0: the producer stamps the current time (a source record without one).
  const size_t c = topic.connection(record.partition);
  const auto err = rd_kafka_producev(
      handles_[c].get(), RD_KAFKA_V_RKT(topic.handle(c)), RD_KAFKA_V_PARTITION(record.partition),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE(msg->payload, msg->len),
      RD_KAFKA_V_KEY(msg->key, msg->key_len), RD_KAFKA_V_TIMESTAMP(record.timestamp_ms),
      RD_KAFKA_V_HEADERS(headers_copy), RD_KAFKA_V_OPAQUE(as_opaque(record.offset)),
      RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && headers_copy != nullptr) {
    rd_kafka_headers_destroy(headers_copy);  // not taken
  }
  return outcome_of(err);
}

TargetProducer::SendResult TargetProducer::send_copy(
    Topic& topic, const Record& record, bool with_value,
    const std::vector<std::pair<std::string, std::string>>& extra, int64_t tag) {
  rd_kafka_message_t* msg = record.message.get();
  rd_kafka_headers_t* source_headers = nullptr;
  rd_kafka_headers_t* headers = nullptr;
  if (msg != nullptr &&
      rd_kafka_message_headers(msg, &source_headers) == RD_KAFKA_RESP_ERR_NO_ERROR &&
      source_headers != nullptr) {
    headers = rd_kafka_headers_copy(source_headers);
  } else {
    headers = rd_kafka_headers_new(extra.size());
  }
  for (const auto& [name, value] : extra) {
    rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                        static_cast<ssize_t>(value.size()));
  }
  void* payload = with_value && msg != nullptr ? msg->payload : nullptr;
  const size_t len = with_value && msg != nullptr ? msg->len : 0;
  const void* key = msg != nullptr ? msg->key : nullptr;
  const size_t key_len = msg != nullptr ? msg->key_len : 0;
  const auto err = rd_kafka_producev(
      handles_[0].get(), RD_KAFKA_V_RKT(topic.handle(0)),
      RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_VALUE(payload, len), RD_KAFKA_V_KEY(key, key_len),
      RD_KAFKA_V_TIMESTAMP(record.timestamp_ms), RD_KAFKA_V_HEADERS(headers),
      RD_KAFKA_V_OPAQUE(as_opaque(tag)), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) rd_kafka_headers_destroy(headers);  // not taken
  return outcome_of(err);
}

TargetProducer::SendResult TargetProducer::send(Topic& topic, int32_t partition,
                                                std::string_view key, std::string_view value,
                                                int64_t tag, std::string_view header_name,
                                                std::string_view header_value) {
  rd_kafka_headers_t* headers = nullptr;
  if (!header_name.empty()) {
    headers = rd_kafka_headers_new(1);
    rd_kafka_header_add(headers, header_name.data(), static_cast<ssize_t>(header_name.size()),
                        header_value.data(), static_cast<ssize_t>(header_value.size()));
  }
  const size_t c = topic.connection(partition);
  const auto err = rd_kafka_producev(
      handles_[c].get(), RD_KAFKA_V_RKT(topic.handle(c)),
      RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key.data(), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_HEADERS(headers),
      RD_KAFKA_V_OPAQUE(as_opaque(tag)), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) rd_kafka_headers_destroy(headers);
  return outcome_of(err);
}

void TargetProducer::refresh_metadata(Topic& topic) {
  // No wait: the request goes out and librdkafka's handling of the answer updates the producer's
  // metadata cache whether or not anybody waits for it (rdkafka_request.c,
  // rd_kafka_handle_Metadata); this call itself returns at once with a timeout.
  for (size_t c = 0; c < handles_.size(); ++c) {
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(handles_[c].get(), 0, topic.handle(c), &md, 0) ==
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_metadata_destroy(md);
    }
  }
}

void TargetProducer::poll(std::chrono::milliseconds wait) {
  if (handles_.size() == 1) {
    rd_kafka_poll(handles_[0].get(), static_cast<int>(wait.count()));
    return;
  }
  int served = 0;
  for (auto& h : handles_) served += rd_kafka_poll(h.get(), 0);
  if (served > 0 || wait.count() <= 0) return;
  wakeup_.wait(wait);  // until any connection has something to serve
  for (auto& h : handles_) rd_kafka_poll(h.get(), 0);
}

Status TargetProducer::flush(Deadline deadline) {
  Status first;
  for (auto& h : handles_) {
    if (auto st = kafka::flush(h.get(), deadline); !st.ok() && first.ok()) first = st;
  }
  return first;
}

void TargetProducer::purge() {
  for (auto& h : handles_)
    rd_kafka_purge(h.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
}

size_t TargetProducer::queued() const {
  size_t n = 0;
  for (const auto& h : handles_) n += static_cast<size_t>(std::max(0, rd_kafka_outq_len(h.get())));
  return n;
}

void TargetProducer::delivery_cb(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  try {
    Delivery d;
    d.owner = msg->rkt != nullptr ? rd_kafka_topic_opaque(msg->rkt) : nullptr;
    d.partition = msg->partition;
    d.tag = static_cast<int64_t>(reinterpret_cast<intptr_t>(msg->_private));
    d.error = msg->err;
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      d.offset = msg->offset;
    } else {
      d.reason = rd_kafka_err2str(msg->err);
    }
    const int64_t ts = rd_kafka_message_timestamp(msg, nullptr);
    d.timestamp_ms = ts > 0 ? ts : 0;
    d.bytes = message_bytes(msg);
    static_cast<TargetProducer*>(opaque)->events_.on_delivery(d);
  } catch (...) {
  }
}

void TargetProducer::error_cb(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  try {
    static_cast<TargetProducer*>(opaque)->events_.on_producer_error(error_of(rk, err, reason));
  } catch (...) {
  }
}

}  // namespace mirror::kafka
