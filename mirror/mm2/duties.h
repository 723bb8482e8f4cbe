// A flow's MirrorMaker 2 duties, run by its control thread (flow/control.h) on their schedules:
// heartbeats into the target's `heartbeats` topic, checkpoints (translated consumer group offsets)
// into `<source>.checkpoints.internal`, the commit of translated offsets to idle target groups, the
// offset syncs that translation rests on into `mm2-offset-syncs.<source>.internal` (and read back
// from it, from every instance of the flow), and the creation of those topics. The record path only
// feeds the OffsetSyncStore.
//
// Several instances share a flow: each translates and checkpoints only the partitions its consumer
// owns, from the syncs of whoever replicated them; and never writes a checkpoint below the last one
// in the checkpoints topic (read back too) for the same group and partition unless the group's
// source offset went back.
//
// Each call returns what went wrong (the control thread counts, logs and retries it); none throws.
// Blocking calls are bounded by the timeout given at construction.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "mirror/common/result.h"
#include "mirror/config/spec.h"
#include "mirror/kafka/admin.h"
#include "mirror/kafka/producer.h"
#include "mirror/metrics/flow_probe.h"
#include "mirror/mm2/checkpointer.h"
#include "mirror/mm2/offset_syncs.h"
#include "mirror/mm2/records.h"

namespace mirror::mm2 {

class Duties {
 public:
  // Whether the flow has any (heartbeats, checkpoints or group sync on).
  static bool wanted(const config::FlowSpec& spec);

  // `offset_syncs` may be null when neither checkpoints nor group sync are on. `probe` and
  // `offset_syncs` must outlive this object.
  static Result<std::unique_ptr<Duties>> make(const config::FlowSpec& spec,
                                              const std::string& source_cluster,
                                              const std::string& target_cluster,
                                              OffsetSyncStore* offset_syncs,
                                              metrics::FlowProbe& probe,
                                              std::chrono::milliseconds timeout);

  const config::FlowSpec& spec() const { return spec_; }

  // The target's `heartbeats`, `<source>.checkpoints.internal` and
  // `mm2-offset-syncs.<source>.internal`, compacted, one partition, as MM2 creates them; an
  // existing topic is used as it is. When the target refuses the creation for lack of permission
  // (or of the API), the topics are assumed to exist, as Kafka Connect does: an administrator may
  // have created them. Done once; later calls return at once.
  Status ensure_topics(kafka::ClusterAdmin& target);

  // Queues one heartbeat; its acknowledgement comes to on_delivery.
  Status heartbeat(kafka::TargetProducer& producer);

  // One translation of the source's group offsets serves both: checkpoints written (only changed
  // ones, then flushed) when `emit`, the commit to idle target groups when `sync_groups`.
  struct RoundResult {
    Status checkpoints;  // reading groups, producing, acknowledgements
    Status group_sync;   // per-group problems of the commit
  };
  RoundResult checkpoint_round(bool emit, bool sync_groups, kafka::ClusterAdmin& source,
                               kafka::ClusterAdmin& target, kafka::TargetProducer& producer);

  // Queues the offset syncs noted since the last call (with each partition's newest pair when
  // `latest`); their acknowledgements come to on_delivery. Reports syncs the target refused since
  // the last call.
  Status write_syncs(kafka::TargetProducer& producer, bool latest);
  // What the control thread reads back: the offset-syncs topic (when translating) and the
  // checkpoints topic (when emitting).
  std::vector<kafka::TopicPartition> read_back_partitions() const;
  // A record read back from one of them.
  void read_back(std::string_view topic, std::string_view key, std::string_view value,
                 const rd_kafka_message_t* raw);
  size_t checkpoints_held_back() const { return held_back_; }

  // A delivery report of a record this object queued: a heartbeat's outcome (to be reported), or
  // nothing (a checkpoint's, which its round counts; or a record of somebody else).
  std::optional<Status> on_delivery(const kafka::Delivery& delivery);
  // The heartbeat-age gauge, now.
  void update_gauges();

  static constexpr int64_t kHeartbeatTag = 1;
  static constexpr int64_t kCheckpointTag = 2;
  static constexpr int64_t kOffsetSyncTag = 3;

 private:
  using Clock = std::chrono::steady_clock;
  Duties(config::FlowSpec spec, std::string source_cluster, std::string target_cluster,
         metrics::FlowProbe& probe, std::chrono::milliseconds timeout)
      : spec_(std::move(spec)),
        source_cluster_(std::move(source_cluster)),
        target_cluster_(std::move(target_cluster)),
        checkpoints_topic_(checkpoints_topic(source_cluster_)),
        offset_syncs_topic_(offset_syncs_topic(source_cluster_)),
        probe_(probe),
        timeout_(timeout),
        started_(Clock::now()) {}

  config::FlowSpec spec_;
  std::string source_cluster_;
  std::string target_cluster_;
  std::string checkpoints_topic_;   // <source>.checkpoints.internal
  std::string offset_syncs_topic_;  // mm2-offset-syncs.<source>.internal
  metrics::FlowProbe& probe_;
  std::chrono::milliseconds timeout_;
  OffsetSyncStore* offset_syncs_ = nullptr;
  std::optional<Checkpointer> checkpointer_;
  // The last checkpoint per (group, target partition): acknowledged from here, or read back.
  std::map<std::pair<std::string, std::pair<std::string, int32_t>>, Checkpoint> emitted_;
  size_t held_back_ = 0;  // checkpoints not written: below the last one
  size_t syncs_failed_ = 0;
  std::optional<Clock::time_point> heartbeat_acked_;
  Clock::time_point started_;
  size_t checkpoints_acked_ = 0;
  size_t checkpoints_failed_ = 0;
  bool topics_ready_ = false;
};

}  // namespace mirror::mm2
