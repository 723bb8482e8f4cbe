// The service's Prometheus metric families (names and labels are part of the product contract:
// see docs/metrics.md). Families are created once; components add label sets and cache the
// returned references off the per-record path.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

namespace mirror::metrics {

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Prometheus text exposition format of every family.
  std::string render() const;

  prometheus::Registry& registry() { return *registry_; }

  static const prometheus::Histogram::BucketBoundaries& latency_buckets();

 private:
  std::shared_ptr<prometheus::Registry> registry_;

 public:
  prometheus::Family<prometheus::Counter>& records_replicated;     // flow, topic
  prometheus::Family<prometheus::Counter>& bytes_replicated;       // flow, topic
  prometheus::Family<prometheus::Histogram>& replication_latency;  // flow
  prometheus::Family<prometheus::Gauge>& partition_lag;            // flow, topic, partition
  prometheus::Family<prometheus::Gauge>& fetch_from_follower;      // flow, topic, partition
  prometheus::Family<prometheus::Counter>& fetch_bytes;            // flow, broker, zone
  prometheus::Family<prometheus::Gauge>& flow_up;                  // flow
  prometheus::Family<prometheus::Gauge>& flow_follower_fetching;   // flow
  prometheus::Family<prometheus::Gauge>& flow_fetch_mode;          // flow, mode
  prometheus::Family<prometheus::Counter>& fetch_bytes_saved;      // flow
  prometheus::Family<prometheus::Gauge>& node_info;                // availability_zone, source
  prometheus::Family<prometheus::Counter>& records_skipped;        // flow, topic, reason
  prometheus::Family<prometheus::Counter>& records_dead_lettered;  // flow, topic, reason
  prometheus::Family<prometheus::Counter>& errors;                 // flow, kind
  // MirrorMaker 2 compatibility (mirror/mm2).
  prometheus::Family<prometheus::Gauge>& heartbeat_age;       // flow
  prometheus::Family<prometheus::Gauge>& checkpoint_latency;  // flow
  prometheus::Family<prometheus::Gauge>& checkpoint_groups;   // flow
  prometheus::Family<prometheus::Counter>& checkpoints;       // flow
  prometheus::Family<prometheus::Gauge>& groups_synced;       // flow
  prometheus::Family<prometheus::Gauge>& topic_acls_synced;   // flow (sync_topic_acls_enabled)
  // Runtime control (service).
  prometheus::Family<prometheus::Counter>& config_reloads;  // result (ok, error)
  prometheus::Family<prometheus::Counter>& flow_restarts;   // flow
};

}  // namespace mirror::metrics
