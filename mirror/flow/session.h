// One connected attempt of a flow: builds the clients, keeps the topic list current, moves records
// from the source consumer to the target producer with bounded in-flight work, commits source
// offsets only behind target acknowledgements, and reports status. Everything runs on the flow's
// thread; librdkafka callbacks are served from its poll calls and never throw.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/flow/flow.h"
#include "mirror/flow/offset_tracker.h"
#include "mirror/kafka/admin.h"
#include "mirror/kafka/handles.h"
#include "mirror/mm2/offset_syncs.h"
#include "mirror/topics/config_sync.h"
#include "mirror/topics/naming.h"

namespace mirror::flow {

class Session {
 public:
  // `offset_syncs`: where delivered (source offset, target offset) pairs go; null: nowhere.
  Session(const FlowContext& context, StatusBoard& board,
          mm2::OffsetSyncStore* offset_syncs = nullptr);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs until `stop` is set (then drains, commits and returns ok) or a failure that needs a fresh
  // session (returned as an error; what was acknowledged has been committed).
  Status run(const std::atomic<bool>& stop);

 private:
  using Clock = std::chrono::steady_clock;

  struct PartitionState {
    OffsetTracker tracker;
    bool assigned = false;
    Clock::time_point assigned_at{};
    int64_t last_committed = -1;
    uint64_t replicated = 0;
    int32_t fetch_broker = -1;
    int32_t leader = -1;
    int64_t lag = -1;
    prometheus::Gauge* lag_gauge = nullptr;
    prometheus::Gauge* follower_gauge = nullptr;
    mm2::PartitionSyncs* syncs = nullptr;  // the flow's offset syncs of this partition
  };

  struct Route {
    std::string source_topic;
    std::string target_topic;
    kafka::TopicPtr target;     // producer topic handle; its opaque points back here
    int target_partitions = 0;  // partitions the target topic is known to have
    std::vector<std::unique_ptr<PartitionState>> partitions;
    prometheus::Counter* records = nullptr;
    prometheus::Counter* bytes = nullptr;
    PartitionState& partition(int32_t p);
  };

  struct BrokerCounter {
    prometheus::Counter* counter = nullptr;
    std::string zone;
    uint64_t last_rx = 0;
  };

  Status connect();
  Status refresh_topics();
  Status ensure_target_topics(const std::vector<const kafka::TopicInfo*>& topics,
                              const std::map<std::string, kafka::TopicConfigs>& source_configs);
  // Source topic configs of `topics` (empty when config sync is off or they cannot be read).
  std::map<std::string, kafka::TopicConfigs> read_source_configs(
      const std::vector<const kafka::TopicInfo*>& topics);
  void sync_topic_configs(const std::map<std::string, kafka::TopicConfigs>& source_configs);
  void config_sync_problem(const std::string& message);
  Status produce(rd_kafka_message_t* msg);
  void handle_consumer_error(const rd_kafka_message_t* msg);
  // Committable offsets above the last commit, of `only` (or of every assigned partition), marked
  // as committed; forget_committed undoes that for a failed commit so it is retried.
  kafka::PartitionListPtr take_committable(const rd_kafka_topic_partition_list_t* only);
  void forget_committed(const rd_kafka_topic_partition_list_t* offsets, bool failed_only);
  void commit_async();
  Status commit_sync(const rd_kafka_topic_partition_list_t* partitions);
  bool over_limits() const;
  void apply_backpressure(bool over);
  void publish_status();
  void shutdown(bool graceful);
  void count_error(const std::string& kind);
  Route* route_for(rd_kafka_topic_t* rkt);
  Status await_target_partition(Route& route, int32_t partition);

  void on_assign(rd_kafka_topic_partition_list_t* partitions);
  void on_revoke(rd_kafka_topic_partition_list_t* partitions, bool lost);
  void on_delivery(const rd_kafka_message_t* msg);
  void on_stats(std::string_view json);
  void on_error(rd_kafka_t* rk, int err, const char* reason);

  static void delivery_cb(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  static void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static int stats_cb(rd_kafka_t* rk, char* json, size_t len, void* opaque);
  static void error_cb(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void commit_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* offsets, void* opaque);

  const FlowContext& ctx_;
  StatusBoard& board_;
  metrics::Metrics& metrics_;
  const std::string& flow_;
  std::optional<topics::TopicFilter> filter_;
  std::optional<topics::ConfigSyncPolicy> config_sync_;  // set when sync_topic_configs_enabled
  topics::NamingPolicy naming_;
  mm2::OffsetSyncStore* offset_syncs_;

  // State. Declared before the client handles so that the handles are destroyed first.
  std::map<std::string, std::unique_ptr<Route>> routes_;  // by source topic
  std::unordered_map<const rd_kafka_topic_t*, Route*> route_by_source_rkt_;
  std::vector<std::string> subscribed_;
  kafka::ClusterInfo source_info_;
  std::map<int32_t, BrokerCounter> fetch_counters_;
  std::map<std::string, prometheus::Counter*> error_counters_;
  std::set<std::string> config_sync_logged_;
  prometheus::Histogram* latency_ = nullptr;
  size_t in_flight_bytes_ = 0;
  size_t in_flight_records_ = 0;
  bool paused_ = false;
  std::optional<Clock::time_point> held_since_;  // over the limits since, not paused yet
  bool fallback_logged_ = false;
  bool racks_warned_ = false;
  std::optional<Error> fatal_;  // set by callbacks; ends the session
  const std::atomic<bool>* stop_ = nullptr;
  Clock::time_point next_commit_{};
  Clock::time_point next_refresh_{};
  Clock::time_point next_status_{};

  kafka::HandlePtr producer_;
  kafka::HandlePtr consumer_;
  kafka::QueuePtr consumer_queue_;
  // Admins borrow the handles above, so they are declared (and destroyed) after them.
  std::unique_ptr<kafka::ClusterAdmin> source_admin_;
  std::unique_ptr<kafka::ClusterAdmin> target_admin_;
};

}  // namespace mirror::flow
