// The source consumer of a flow's record path: librdkafka's high-level consumer in the flow's
// group, behind calls that speak in records, partitions and offsets. It owns the handle, its
// queue and the callback trampolines (which never throw into librdkafka); the rebalance protocol
// (eager or cooperative) is handled here, so the owner only hears which partitions came and went.
//
// Threading: every call, and every ConsumerEvents callback, happens on the thread that polls.
// Blocking calls take a deadline; poll() waits at most `wait`.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/kafka/admin.h"
#include "mirror/kafka/client_properties.h"
#include "mirror/kafka/handles.h"
#include "mirror/kafka/record.h"
#include "mirror/kafka/stats.h"

namespace mirror::kafka {

// What the consumer tells its owner, from inside poll() (and close()). Must not throw.
class ConsumerEvents {
 public:
  // Partitions being assigned: where their fetching starts (partitions left out start at the
  // group's committed offset, else per auto.offset.reset). Called just before on_assigned.
  virtual std::vector<Offset> start_offsets(const std::vector<TopicPartition>& partitions) {
    (void)partitions;
    return {};
  }
  // Partitions now assigned (their fetching starts after this returns).
  virtual void on_assigned(const std::vector<TopicPartition>& partitions) = 0;
  // Partitions about to go: the last chance to commit them, unless `lost` (another member may
  // own them already; a commit would be refused).
  virtual void on_revoked(const std::vector<TopicPartition>& partitions, bool lost) = 0;
  virtual void on_statistics(const ClientStats& stats) = 0;
  // Client errors (error callback) and consumer errors of one partition.
  virtual void on_consumer_error(const ClientError& error) = 0;
  // Partitions whose asynchronous commit failed (the offsets that were tried).
  virtual void on_commit_failed(const std::vector<Offset>& offsets, const ClientError& error) = 0;

 protected:
  ~ConsumerEvents() = default;
};

class SourceConsumer {
 public:
  // `events` must outlive the consumer.
  static Result<std::unique_ptr<SourceConsumer>> create(const ClientProperties& properties,
                                                        ConsumerEvents& events);
  ~SourceConsumer();  // without close(): leaves the group without waiting and without commits
  SourceConsumer(const SourceConsumer&) = delete;
  SourceConsumer& operator=(const SourceConsumer&) = delete;

  // Replaces the subscription (empty: none).
  Status subscribe(const std::vector<std::string>& topics);

  // Appends up to `max` (> 0) fetched records to `out`, waiting up to `wait` for the first; serves
  // the callbacks. Returns how many were appended.
  size_t poll(std::chrono::milliseconds wait, size_t max, std::vector<Record>& out);

  // Stops or restarts fetching of assigned partitions (librdkafka drops what it had prefetched of
  // a paused partition and fetches again from the next record not yet handed out).
  void pause(const std::vector<TopicPartition>& partitions);
  void resume(const std::vector<TopicPartition>& partitions);

  // Moves the fetch positions of assigned partitions (without waiting; what librdkafka had
  // prefetched of them is dropped).
  void seek(const std::vector<Offset>& offsets);

  // Commits in the background; a failure comes to on_commit_failed from a later poll().
  void commit_async(const std::vector<Offset>& offsets);
  // Commits and waits for the answer, within the deadline.
  Status commit(const std::vector<Offset>& offsets, Deadline deadline);

  // Where `partitions` would start without a seek: the group's committed offsets, else the end
  // auto.offset.reset names (earliest, or latest). Safe to call from any thread.
  Result<std::map<TopicPartition, int64_t>> start_offsets(
      const std::vector<TopicPartition>& partitions, Deadline deadline) const;

  // Leaves the group (the final revocation comes to on_revoked) and closes, within the deadline.
  Status close(Deadline deadline);

 private:
  explicit SourceConsumer(ConsumerEvents& events) : events_(events) {}
  void rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);

  static void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static int stats_cb(rd_kafka_t* rk, char* json, size_t len, void* opaque);
  static void error_cb(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void commit_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* offsets, void* opaque);

  // Members are destroyed bottom-up: the queue, then the handle (whose callbacks use what is
  // declared above it), then the rest.
  ConsumerEvents& events_;
  std::string group_;          // group.id
  bool reset_latest_ = false;  // auto.offset.reset is latest (or largest, end)
  std::vector<rd_kafka_message_t*> batch_;
  bool closed_ = false;
  HandlePtr handle_;
  QueuePtr queue_;  // the consumer queue
};

}  // namespace mirror::kafka
