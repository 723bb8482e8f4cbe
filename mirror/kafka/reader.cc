#include "mirror/kafka/reader.h"

#include "mirror/kafka/errors.h"

namespace mirror::kafka {

Result<std::unique_ptr<TopicReader>> TopicReader::create(const ClientProperties& properties) {
  auto handle = properties.create(ClientType::Consumer, nullptr, [](rd_kafka_conf_t* conf) {
    // Its connection errors are the record path's to report.
    rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t*, int, const char*, void*) {});
  });
  if (!handle.ok()) return handle.error();
  std::unique_ptr<TopicReader> reader(new TopicReader());
  reader->handle_ = std::move(handle.value());
  reader->queue_.reset(rd_kafka_queue_get_consumer(reader->handle_.get()));
  if (!reader->queue_) reader->queue_.reset(rd_kafka_queue_get_main(reader->handle_.get()));
  return reader;
}

TopicReader::~TopicReader() {
  if (!handle_) return;
  queue_.reset();
  // Never joined a group: nothing to leave, nothing to commit.
  rd_kafka_destroy_flags(handle_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

Status TopicReader::assign(const std::vector<TopicPartition>& partitions) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  next_.clear();
  for (const auto& tp : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
    next_[{tp.topic, tp.partition}] = 0;
  }
  if (auto err = rd_kafka_assign(handle_.get(), list.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return client_error(std::string("assign: ") + rd_kafka_err2str(err), err);
  }
  return {};
}

Result<size_t> TopicReader::poll(std::chrono::milliseconds wait, size_t max,
                                 const std::function<void(const Message&)>& on_message) {
  size_t n = 0;
  Status problem;
  for (size_t i = 0; i < max; ++i) {
    MessagePtr msg(
        rd_kafka_consume_queue(queue_.get(), i == 0 ? static_cast<int>(wait.count()) : 0));
    if (!msg) break;
    const std::string topic = msg->rkt != nullptr ? rd_kafka_topic_name(msg->rkt) : "";
    auto next = next_.find({topic, msg->partition});
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (next != next_.end()) next->second = std::max(next->second, msg->offset);
      continue;
    }
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (problem.ok()) {
        problem = client_error(topic + ": " + rd_kafka_message_errstr(msg.get()), msg->err);
      }
      continue;
    }
    if (next != next_.end()) next->second = msg->offset + 1;
    on_message(Message{topic,
                       msg->partition,
                       msg->offset,
                       {static_cast<const char*>(msg->key), msg->key_len},
                       {static_cast<const char*>(msg->payload), msg->len},
                       msg.get()});
    ++n;
  }
  if (!problem.ok()) return problem.error();
  return n;
}

Result<bool> TopicReader::caught_up(Deadline deadline) {
  for (const auto& [tp, next] : next_) {
    int64_t low = 0;
    int64_t high = 0;
    const auto err = rd_kafka_query_watermark_offsets(handle_.get(), tp.first.c_str(), tp.second,
                                                      &low, &high, remaining_ms(deadline));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return client_error(tp.first + ": end offset: " + rd_kafka_err2str(err), err);
    }
    if (next < high) return false;
  }
  return true;
}

}  // namespace mirror::kafka
