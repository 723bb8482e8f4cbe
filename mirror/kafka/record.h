// What the typed clients (consumer.h, producer.h) speak in: fetched records, delivery reports,
// partitions and offsets, client errors. Plain types: the flow's pipeline uses them without
// librdkafka's headers, and its unit tests build them without a cluster.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct rd_kafka_message_s;  // librdkafka's message (rdkafka.h); only kafka/ looks inside

namespace mirror::kafka {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  bool operator==(const TopicPartition&) const = default;
  bool operator<(const TopicPartition& o) const {
    return topic != o.topic ? topic < o.topic : partition < o.partition;
  }
};

// A partition's committed position: the next offset to read, as Kafka commits it.
struct Offset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = -1;
  bool operator==(const Offset&) const = default;
};

struct MessageRelease {
  void operator()(rd_kafka_message_s* message) const;
};
using MessageHandle = std::unique_ptr<rd_kafka_message_s, MessageRelease>;

// A record fetched from the source. `topic` stays valid while the record lives (it is the name
// held by the message's topic handle). `message` owns the bytes; it is null in unit tests.
struct Record {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;  // 0 when the record has none
  size_t bytes = 0;          // key + value + header names and values
  MessageHandle message;
};

// The value of the record's last header named `name` (terminated: librdkafka compares C strings);
// nullopt when it has none (or no message). A header with a null value reads as an empty one.
std::optional<std::string_view> last_header(const Record& record, const char* name);

// A header a record is sent with instead of every header of its name it carries (set last, after
// the record's other headers, which keep their order and bytes).
struct HeaderValue {
  const char* name = "";  // terminated, static
  std::string_view value;
};

// The target's answer for one produced record.
struct Delivery {
  void* owner = nullptr;  // what the sender registered for the target topic (producer.h)
  int32_t partition = 0;
  int64_t tag = 0;      // what the sender gave: a record's source offset, or its own tag
  int64_t offset = -1;  // the target offset; -1 when it failed
  int64_t timestamp_ms = 0;
  size_t bytes = 0;         // as Record::bytes
  int error = 0;            // rd_kafka_resp_err_t; 0 when acknowledged
  std::string_view reason;  // librdkafka's text for `error` (static storage)
  bool ok() const { return error == 0; }
};

// An error a client reports outside any record (error callback, consumer errors).
struct ClientError {
  int code = 0;  // rd_kafka_resp_err_t
  std::string message;
  bool fatal = false;  // the client cannot go on (librdkafka's fatal error)
  std::string topic;   // set when the error concerns one partition
  int32_t partition = -1;
};

}  // namespace mirror::kafka
