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
//   - A record the target refuses for good (kafka::is_refusal: too large, invalid, a policy) is
//     unreplicable, and the flow's `unreplicable_records` policy decides (set_unreplicable):
//       fail         the partition stalls at the record: held for good (fetching paused, records
//                    after it dropped, nothing past it committed; the other partitions go on),
//                    listed by stalls(), counted once (errors_total kind unreplicable), logged
//                    once. A new session reads it again and stalls again;
//       skip         the record counts as done (the offset after it may be committed), counted in
//                    records_skipped_total, logged (at most one line per 10 s);
//       dead_letter  the record goes to the routing's dead-letter topic through the sink (its key
//                    and headers only, when that topic refuses it too); it counts as done once
//                    that write is acknowledged. No dead-letter topic, or a dead letter that
//                    fails: the partition stalls as under `fail`.
//     A refusal reported by a delivery may be its batch's rather than its own (a batch of small
//     records larger than the topic's limit): the partition is fetched again from the first
//     refused record, and the records up to the last refused one are sent one at a time (fetching
//     paused meanwhile). Only a record refused when sent alone, or refused by the sink at once, is
//     unreplicable.
//
// Invariants:
//   - Per partition, records are sent in offset order, and a record is sent only after every
//     earlier record of its partition was sent; so the committable offset (the first offset not
//     acknowledged) never passes a record that was taken but not sent, or sent and not
//     acknowledged, or whose delivery failed.
//   - A record of a partition not assigned here is dropped (another member reads it); so is a
//     record at or below the last offset taken in this assignment (a refetch after a pause).
//   - An unreplicable record is never passed by a commit unless the policy says it is done
//     (skipped, or its dead letter acknowledged).
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
#include "mirror/config/spec.h"
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
    Loop,         // not sent, never to be: it has been on the target cluster (provenance.h)
  };
  struct Result {
    Outcome outcome = Outcome::Sent;
    Error error;             // for Refused
    size_t added_bytes = 0;  // for Sent: bytes the sink added to the record (a header)
  };
  virtual Result send(Lane& lane, const kafka::Record& record) = 0;
  // A refused record for the dead-letter topic (`lane`: the pipeline's dead-letter lane): any
  // partition, the record's key, timestamp and headers plus mirror.source.topic,
  // mirror.source.partition, mirror.source.offset and mirror.error; its value unless
  // `with_value` is false. Its delivery carries `tag` and the lane as owner.
  struct DeadLetter {
    const kafka::Record& record;
    std::string_view error;  // why the target refused the record
    bool with_value = true;
    int64_t tag = 0;
  };
  virtual Result send_dead_letter(Lane& lane, const DeadLetter& letter) = 0;
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

  // A new in-flight byte limit (the flow's share of the record budget changed; budget.h). Above
  // it, what is in flight now is acknowledged as usual; nothing more is sent until it fits.
  void set_max_in_flight_bytes(size_t bytes) { limits_.max_in_flight_bytes = bytes; }
  size_t max_in_flight_bytes() const { return limits_.max_in_flight_bytes; }

  // What to do with a record the target refuses for good (default: fail).
  void set_unreplicable(config::UnreplicableRecords policy) { unreplicable_ = policy; }

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
  // record with an error that is no refusal of the record (kafka::is_refusal; the session ends;
  // the record is read again by the next one). Refused records go to the policy.
  Status pump(Sink& sink, Clock::time_point now);
  // A delivery report. An error: the target failed a record other than by refusing it (a
  // timeout: the session ends).
  Status delivered(const kafka::Delivery& delivery);
  // Forgets every record taken and not sent (a stop: they are read again next time).
  void drop_unsent();

  // ---- offsets ----------------------------------------------------------------------------
  // What take_committable returns: `Changed`, offsets above the last one taken (the periodic,
  // asynchronous commit); `All`, every partition's committable offset, taken already or not (a
  // hand-over or a stop commits synchronously and must not rely on an asynchronous commit whose
  // answer has not come: it may yet fail, after the partition has gone).
  enum class Scope { Changed, All };
  // Committable offsets of `only` (or of every assigned partition), marked committed.
  std::vector<kafka::Offset> take_committable(
      const std::vector<kafka::TopicPartition>* only = nullptr, Scope scope = Scope::Changed);
  // Undoes take_committable for offsets whose commit failed (they are committed again).
  void commit_failed(const std::vector<kafka::Offset>& offsets);
  // With `defer`, acknowledged offset pairs wait for publish_offset_syncs() before the offset
  // sync store learns them (an exactly-once flow: only records of committed transactions are
  // synced; what waits when the session ends is dropped with it).
  void defer_offset_syncs(bool defer) { defer_syncs_ = defer; }
  void publish_offset_syncs();
  // Records acknowledged since the last take_committable of every partition: what a crash now
  // would send again (the session commits early when it grows; session.h).
  size_t acknowledged_since_commit() const { return acknowledged_since_commit_; }

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
  enum class Hold {
    None,
    MissingPartition,  // the target topic lacks the partition
    Unrouted,          // its topic is not replicated now
    Resend,            // fetched again after a refused batch, then sent one record at a time
    DeadLetter,        // a refused record waits to go to the dead-letter topic
    Stalled,           // at an unreplicable record, for good (unreplicable_records: fail)
  };
  // A partition stalled at an unreplicable record.
  struct Stall {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = -1;
    std::string reason;
  };
  std::vector<Stall> stalls() const;  // by topic and partition
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

  struct Letter;
  struct PendingLetter;

  Partition* find(std::string_view topic, int32_t partition);
  Topic* topic_state(const std::string& name);
  Route* lane_of(const Partition& p) const;
  bool admits(size_t bytes) const;
  // One record of `p`: sent (and accounted), or why not. Refused: handed to the policy when it is
  // a refusal of the record, else `error` says why the session must end.
  Sink::Outcome send_head(Sink& sink, Partition& p, Status& error, Clock::time_point now);
  // Whether `p` must wait before it sends its next record (one at a time after a refused batch).
  static bool waits_for_solo(const Partition& p);
  // An unreplicable record of `p`, by the policy. `in_flight`: the tracker has it in flight (a
  // delivery reported it) rather than not at all (the sink refused it).
  void unreplicable(Partition& p, kafka::Record record, int code, std::string error, bool in_flight,
                    Clock::time_point now);
  void stall(Partition& p, int64_t offset, std::string reason, Clock::time_point now);
  // Sends `p`'s dead letter; false while it must wait (no room), true when sent or stalled.
  bool send_letter(Sink& sink, Partition& p, Clock::time_point now);
  void letter_gone(Partition& p);
  Status letter_delivered(const kafka::Delivery& d);
  void end_solo(Partition& p, int64_t offset);
  void update_solo_pause(Partition& p);
  void note(const char* what, const Partition& p, int64_t offset, const std::string& error,
            Clock::time_point now);
  void hold(Partition& p, Hold why, Clock::time_point now);
  void release_hold(Partition& p);
  void set_reason(Partition& p, uint8_t reason, bool on);
  void mark_ready(Partition& p);
  void prune(Sink* sink);
  void seek_back(Partition& p, int64_t offset, Clock::time_point now);
  void check_refetches(Clock::time_point now);

  Limits limits_;
  metrics::FlowProbe& probe_;
  mm2::OffsetSyncStore* offset_syncs_;
  ReplicatedCounts own_counts_;
  ReplicatedCounts& replicated_;

  config::UnreplicableRecords unreplicable_ = config::UnreplicableRecords::Fail;
  std::map<std::string, std::unique_ptr<Topic>, std::less<>> topics_;
  std::unique_ptr<Route> dead_letter_;                         // the dead-letter lane (no Topic)
  std::map<int64_t, std::unique_ptr<PendingLetter>> letters_;  // dead letters in flight, by tag
  int64_t next_letter_tag_ = 0;
  Clock::time_point next_note_{};       // skipped / dead-lettered records: one log line per 10 s
  size_t unnoted_ = 0;                  // records not logged since the last line
  std::vector<Partition*> ready_;       // with records waiting and not held, in arrival order
  std::vector<Partition*> held_;        // held back (Hold other than None)
  std::vector<Partition*> refetching_;  // told to seek back, their record not fetched yet
  std::vector<Partition*> dirty_;       // whose fetch state may have to change
  Partition* last_ = nullptr;           // the last partition find() returned
  size_t in_flight_records_ = 0;
  size_t in_flight_bytes_ = 0;
  size_t acknowledged_since_commit_ = 0;
  struct DeferredSync {
    mm2::PartitionSyncs* partition;  // the store's (outlives the pipeline)
    int64_t upstream;
    int64_t downstream;
  };
  bool defer_syncs_ = false;
  std::vector<DeferredSync> deferred_syncs_;
  std::vector<kafka::Offset> seeks_;                // rewinds due, for take_fetch_changes
  std::optional<Clock::time_point> blocked_since_;  // records waiting for room since
  bool blocked_ = false;                            // the last pump left records for want of room
  bool backpressure_paused_ = false;
  bool paused_ = false;
  bool refresh_requested_ = false;
  bool prune_wanted_ = false;
};

}  // namespace mirror::flow
