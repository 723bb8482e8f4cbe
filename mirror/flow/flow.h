// One replication flow: a source consumer and a target producer on a thread of its own, restarted
// with backoff after failures, isolated from every other flow.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "mirror/config/spec.h"
#include "mirror/flow/status.h"
#include "mirror/kafka/admin.h"
#include "mirror/metrics/metrics.h"
#include "mirror/mm2/offset_syncs.h"
#include "mirror/mm2/tasks.h"

namespace mirror::flow {

struct Tuning {
  std::chrono::milliseconds poll_timeout{100};      // waiting for records, nothing in flight
  std::chrono::milliseconds busy_poll_timeout{10};  // waiting for records or deliveries
  size_t max_in_flight_bytes = 32u << 20;           // sent to the target, not acknowledged yet
  size_t max_in_flight_records = 50000;
  // Over those limits the flow stops taking records from the consumer (its prefetch queue then
  // fills and fetching stops by itself); only when the target frees nothing for this long are the
  // partitions paused, which makes librdkafka drop what it had prefetched.
  std::chrono::milliseconds pause_after{1000};
  std::chrono::milliseconds commit_interval{1000};
  std::chrono::milliseconds stats_interval{1000};
  std::chrono::milliseconds status_interval{1000};
  std::chrono::milliseconds metadata_timeout{10000};
  std::chrono::milliseconds flush_timeout{10000};  // on revocation and shutdown
  std::chrono::milliseconds commit_timeout{5000};
  std::chrono::milliseconds close_timeout{10000};
  std::chrono::milliseconds retry_backoff_min{1000};
  std::chrono::milliseconds retry_backoff_max{30000};
  std::chrono::milliseconds fallback_grace{5000};  // before a leader read counts as "rack ignored"
};

struct FlowContext {
  config::FlowSpec spec;
  config::ClusterSpec source;
  config::ClusterSpec target;
  // The node's AZ in the source cluster's rack form (rack_id_format); empty when unknown.
  std::optional<std::string> node_rack;
  // What the consumer sends as client.rack: node_rack when follower fetching is on, else nothing.
  std::optional<std::string> client_rack;
  metrics::Metrics* metrics = nullptr;
  Tuning tuning;
  kafka::AdminFactory admin_factory;  // empty: librdkafka's Admin API (kafka::make_admin)
};

// Thread-safe holder of the latest FlowStatus.
class StatusBoard {
 public:
  void publish(FlowStatus status);
  void set_state(State state, std::string last_error = {});
  FlowStatus snapshot() const;

 private:
  mutable std::mutex mutex_;
  FlowStatus status_;
};

class Flow {
 public:
  explicit Flow(FlowContext context);
  ~Flow();
  Flow(const Flow&) = delete;
  Flow& operator=(const Flow&) = delete;

  void start();
  void request_stop();  // returns at once; the flow drains, commits and stops
  void join();
  FlowStatus status() const { return board_.snapshot(); }
  const std::string& name() const { return context_.spec.name; }

 private:
  void run();
  bool sleep_unless_stopped(std::chrono::milliseconds d);

  FlowContext context_;
  StatusBoard board_;
  // Offset syncs outlive sessions (a restarted session keeps translating); null when neither
  // checkpoints nor group offset sync are on.
  std::shared_ptr<mm2::OffsetSyncStore> offset_syncs_;
  std::unique_ptr<mm2::Tasks> mm2_tasks_;  // heartbeats, checkpoints, group offset sync
  std::atomic<bool> stop_{false};
  std::mutex wait_mutex_;
  std::condition_variable wait_cv_;
  std::thread thread_;  // last: joined before the members it uses go away
};

}  // namespace mirror::flow
