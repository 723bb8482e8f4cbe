#include "mirror/kafka/consumer.h"

#include <algorithm>
#include <string_view>

#include "mirror/kafka/admin_ops.h"
#include "mirror/kafka/errors.h"

namespace mirror::kafka {
namespace {

std::vector<TopicPartition> partitions_of(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  for (int i = 0; list != nullptr && i < list->cnt; ++i) {
    out.push_back({list->elems[i].topic, list->elems[i].partition});
  }
  return out;
}

PartitionListPtr list_of(const std::vector<TopicPartition>& partitions) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto& tp : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
  }
  return list;
}

PartitionListPtr list_of(const std::vector<Offset>& offsets) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& o : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), o.topic.c_str(), o.partition)->offset = o.offset;
  }
  return list;
}

}  // namespace

void MessageRelease::operator()(rd_kafka_message_s* message) const {
  rd_kafka_message_destroy(message);
}

std::optional<std::string_view> last_header(const Record& record, const char* name) {
  rd_kafka_message_t* msg = record.message.get();
  rd_kafka_headers_t* headers = nullptr;
  if (msg == nullptr || rd_kafka_message_headers(msg, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      headers == nullptr) {
    return std::nullopt;
  }
  const void* value = nullptr;
  size_t size = 0;
  if (rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  if (value == nullptr) return std::string_view();
  return std::string_view(static_cast<const char*>(value), size);
}

Result<std::unique_ptr<SourceConsumer>> SourceConsumer::create(const ClientProperties& properties,
                                                               ConsumerEvents& events) {
  std::unique_ptr<SourceConsumer> self(new SourceConsumer(events));
  auto handle = properties.create(ClientType::Consumer, self.get(), [](rd_kafka_conf_t* conf) {
    rd_kafka_conf_set_rebalance_cb(conf, &SourceConsumer::rebalance_cb);
    rd_kafka_conf_set_stats_cb(conf, &SourceConsumer::stats_cb);
    rd_kafka_conf_set_error_cb(conf, &SourceConsumer::error_cb);
    rd_kafka_conf_set_offset_commit_cb(conf, &SourceConsumer::commit_cb);
  });
  if (!handle.ok()) return handle.error();
  self->handle_ = std::move(handle.value());
  if (auto g = properties.values.find("group.id"); g != properties.values.end()) {
    self->group_ = g->second;
  }
  if (auto r = properties.values.find("auto.offset.reset"); r != properties.values.end()) {
    self->reset_latest_ = r->second == "latest" || r->second == "largest" || r->second == "end";
  }
  rd_kafka_poll_set_consumer(self->handle_.get());
  self->queue_.reset(rd_kafka_queue_get_consumer(self->handle_.get()));
  return self;
}

SourceConsumer::~SourceConsumer() {
  queue_.reset();
  if (handle_ && !closed_) {
    rd_kafka_destroy_flags(handle_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  }
}

Status SourceConsumer::subscribe(const std::vector<std::string>& topics) {
  if (topics.empty()) {
    const auto err = rd_kafka_unsubscribe(handle_.get());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return client_error(std::string("unsubscribe: ") + rd_kafka_err2str(err), err);
    }
    return {};
  }
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const auto& t : topics) {
    rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  const auto err = rd_kafka_subscribe(handle_.get(), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return client_error(std::string("subscribe: ") + rd_kafka_err2str(err), err);
  }
  return {};
}

size_t SourceConsumer::poll(std::chrono::milliseconds wait, size_t max, std::vector<Record>& out) {
  if (max == 0) return 0;
  if (batch_.size() < max) batch_.resize(max);
  // What is queued, without waiting; when nothing is, wait for the first record only (a batch
  // call waits until the batch is full), then take what came with it.
  ssize_t n = rd_kafka_consume_batch_queue(queue_.get(), 0, batch_.data(), max);
  if (n == 0 && wait.count() > 0) {
    n = rd_kafka_consume_batch_queue(queue_.get(), static_cast<int>(wait.count()), batch_.data(),
                                     1);
    if (n == 1 && max > 1) {
      const ssize_t more =
          rd_kafka_consume_batch_queue(queue_.get(), 0, batch_.data() + 1, max - 1);
      if (more > 0) n += more;
    }
  }
  size_t taken = 0;
  for (ssize_t i = 0; i < n; ++i) {
    MessageHandle msg(batch_[static_cast<size_t>(i)]);
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      ClientError error{msg->err, rd_kafka_message_errstr(msg.get()), false, "", msg->partition};
      if (msg->rkt != nullptr) error.topic = rd_kafka_topic_name(msg->rkt);
      events_.on_consumer_error(error);
      continue;
    }
    Record r;
    r.topic = rd_kafka_topic_name(msg->rkt);
    r.partition = msg->partition;
    r.offset = msg->offset;
    const int64_t ts = rd_kafka_message_timestamp(msg.get(), nullptr);
    r.timestamp_ms = ts > 0 ? ts : 0;
    r.bytes = message_bytes(msg.get());
    r.message = std::move(msg);
    out.push_back(std::move(r));
    ++taken;
  }
  return taken;
}

void SourceConsumer::pause(const std::vector<TopicPartition>& partitions) {
  if (partitions.empty()) return;
  auto list = list_of(partitions);
  rd_kafka_pause_partitions(handle_.get(), list.get());
}

void SourceConsumer::resume(const std::vector<TopicPartition>& partitions) {
  if (partitions.empty()) return;
  auto list = list_of(partitions);
  rd_kafka_resume_partitions(handle_.get(), list.get());
}

void SourceConsumer::seek(const std::vector<Offset>& offsets) {
  if (offsets.empty()) return;
  auto list = list_of(offsets);
  if (rd_kafka_error_t* error = rd_kafka_seek_partitions(handle_.get(), list.get(), 0)) {
    events_.on_consumer_error(
        {rd_kafka_error_code(error), std::string("seek: ") + rd_kafka_error_string(error)});
    rd_kafka_error_destroy(error);
  }
  for (int i = 0; i < list->cnt; ++i) {
    const auto& tp = list->elems[i];
    // _IN_PROGRESS: the seek is under way (no wait was asked for), not an error.
    if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR && tp.err != RD_KAFKA_RESP_ERR__IN_PROGRESS) {
      events_.on_consumer_error({tp.err, std::string("seek: ") + rd_kafka_err2str(tp.err), false,
                                 tp.topic, tp.partition});
    }
  }
}

void SourceConsumer::commit_async(const std::vector<Offset>& offsets) {
  if (offsets.empty()) return;
  auto list = list_of(offsets);
  const auto err = rd_kafka_commit(handle_.get(), list.get(), /*async=*/1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    events_.on_commit_failed(offsets, {err, std::string("commit: ") + rd_kafka_err2str(err)});
  }
}

Status SourceConsumer::commit(const std::vector<Offset>& offsets, Deadline deadline) {
  if (offsets.empty()) return {};
  auto list = list_of(offsets);
  return commit_offsets(handle_.get(), list.get(), deadline);
}

Result<std::map<TopicPartition, int64_t>> SourceConsumer::start_offsets(
    const std::vector<TopicPartition>& partitions, Deadline deadline) const {
  auto list = list_of(partitions);
  auto committed = list_group_offsets(handle_.get(), group_, list.get(), deadline);
  if (!committed.ok()) return committed.error();
  std::map<TopicPartition, int64_t> out;
  for (const auto& tp : partitions) {
    if (auto c = committed->find({tp.topic, tp.partition}); c != committed->end()) {
      out[tp] = c->second.offset;
      continue;
    }
    int64_t low = -1;
    int64_t high = -1;
    const auto err =
        rd_kafka_query_watermark_offsets(handle_.get(), tp.topic.c_str(), tp.partition, &low, &high,
                                         std::max(1, remaining_ms(deadline)));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return client_error("offsets of " + tp.topic + "[" + std::to_string(tp.partition) +
                              "]: " + rd_kafka_err2str(err),
                          err);
    }
    out[tp] = reset_latest_ ? high : low;
  }
  return out;
}

Status SourceConsumer::close(Deadline deadline) {
  if (closed_) return {};
  auto st = close_consumer(handle_.get(), deadline,
                           [this](rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
                             rebalance(err, parts);
                           });
  closed_ = st.ok();
  return st;
}

void SourceConsumer::rebalance(rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t* partitions) {
  rd_kafka_t* rk = handle_.get();
  // Known once the group is joined (NONE before).
  const bool cooperative = std::string_view(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    const auto assigned = partitions_of(partitions);
    for (const auto& start : events_.start_offsets(assigned)) {
      if (auto* tp = rd_kafka_topic_partition_list_find(partitions, start.topic.c_str(),
                                                        start.partition)) {
        tp->offset = start.offset;
      }
    }
    events_.on_assigned(assigned);
    rd_kafka_error_t* error = nullptr;
    if (cooperative) {
      error = rd_kafka_incremental_assign(rk, partitions);
    } else if (const auto e = rd_kafka_assign(rk, partitions); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = rd_kafka_error_new(e, "%s", rd_kafka_err2str(e));
    }
    if (error != nullptr) {
      events_.on_consumer_error(
          {rd_kafka_error_code(error), std::string("assign: ") + rd_kafka_error_string(error)});
      rd_kafka_error_destroy(error);
    }
    return;
  }
  if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    events_.on_revoked(partitions_of(partitions), rd_kafka_assignment_lost(rk) != 0);
  } else {
    events_.on_consumer_error({err, std::string("rebalance: ") + rd_kafka_err2str(err)});
  }
  if (cooperative) {
    if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(rk, partitions)) {
      events_.on_consumer_error(
          {rd_kafka_error_code(error), std::string("unassign: ") + rd_kafka_error_string(error)});
      rd_kafka_error_destroy(error);
    }
  } else {
    rd_kafka_assign(rk, nullptr);
  }
}

void SourceConsumer::rebalance_cb(rd_kafka_t*, rd_kafka_resp_err_t err,
                                  rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  try {
    static_cast<SourceConsumer*>(opaque)->rebalance(err, partitions);
  } catch (...) {
  }
}

int SourceConsumer::stats_cb(rd_kafka_t*, char* json, size_t len, void* opaque) {
  try {
    auto stats = parse_stats(std::string_view(json, len));
    if (stats.ok()) static_cast<SourceConsumer*>(opaque)->events_.on_statistics(*stats);
  } catch (...) {
  }
  return 0;  // librdkafka frees json
}

void SourceConsumer::error_cb(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  try {
    static_cast<SourceConsumer*>(opaque)->events_.on_consumer_error(error_of(rk, err, reason));
  } catch (...) {
  }
}

void SourceConsumer::commit_cb(rd_kafka_t*, rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t* offsets, void* opaque) {
  try {
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) {
      // The request went through; single partitions may still have failed.
      std::vector<Offset> failed;
      rd_kafka_resp_err_t first = RD_KAFKA_RESP_ERR_NO_ERROR;
      for (int i = 0; offsets != nullptr && i < offsets->cnt; ++i) {
        const auto& tp = offsets->elems[i];
        if (tp.err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
        if (first == RD_KAFKA_RESP_ERR_NO_ERROR) first = tp.err;
        failed.push_back({tp.topic, tp.partition, tp.offset});
      }
      if (failed.empty()) return;
      err = first;
      static_cast<SourceConsumer*>(opaque)->events_.on_commit_failed(
          failed, {err, std::string("commit: ") + rd_kafka_err2str(err)});
      return;
    }
    std::vector<Offset> tried;
    for (int i = 0; offsets != nullptr && i < offsets->cnt; ++i) {
      tried.push_back(
          {offsets->elems[i].topic, offsets->elems[i].partition, offsets->elems[i].offset});
    }
    static_cast<SourceConsumer*>(opaque)->events_.on_commit_failed(
        tried, {err, std::string("commit: ") + rd_kafka_err2str(err)});
  } catch (...) {
  }
}

}  // namespace mirror::kafka
