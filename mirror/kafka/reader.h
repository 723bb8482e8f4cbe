// A plain consumer of a few partitions of the target, read from their start and followed (no
// group, no commits): how the control thread reads MM2's internal topics back (offset syncs,
// checkpoints). It owns the handle; poll() hands each record to the caller.
//
// Threading: one thread calls everything. Blocking calls take a deadline; poll() waits at most
// `wait` and never blocks beyond it.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/kafka/admin.h"
#include "mirror/kafka/client_properties.h"
#include "mirror/kafka/handles.h"
#include "mirror/kafka/record.h"

namespace mirror::kafka {

class TopicReader {
 public:
  struct Message {
    std::string_view topic;
    int32_t partition;
    int64_t offset;
    std::string_view key;
    std::string_view value;
    const rd_kafka_message_t* raw;  // for headers
  };

  static Result<std::unique_ptr<TopicReader>> create(const ClientProperties& properties);
  ~TopicReader();
  TopicReader(const TopicReader&) = delete;
  TopicReader& operator=(const TopicReader&) = delete;

  // Starts reading these partitions from their beginning (replaces what was read before).
  Status assign(const std::vector<TopicPartition>& partitions);

  // Hands up to `max` records to `on_message`, waiting up to `wait` for the first. A partition's
  // read error (a topic not there yet) is returned after the records before it; reading goes on.
  Result<size_t> poll(std::chrono::milliseconds wait, size_t max,
                      const std::function<void(const Message&)>& on_message);

  // Whether every assigned partition has been read up to the end offset it has now (asked of the
  // brokers, within the deadline).
  Result<bool> caught_up(Deadline deadline);

 private:
  TopicReader() = default;
  HandlePtr handle_;
  QueuePtr queue_;
  std::map<std::pair<std::string, int32_t>, int64_t> next_;  // next offset to read, per partition
};

}  // namespace mirror::kafka
