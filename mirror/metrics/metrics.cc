#include "mirror/metrics/metrics.h"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace mirror::metrics {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      records_replicated(BuildCounter()
                             .Name("mirror_records_replicated_total")
                             .Help("Records acknowledged by the target cluster")
                             .Register(*registry_)),
      bytes_replicated(BuildCounter()
                           .Name("mirror_bytes_replicated_total")
                           .Help("Key + value + header bytes acknowledged by the target cluster")
                           .Register(*registry_)),
      replication_latency(BuildHistogram()
                              .Name("mirror_replication_latency_seconds")
                              .Help("Source record timestamp to target acknowledgement")
                              .Register(*registry_)),
      partition_lag(BuildGauge()
                        .Name("mirror_partition_lag_records")
                        .Help("Records in the source partition not yet read by the flow")
                        .Register(*registry_)),
      fetch_from_follower(
          BuildGauge()
              .Name("mirror_partition_fetch_from_follower")
              .Help("1 when the partition is fetched from a broker that is not its leader")
              .Register(*registry_)),
      fetch_bytes(
          BuildCounter()
              .Name("mirror_fetch_bytes_total")
              .Help("Bytes received from source brokers; zone is same/cross/unknown relative "
                    "to the node's availability zone")
              .Register(*registry_)),
      flow_up(BuildGauge()
                  .Name("mirror_flow_up")
                  .Help("1 while the flow is running")
                  .Register(*registry_)),
      flow_follower_fetching(BuildGauge()
                                 .Name("mirror_flow_follower_fetching_enabled")
                                 .Help("1 when the flow sends client.rack (follower fetching on)")
                                 .Register(*registry_)),
      flow_fetch_mode(BuildGauge()
                          .Name("mirror_flow_fetch_mode")
                          .Help("1 for the flow's current fetch mode (follower, leader-fallback, "
                                "leader), 0 for the others; all 0 until it is known")
                          .Register(*registry_)),
      fetch_bytes_saved(
          BuildCounter()
              .Name("mirror_fetch_bytes_saved_total")
              .Help("Record bytes read from a replica in the node's zone for partitions whose "
                    "leader is in another zone: what leader reads would have fetched across "
                    "zones")
              .Register(*registry_)),
      node_info(BuildGauge()
                    .Name("mirror_node_info")
                    .Help("The node's availability zone and where it was found (value 1)")
                    .Register(*registry_)),
      records_skipped(BuildCounter()
                          .Name("mirror_records_skipped_total")
                          .Help("Records the target refused and the flow skipped "
                                "(unreplicable_records: skip), by reason")
                          .Register(*registry_)),
      records_dead_lettered(BuildCounter()
                                .Name("mirror_records_dead_lettered_total")
                                .Help("Records the target refused that went to the flow's "
                                      "dead-letter topic (unreplicable_records: dead_letter)")
                                .Register(*registry_)),
      errors(BuildCounter()
                 .Name("mirror_errors_total")
                 .Help("Errors by flow and kind")
                 .Register(*registry_)),
      heartbeat_age(BuildGauge()
                        .Name("mirror_heartbeat_age_seconds")
                        .Help("Seconds since the target acknowledged the flow's last heartbeat")
                        .Register(*registry_)),
      checkpoint_latency(
          BuildGauge()
              .Name("mirror_checkpoint_latency_seconds")
              .Help("Last checkpoint round: reading the source's group offsets to the "
                    "target acknowledging the checkpoints")
              .Register(*registry_)),
      checkpoint_groups(BuildGauge()
                            .Name("mirror_checkpoint_groups")
                            .Help("Consumer groups checkpointed in the last round")
                            .Register(*registry_)),
      checkpoints(BuildCounter()
                      .Name("mirror_checkpoints_total")
                      .Help("Checkpoint records acknowledged by the target")
                      .Register(*registry_)),
      groups_synced(
          BuildGauge()
              .Name("mirror_groups_synced")
              .Help("Consumer groups whose translated offsets were committed on the target "
                    "in the last sync round")
              .Register(*registry_)),
      topic_acls_synced(
          BuildGauge()
              .Name("mirror_topic_acls_synced")
              .Help("Topic ACLs on the target that the flow's ACL sync keeps in line with the "
                    "source (created or adopted by it), after the last round")
              .Register(*registry_)),
      config_reloads(BuildCounter()
                         .Name("mirror_config_reloads_total")
                         .Help("Configuration reloads (SIGHUP or a changed file) by result: ok "
                               "(applied) or error (refused; the previous configuration runs on)")
                         .Register(*registry_)),
      flow_restarts(BuildCounter()
                        .Name("mirror_flow_restarts_total")
                        .Help("Times the flow's session restarted since the process started "
                              "(after a failure, or a reload that changed the flow)")
                        .Register(*registry_)) {}

const prometheus::Histogram::BucketBoundaries& Metrics::latency_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
  return buckets;
}

std::string Metrics::render() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace mirror::metrics
