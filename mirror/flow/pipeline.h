// The record path's state machine, without Kafka: driven by plain calls from the session
// (session.h) and, in unit tests, by fakes. It knows
//   - the routes (the control thread's routing snapshot) and the partitions assigned to this
//     instance;
//   - per partition: records taken from the consumer and not sent yet (in offset order), what was
//     sent and acknowledged (OffsetTracker), what was committed;
//   - what is in flight, held under hard limits: the records and bytes sent and not acknowledged
//     never exceed the limits (a record larger than the byte limit goes alone);
//   - which partitions must not be fetched, and why: backpressure (records waited for room for
//     `pause_after`; resumed when they went and at most half the limits are in flight), a target
//     topic that lacks the partition (until the control thread has grown it and a send
//     succeeds), a topic no longer routed.
//   - A record the target's producer reported as sent to an unknown partition (it had queued it
//     before it knew the topic) is fetched again: the partition is held, and once none of its
//     records is in flight the consumer is told to seek back to it.
//
// Invariants:
//   - Per partition, records are sent in offset order, and a record is sent only after every
//     earlier record of its partition was sent; so the committable offset (the first offset not
//     acknowledged) never passes a record that was taken but not sent, or sent and not
//     acknowledged, or whose delivery failed.
//   - A record of a partition not assigned here is dropped (another member reads it); so is a
//     record at or below the last offset taken in this assignment (a refetch after a pause).
//   - A revoked partition forgets everything; a late delivery of a record sent before the
//     revocation still counts as replicated and releases its in-flight share, and at most marks
//     the same offset acknowledged in a new assignment of the partition — which is true of the
//     target, where that record is.
//
// Single-threaded: every call comes from the flow's record thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/flow/offset_tracker.h"
#include "mirror/kafka/record.h"
#include "mirror/metrics/flow_probe.h"
#include "mirror/mm2/offset_syncs.h"
#include "mirror/topics/routing.h"

namespace mirror::flow {

struct Limits {
  size_t max_in_flight_records = 50000;
  size_t max_in_flight_bytes = 32u << 20;
  std::chrono::milliseconds pause_after{1000};
  size_t batch = 1000;  // records taken from the consumer at a time
};

// A route as the sink sees it. `sink_topic` is the sink's own handle for the target topic (set and
// read only by the sink); a Delivery's `owner` is the Lane its record was sent through.
struct Lane {
  topics::Route route;
  void* sink_topic = nullptr;
};

// Where admitted records go: the target producer in a session, a fake in tests.
class Sink {
 public:
  enum class Outcome {
    Sent,         // accepted; its delivery follows
    Full,         // no room now; try again after deliveries
    NoPartition,  // the target topic lacks (or the sink does not know yet) the partition
    Refused,      // refused for good (error says why)
  };
  struct Result {
    Outcome outcome = Outcome::Sent;
    Error error;  // for Refused
  };
  virtual Result send(Lane& lane, const kafka::Record& record) = 0;
  // A lane that is gone, with nothing in flight: its handle may go.
  virtual void release(Lane& lane) = 0;

 protected:
  ~Sink() = default;
};

class Pipeline {
 public:
  using Clock = std::chrono::steady_clock;

  // Records acknowledged per partition, kept by the flow across its sessions.
  using ReplicatedCounts = std::map<kafka::TopicPartition, uint64_t>;

  // `offset_syncs` (may be null) learns every acknowledged (source, target) offset pair;
  // `replicated` (may be null: the pipeline keeps its own) counts acknowledged records.
  Pipeline(Limits limits, metrics::FlowProbe& probe, mm2::OffsetSyncStore* offset_syncs,
           ReplicatedCounts* replicated = nullptr);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // ---- routes and assignment --------------------------------------------------------------
  void set_routing(const topics::Routing& routing);
  void assign(const std::vector<kafka::TopicPartition>& partitions, Clock::time_point now);
  void revoke(const std::vector<kafka::TopicPartition>& partitions);

  // ---- records ----------------------------------------------------------------------------
  // How many records to take from the consumer now: none while records wait for room (unless
  // fetching is paused for backpressure: then polling only serves the consumer's callbacks).
  size_t room() const;
  void take(kafka::Record record);
  // Sends what waits, as far as the limits and the sink allow. An error: the sink refused a
  // record for good (the session ends; the record is read again by the next one).
  Status pump(Sink& sink, Clock::time_point now);
  // A delivery report. An error: the target failed a record (the session ends).
  Status delivered(const kafka::Delivery& delivery);
  // Forgets every record taken and not sent (a stop: they are read again next time).
  void drop_unsent();

  // ---- offsets ----------------------------------------------------------------------------
  // Offsets above the last commit, of `only` (or of every assigned partition), marked committed.
  std::vector<kafka::Offset> take_committable(
      const std::vector<kafka::TopicPartition>* only = nullptr);
  // Undoes take_committable for offsets whose commit failed (they are committed again).
  void commit_failed(const std::vector<kafka::Offset>& offsets);

  // ---- fetching ---------------------------------------------------------------------------
  struct FetchChanges {
    std::vector<kafka::TopicPartition> pause;
    std::vector<kafka::TopicPartition> resume;
    std::vector<kafka::Offset> seek;  // fetch these partitions again from these offsets
    bool empty() const { return pause.empty() && resume.empty() && seek.empty(); }
  };
  // Partitions whose fetching must stop or start now (backpressure decided at `now`).
  FetchChanges take_fetch_changes(Clock::time_point now);
  // True once after a partition was held back because its target topic lacks it (the control
  // thread should look at the topics now rather than at its next round).
  bool take_refresh_request();
  // The flow paused (or resumed) by its operator: no partition is fetched while paused, new
  // assignments included, and nothing is sent: what was taken (or still arrives: a pause that
  // raced the consumer's fetch start is told again) waits, in order, for the resume. What was in
  // flight is acknowledged and committed as usual.
  void set_paused(bool paused);
  bool paused() const { return paused_; }

  // ---- state ------------------------------------------------------------------------------
  size_t in_flight_records() const { return in_flight_records_; }
  size_t in_flight_bytes() const { return in_flight_bytes_; }
  // Records in flight of these partitions.
  size_t in_flight(const std::vector<kafka::TopicPartition>& partitions) const;
  size_t waiting() const;  // taken, not sent
  bool backpressure_paused() const { return backpressure_paused_; }

  struct Placement {
    int32_t fetch_broker = -1;
    int32_t leader = -1;
    int64_t lag = -1;
  };
  enum class Hold { None, MissingPartition, Unrouted };
  struct PartitionView {
    std::string topic;
    int32_t partition = 0;
    std::string target_topic;  // empty while unrouted
    uint64_t replicated = 0;   // acknowledged while this flow ran here (across its sessions)
    Clock::time_point assigned_at{};
    Placement placement;
    Hold hold = Hold::None;
    size_t waiting = 0;
    size_t in_flight = 0;
    int64_t committed = -1;  // the last offset handed to a commit
  };
  std::vector<PartitionView> partitions() const;  // assigned ones, by topic and partition
  // Client statistics for an assigned partition (ignored for others).
  void set_placement(const std::string& topic, int32_t partition, const Placement& placement);

 private:
  struct Topic;
  struct Route;
  struct Partition;

  Partition* find(std::string_view topic, int32_t partition);
  Topic* topic_state(const std::string& name);
  Route* lane_of(const Partition& p) const;
  bool admits(size_t bytes) const;
  // One record of `p`: sent (and accounted), or why not.
  Sink::Outcome send_head(Sink& sink, Partition& p, Status& refused);
  void hold(Partition& p, Hold why, Clock::time_point now);
  void release_hold(Partition& p);
  void set_reason(Partition& p, uint8_t reason, bool on);
  void mark_ready(Partition& p);
  void prune(Sink* sink);

  Limits limits_;
  metrics::FlowProbe& probe_;
  mm2::OffsetSyncStore* offset_syncs_;
  ReplicatedCounts own_counts_;
  ReplicatedCounts& replicated_;

  std::map<std::string, std::unique_ptr<Topic>, std::less<>> topics_;
  std::vector<Partition*> ready_;  // with records waiting and not held, in arrival order
  std::vector<Partition*> held_;   // held back (Hold other than None)
  std::vector<Partition*> dirty_;  // whose fetch state may have to change
  Partition* last_ = nullptr;      // the last partition find() returned
  size_t in_flight_records_ = 0;
  size_t in_flight_bytes_ = 0;
  std::vector<kafka::Offset> seeks_;                // rewinds due, for take_fetch_changes
  std::optional<Clock::time_point> blocked_since_;  // records waiting for room since
  bool blocked_ = false;                            // the last pump left records for want of room
  bool backpressure_paused_ = false;
  bool paused_ = false;
  bool refresh_requested_ = false;
  bool prune_wanted_ = false;
};

}  // namespace mirror::flow
