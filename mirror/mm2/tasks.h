// A flow's MirrorMaker 2 duties, on a thread of their own beside the record path: heartbeats into
// the target's `heartbeats` topic, checkpoints (translated consumer group offsets) into
// `<source>.checkpoints.internal`, and the commit of translated offsets to idle target groups.
// The record path only feeds the OffsetSyncStore; a slow admin call here never stalls replication.
// Failures are counted (errors_total kind heartbeat / checkpoint / group_sync), logged once per
// change, and retried at the next interval.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "mirror/config/spec.h"
#include "mirror/kafka/admin.h"
#include "mirror/kafka/handles.h"
#include "mirror/metrics/metrics.h"
#include "mirror/mm2/checkpointer.h"
#include "mirror/mm2/offset_syncs.h"
#include "mirror/mm2/records.h"

namespace mirror::mm2 {

struct TasksContext {
  config::FlowSpec spec;
  config::ClusterSpec source;
  config::ClusterSpec target;
  metrics::Metrics* metrics = nullptr;
  kafka::AdminFactory admin_factory;  // empty: librdkafka's Admin API
  std::shared_ptr<const OffsetSyncStore> offset_syncs;
  std::chrono::milliseconds timeout{10000};  // per admin call and per flush
};

class Tasks {
 public:
  explicit Tasks(TasksContext context);
  ~Tasks();
  Tasks(const Tasks&) = delete;
  Tasks& operator=(const Tasks&) = delete;

  // Whether the flow has anything for this to do (heartbeats, checkpoints or group sync on).
  static bool wanted(const config::FlowSpec& spec);

  void start();
  void request_stop();
  void join();

 private:
  using Clock = std::chrono::steady_clock;

  void run();
  Status connect();
  Status ensure_topics();
  Status produce(const std::string& topic, const EncodedRecord& record, void* kind);
  void heartbeat();
  void checkpoint_round(bool emit, bool sync_groups);
  void report(const std::string& kind, const Status& st);
  void count_error(const std::string& kind);
  void on_delivery(const rd_kafka_message_t* msg);
  static void delivery_cb(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);

  TasksContext ctx_;
  std::string flow_;
  std::optional<Checkpointer> checkpointer_;
  std::map<std::string, std::string> last_problem_;  // by kind: what was last logged
  std::map<std::pair<std::string, std::pair<std::string, int32_t>>, Checkpoint> emitted_;
  std::map<std::string, prometheus::Counter*> error_counters_;
  prometheus::Gauge* heartbeat_age_ = nullptr;
  prometheus::Gauge* checkpoint_latency_ = nullptr;
  prometheus::Gauge* checkpoint_groups_ = nullptr;
  prometheus::Counter* checkpoints_ = nullptr;
  prometheus::Gauge* groups_synced_ = nullptr;
  std::optional<Clock::time_point> heartbeat_acked_;
  Clock::time_point started_{};
  size_t checkpoints_acked_ = 0;
  size_t checkpoints_failed_ = 0;
  bool topics_ready_ = false;

  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable cv_;

  // Handles last among the state they call back into; admins borrow them, so they come after.
  kafka::HandlePtr producer_;       // target: heartbeats, checkpoints, target admin
  kafka::HandlePtr source_client_;  // source: admin only
  std::unique_ptr<kafka::ClusterAdmin> source_admin_;
  std::unique_ptr<kafka::ClusterAdmin> target_admin_;
  std::thread thread_;
};

}  // namespace mirror::mm2
