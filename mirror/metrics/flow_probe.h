// Every metric series of one flow, owned in one place. The record path and the control thread
// report through it; it creates series as topics, partitions and brokers appear and removes them
// when they go (a topic no longer replicated, a partition revoked), and all of the flow's series
// when it is destroyed.
//
// Thread-safety: error counts, flow state and the MirrorMaker 2 gauges may be reported from any
// thread; topic, partition and broker series belong to the record thread (add, update, remove).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mirror/metrics/metrics.h"
#include "mirror/metrics/problems.h"

namespace mirror::metrics {

class FlowProbe {
 public:
  struct Options {
    bool follower_fetching = true;
    bool heartbeats = false;
    bool checkpoints = false;
    bool group_sync = false;
    bool acl_sync = false;
  };
  FlowProbe(Metrics& metrics, std::string flow, Options options);
  ~FlowProbe();
  FlowProbe(const FlowProbe&) = delete;
  FlowProbe& operator=(const FlowProbe&) = delete;

  const std::string& flow() const { return flow_; }

  void set_up(bool up);
  // The flow's fetch mode now ("follower", "leader-fallback" or "leader"; flow/fetch_mode.h):
  // mirror_flow_fetch_mode is 1 for it and 0 for the others.
  void fetch_mode(const std::string& mode);
  // `bytes` of records read in the node's zone that reads from the leaders would have fetched
  // across zones (mirror_fetch_bytes_saved_total).
  void saved_cross_zone(uint64_t bytes);
  // The flow's session restarted `times` more times (mirror_flow_restarts_total).
  void restarted(uint64_t times = 1);
  void count(ErrorKind kind);
  uint64_t errors(ErrorKind kind) const;  // counted so far (for tests and status)

  // ---- record thread --------------------------------------------------------------------
  struct TopicSeries {
    prometheus::Counter* records = nullptr;
    prometheus::Counter* bytes = nullptr;
    prometheus::Counter* loops = nullptr;  // records_skipped{reason="loop"}, once counted
    uint64_t pending_records = 0;          // counted by replicated(), not yet published
    uint64_t pending_bytes = 0;
  };
  // The series of a source topic (the same one when added again); the reference stays valid
  // until remove_topic.
  TopicSeries& add_topic(const std::string& source_topic);
  void remove_topic(const std::string& source_topic);
  // A record acknowledged by the target; `timestamp_ms` is its source timestamp (0: none).
  // Counted in plain integers (per record, prometheus' atomics, histogram mutex and a clock read
  // were 5 % of the CPU at 100-byte records, docs/benchmarks.md): the counters and the latency
  // histogram show them at the next publish(). The clock is read once per 32 records: deliveries
  // arrive in bursts of one poll, microseconds apart.
  void replicated(TopicSeries& series, size_t bytes, int64_t timestamp_ms);
  // Publishes what replicated() counted since the last call; the record loop calls it every turn
  // (so /metrics is at most one turn behind) and when its session ends. A topic's series goes
  // with remove_topic, counted or not.
  void publish();

  struct PartitionSeries {
    prometheus::Gauge* lag = nullptr;
    prometheus::Gauge* from_follower = nullptr;
  };
  // A record the target refused, skipped / written to the dead-letter topic (`reason`: a short
  // token such as too_large). Series are created when first counted and go with remove_topic.
  void skipped(const std::string& source_topic, const std::string& reason);
  // A record back from the target cluster (reason `loop`); per record on an active-active pair,
  // so its counter is kept in the topic's series.
  void looped(TopicSeries& series, const std::string& source_topic);
  void dead_lettered(const std::string& source_topic, const std::string& reason);
  uint64_t skipped_count(const std::string& source_topic, const std::string& reason) const;

  PartitionSeries& add_partition(const std::string& topic, int32_t partition);
  void remove_partition(const std::string& topic, int32_t partition);
  static void placement(PartitionSeries& series, int64_t lag, bool from_follower);

  // `bytes` more received from a source broker (kafka::ReceivedBytes turns a consumer's cumulative
  // counts into these). `zone`: same, cross or unknown; when a broker's zone changes (its rack
  // became known), later bytes count under the new label.
  void fetched(int32_t broker, const std::string& zone, uint64_t bytes);

  // ---- control thread (MirrorMaker 2 duties) --------------------------------------------
  void heartbeat_age(double seconds);
  void checkpoint_latency(double seconds);
  void checkpoints_acknowledged(size_t count);
  void checkpoint_groups(size_t groups);
  void groups_synced(int groups);
  // ---- control thread (topic ACL sync) ---------------------------------------------------
  void topic_acls_synced(size_t acls);

 private:
  struct BrokerSeries {
    prometheus::Counter* counter = nullptr;             // the current zone's
    std::map<std::string, prometheus::Counter*> zones;  // every zone it had
    std::string zone;
  };

  Metrics& metrics_;
  const std::string flow_;
  prometheus::Gauge* up_ = nullptr;
  prometheus::Gauge* follower_fetching_ = nullptr;
  std::map<std::string, prometheus::Gauge*> fetch_modes_;  // by mode, all three from the start
  prometheus::Counter* bytes_saved_ = nullptr;
  prometheus::Histogram* latency_ = nullptr;
  prometheus::Gauge* heartbeat_age_ = nullptr;
  prometheus::Gauge* checkpoint_latency_ = nullptr;
  prometheus::Gauge* checkpoint_groups_ = nullptr;
  prometheus::Counter* checkpoints_ = nullptr;
  prometheus::Gauge* groups_synced_ = nullptr;
  prometheus::Gauge* topic_acls_synced_ = nullptr;
  prometheus::Counter* restarts_ = nullptr;

  mutable std::mutex errors_mutex_;
  std::map<ErrorKind, prometheus::Counter*> errors_;

  std::map<std::string, TopicSeries> topics_;  // by source topic
  std::vector<TopicSeries*> dirty_;  // those with counts not yet published (map nodes stay put)
  // Latency observations not yet published: per bucket of Metrics::latency_buckets() (and the
  // +Inf one), and their sum in seconds.
  std::vector<double> pending_latency_;
  double pending_latency_sum_ = 0;
  bool latency_pending_ = false;
  int64_t clock_ms_ = 0;     // the last clock read of replicated(); 0 after publish()
  uint32_t clock_uses_ = 0;  // records that used it
  // by (source topic, reason)
  prometheus::Counter& skipped_counter(const std::string& source_topic, const std::string& reason);

  std::map<std::pair<std::string, std::string>, prometheus::Counter*> skipped_;
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> dead_lettered_;
  std::map<std::pair<std::string, int32_t>, PartitionSeries> partitions_;
  std::map<int32_t, BrokerSeries> brokers_;
};

}  // namespace mirror::metrics
