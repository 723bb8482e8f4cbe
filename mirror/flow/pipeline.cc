#include "mirror/flow/pipeline.h"

#include <algorithm>

#include "mirror/common/log.h"
#include "mirror/flow/pipeline_state.h"
#include "mirror/kafka/errors.h"

namespace mirror::flow {

using namespace pipeline_detail;  // NOLINT(google-build-using-namespace): the pipeline's own

Pipeline::Pipeline(Limits limits, metrics::FlowProbe& probe, mm2::OffsetSyncStore* offset_syncs,
                   ReplicatedCounts* replicated)
    : limits_(limits),
      probe_(probe),
      offset_syncs_(offset_syncs),
      replicated_(replicated != nullptr ? *replicated : own_counts_) {}

Pipeline::~Pipeline() {
  // A session that ends owns nothing (whatever the consumer said on the way out).
  for (auto& [name, topic] : topics_) {
    for (auto& p : topic->partitions) {
      if (p && p->syncs != nullptr) p->syncs->set_owned(false);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Routes and assignment

Pipeline::Topic* Pipeline::topic_state(const std::string& name) {
  auto& slot = topics_[name];
  if (!slot) {
    slot = std::make_unique<Topic>();
    slot->name = name;
  }
  return slot.get();
}

void Pipeline::set_routing(const topics::Routing& routing) {
  if (!routing.dead_letter_topic.empty() &&
      (!dead_letter_ || dead_letter_->route.target_topic != routing.dead_letter_topic)) {
    if (dead_letter_ == nullptr || dead_letter_->in_flight == 0) {
      dead_letter_ = std::make_unique<Route>();
      dead_letter_->route.target_topic = routing.dead_letter_topic;
    }
  }
  for (const auto& [name, route] : routing.routes) {
    Topic* t = topic_state(name);
    if (t->route && t->route->route.target_topic != route.target_topic) {
      t->retired.push_back(std::move(t->route));  // renamed: a new lane
    }
    if (!t->route) {
      t->route = std::make_unique<Route>();
      t->route->topic = t;
      if (t->series == nullptr) t->series = &probe_.add_topic(name);
    }
    t->route->route = route;
    for (auto& p : t->partitions) {
      if (!p || p->hold != Hold::Unrouted) continue;
      if (p->rewind_from >= 0) {
        p->hold = Hold::MissingPartition;  // its rewind is still to come
      } else {
        release_hold(*p);
      }
    }
  }
  const auto now = Clock::now();
  for (auto& [name, t] : topics_) {
    if (!t->route || routing.routes.count(name) != 0) continue;
    t->retired.push_back(std::move(t->route));
    for (auto& p : t->partitions) {
      if (p) hold(*p, Hold::Unrouted, now);
    }
    prune_wanted_ = true;
  }
  last_ = nullptr;
}

void Pipeline::assign(const std::vector<kafka::TopicPartition>& partitions, Clock::time_point now) {
  for (const auto& tp : partitions) {
    if (tp.partition < 0) continue;
    Topic* t = topic_state(tp.topic);
    if (static_cast<size_t>(tp.partition) >= t->partitions.size()) {
      t->partitions.resize(static_cast<size_t>(tp.partition) + 1);
    }
    auto& slot = t->partitions[static_cast<size_t>(tp.partition)];
    if (slot) continue;  // assigned already
    slot = std::make_unique<Partition>();
    Partition& p = *slot;
    p.topic = t;
    p.id = tp.partition;
    p.assigned_at = now;
    p.series = &probe_.add_partition(tp.topic, tp.partition);
    p.replicated = &replicated_[tp];
    if (offset_syncs_ != nullptr) {
      p.syncs = &offset_syncs_->partition(tp.topic, tp.partition);
      p.syncs->set_owned(true);  // checkpointed by this process while assigned here
    }
    if (backpressure_paused_) p.reasons |= kBackpressure;
    if (paused_) p.reasons |= kPaused;
    if (!t->route) hold(p, Hold::Unrouted, now);
    p.queued_dirty = true;
    dirty_.push_back(&p);
  }
  last_ = nullptr;
}

void Pipeline::revoke(const std::vector<kafka::TopicPartition>& partitions) {
  for (const auto& tp : partitions) {
    auto it = topics_.find(tp.topic);
    if (it == topics_.end()) continue;
    Topic& t = *it->second;
    Partition* p = t.partition(tp.partition);
    if (p == nullptr) continue;
    erase_value(ready_, p);
    erase_value(held_, p);
    erase_value(dirty_, p);
    erase_value(refetching_, p);
    if (p->syncs != nullptr) p->syncs->set_owned(false);
    probe_.remove_partition(tp.topic, tp.partition);
    t.partitions[static_cast<size_t>(tp.partition)].reset();
  }
  last_ = nullptr;
  prune_wanted_ = true;
}

// Drops what is no longer needed: drained retired routes, topics with nothing left.
void Pipeline::prune(Sink* sink) {
  if (!prune_wanted_) return;
  prune_wanted_ = false;
  for (auto it = topics_.begin(); it != topics_.end();) {
    Topic& t = *it->second;
    for (auto r = t.retired.begin(); r != t.retired.end();) {
      if ((*r)->in_flight == 0 && sink != nullptr) {
        sink->release(**r);
        r = t.retired.erase(r);
      } else {
        ++r;
        prune_wanted_ = true;  // again after its deliveries
      }
    }
    const bool assigned = std::any_of(t.partitions.begin(), t.partitions.end(),
                                      [](const auto& p) { return p != nullptr; });
    if (!t.route && t.retired.empty() && !assigned) {
      if (t.series != nullptr) probe_.remove_topic(t.name);
      it = topics_.erase(it);
    } else {
      ++it;
    }
  }
  last_ = nullptr;
}

// ---------------------------------------------------------------------------------------------
// Records

Pipeline::Partition* Pipeline::find(std::string_view topic, int32_t partition) {
  if (last_ != nullptr && last_->id == partition && last_->topic->name == topic) return last_;
  auto it = topics_.find(topic);
  if (it == topics_.end()) return nullptr;
  Partition* p = it->second->partition(partition);
  if (p != nullptr) last_ = p;
  return p;
}

Pipeline::Route* Pipeline::lane_of(const Partition& p) const {
  return p.topic->route.get();
}

size_t Pipeline::room() const {
  return ready_.empty() || backpressure_paused_ || paused_ ? limits_.batch : 0;
}

void Pipeline::mark_ready(Partition& p) {
  if (p.queued_ready || p.hold != Hold::None || p.waiting.empty()) return;
  p.queued_ready = true;
  ready_.push_back(&p);
}

void Pipeline::take(kafka::Record record) {
  Partition* p = find(record.topic, record.partition);
  if (p == nullptr) return;                    // not assigned here
  if (record.offset <= p->last_taken) return;  // refetched after a pause: taken already
  if (p->refetch_from >= 0 && record.offset >= p->refetch_from) {
    p->refetch_from = -1;  // the seek back was carried out
    erase_value(refetching_, p);
  }
  if (p->hold == Hold::Stalled) return;  // read again by the next session
  p->last_taken = record.offset;
  p->waiting.push_back(std::move(record));
  if (paused_) {
    // Fetched although paused (the consumer's pause raced its fetch start): it waits for the
    // resume, and the partition is told to pause once more.
    p->fetch_told = false;
    if (!p->queued_dirty) {
      p->queued_dirty = true;
      dirty_.push_back(p);
    }
    return;
  }
  mark_ready(*p);
}

void Pipeline::seek_back(Partition& p, int64_t offset, Clock::time_point now) {
  seeks_.push_back({p.topic->name, p.id, offset});
  if (p.refetch_from < 0) refetching_.push_back(&p);
  p.refetch_from = offset;
  p.refetch_due = now + kRefetchGrace;
}

// A partition that should be fetching (nothing stops it) and has not had its record back since
// the seek was told: tell it again (counted: errors_total kind stuck_fetch).
void Pipeline::check_refetches(Clock::time_point now) {
  for (Partition* p : refetching_) {
    if (now < p->refetch_due || p->reasons != 0 || p->hold != Hold::None) continue;
    log::warn("flow", log::Flow{probe_.flow()}, tp_name(p->topic->name, p->id),
              " not fetched from offset ", p->refetch_from,
              " since it was told to seek there: seeking again");
    probe_.count(metrics::ErrorKind::StuckFetch);
    seeks_.push_back({p->topic->name, p->id, p->refetch_from});
    p->refetch_due = now + kRefetchGrace;
  }
}

bool Pipeline::admits(size_t bytes) const {
  if (in_flight_records_ == 0) return true;  // even a record above the byte limit goes, alone
  return in_flight_records_ + 1 <= limits_.max_in_flight_records &&
         in_flight_bytes_ + bytes <= limits_.max_in_flight_bytes;
}

bool Pipeline::waits_for_solo(const Partition& p) {
  return p.solo_until >= 0 && p.tracker.in_flight() > 0;
}

Sink::Outcome Pipeline::send_head(Sink& sink, Partition& p, Status& error, Clock::time_point now) {
  const kafka::Record& r = p.waiting.front();
  Route* lane = lane_of(p);
  auto result = sink.send(*lane, r);
  if (result.outcome == Sink::Outcome::Sent) {
    p.tracker.sent(r.offset);
    ++lane->in_flight;
    ++in_flight_records_;
    in_flight_bytes_ += r.bytes + result.added_bytes;  // as its delivery will report
    if (p.solo_until >= 0) {
      p.solo = std::move(p.waiting.front());  // kept: its delivery decides
    }
    p.waiting.pop_front();
  } else if (result.outcome == Sink::Outcome::Loop) {
    // Done without sending: the offset after it may be committed once those before it are.
    const int64_t offset = r.offset;
    p.tracker.sent(offset);
    p.tracker.acked(offset);
    p.waiting.pop_front();
    probe_.looped(*p.topic->series, p.topic->name);  // routed, so the series exists
    if (p.solo_until >= 0) end_solo(p, offset);
  } else if (result.outcome == Sink::Outcome::Refused) {
    std::string why =
        "produce to " + tp_name(lane->route.target_topic, p.id) + ": " + result.error.message;
    if (kafka::is_refusal(result.error.code)) {
      kafka::Record record = std::move(p.waiting.front());
      p.waiting.pop_front();
      unreplicable(p, std::move(record), result.error.code, std::move(why), false, now);
    } else {
      probe_.count(metrics::ErrorKind::Produce);
      error = make_error(std::move(why), result.error.code, result.error.retriable);
    }
  }
  return result.outcome;
}

Status Pipeline::pump(Sink& sink, Clock::time_point now) {
  prune(&sink);
  if (paused_) return {};  // nothing goes to the target until resumed
  check_refetches(now);
  Status error;
  // Held partitions: rewinds whose deliveries are all in, dead letters to send, and partitions
  // whose target partition should be there now or that are fetched again (one try at a time).
  for (size_t i = 0; i < held_.size();) {
    Partition& p = *held_[i];
    // A dead letter first: a rewind of the same partition waits for its acknowledgement.
    if (p.hold == Hold::DeadLetter) {
      if (send_letter(sink, p, now) && p.hold == Hold::None) continue;  // released: left held_
      ++i;
      continue;
    }
    if (p.rewind_from >= 0) {
      if (p.tracker.in_flight() == 0) {
        seek_back(p, p.rewind_from, now);
        p.tracker.rewind(p.rewind_from);
        p.waiting.clear();
        p.solo.reset();
        p.last_taken = p.rewind_from - 1;
        p.rewind_from = -1;
        p.retry_at = now + kRetryHeld;
      }
      ++i;
      continue;
    }
    const Route* lane = lane_of(p);
    const bool due = lane != nullptr && now >= p.retry_at &&
                     (p.hold == Hold::Resend ||
                      (p.hold == Hold::MissingPartition && p.id < lane->route.target_partitions));
    if (!due) {
      ++i;
      continue;
    }
    if (p.waiting.empty()) {
      release_hold(p);  // fetch again: what comes is sent, or held once more
      continue;
    }
    if (waits_for_solo(p) || !admits(p.waiting.front().bytes)) {
      ++i;
      continue;
    }
    const Hold before = p.hold;
    const auto outcome = send_head(sink, p, error, now);
    if (!error.ok()) return error;
    if (outcome == Sink::Outcome::Sent || outcome == Sink::Outcome::Loop ||
        (outcome == Sink::Outcome::Refused && p.hold == before)) {
      release_hold(p);  // takes it out of held_ (a skipped record: the partition goes on)
      continue;
    }
    if (outcome != Sink::Outcome::Refused) p.retry_at = now + kRetryHeld;
    ++i;
  }
  bool blocked = false;
  size_t done = 0;  // ready_[0, done) drained or held
  for (; done < ready_.size(); ++done) {
    Partition& p = *ready_[done];
    p.queued_ready = false;  // leaves ready_ with the sweep below (hold() must not erase it)
    while (!p.waiting.empty() && p.hold == Hold::None) {
      if (lane_of(p) == nullptr) {
        hold(p, Hold::Unrouted, now);
        break;
      }
      if (waits_for_solo(p)) {  // ready again with the delivery of the record alone
        update_solo_pause(p);
        break;
      }
      if (!admits(p.waiting.front().bytes)) {
        blocked = true;
        break;
      }
      const auto outcome = send_head(sink, p, error, now);
      if (!error.ok()) {
        p.queued_ready = true;
        ready_.erase(ready_.begin(), ready_.begin() + static_cast<std::ptrdiff_t>(done));
        return error;
      }
      if (outcome == Sink::Outcome::Full) {
        blocked = true;
        break;
      }
      if (outcome == Sink::Outcome::NoPartition) {
        hold(p, Hold::MissingPartition, now);
        if (p.id >= lane_of(p)->route.target_partitions) refresh_requested_ = true;
        break;
      }
    }
    if (blocked) {
      p.queued_ready = true;  // stays in ready_
      break;
    }
  }
  ready_.erase(ready_.begin(), ready_.begin() + static_cast<std::ptrdiff_t>(done));
  blocked_ = blocked;
  if (blocked) {
    if (!blocked_since_) blocked_since_ = now;
  } else {
    blocked_since_.reset();
  }
  return {};
}

Status Pipeline::delivered(const kafka::Delivery& d) {
  auto* lane = static_cast<Route*>(static_cast<Lane*>(d.owner));
  if (lane == nullptr) return {};
  if (lane->topic == nullptr) return letter_delivered(d);  // the dead-letter lane
  in_flight_records_ -= std::min<size_t>(in_flight_records_, 1);
  in_flight_bytes_ -= std::min(in_flight_bytes_, d.bytes);
  lane->in_flight -= std::min<size_t>(lane->in_flight, 1);
  if (lane->in_flight == 0 && lane != lane->topic->route.get()) prune_wanted_ = true;
  Partition* p = lane->topic->partition(d.partition);
  const bool alone = p != nullptr && p->solo && p->solo->offset == d.tag;
  if (d.ok()) {
    if (p != nullptr) {
      p->tracker.acked(d.tag);
      if (p->syncs != nullptr && d.offset >= 0) {
        if (defer_syncs_) {
          deferred_syncs_.push_back({p->syncs, d.tag, d.offset});
        } else {
          p->syncs->record(d.tag, d.offset);
        }
      }
      ++*p->replicated;
      ++acknowledged_since_commit_;
      if (alone) end_solo(*p, d.tag);
    }
    probe_.replicated(*lane->topic->series, d.bytes, d.timestamp_ms);
    return {};
  }
  if (d.error == kPurgedQueue || d.error == kPurgedInFlight) {  // our own stop
    if (p != nullptr) p->tracker.failed(d.tag);
    return {};
  }
  const auto now = Clock::now();
  if (p != nullptr && (d.error == kUnknownPartition || d.error == kUnknownTopicOrPartition)) {
    // Queued before the producer knew the topic had no such partition: fetch it again later.
    p->tracker.failed(d.tag);
    if (p->rewind_from < 0 || d.tag < p->rewind_from) p->rewind_from = d.tag;
    hold(*p, Hold::MissingPartition, now);
    if (p->id >= lane->route.target_partitions) refresh_requested_ = true;
    return {};
  }
  if (p != nullptr && kafka::is_refusal(d.error)) {
    std::string why = "delivery to " + tp_name(lane->route.target_topic, d.partition) + ": " +
                      std::string(d.reason);
    if (alone) {
      kafka::Record record = std::move(*p->solo);
      end_solo(*p, d.tag);
      unreplicable(*p, std::move(record), d.error, std::move(why), true, now);
      return {};
    }
    // Refused with its batch, perhaps for the batch's size: fetched again from here, and sent
    // alone up to the last refused record.
    p->tracker.failed(d.tag);
    if (p->rewind_from < 0 || d.tag < p->rewind_from) p->rewind_from = d.tag;
    p->solo_until = std::max(p->solo_until, d.tag);
    if (p->hold != Hold::Resend) {
      log::info("flow", log::Flow{probe_.flow()}, why, "; sending ", tp_name(p->topic->name, p->id),
                " again from offset ", p->rewind_from, ", one record at a time");
    }
    hold(*p, Hold::Resend, now);
    return {};
  }
  if (p != nullptr) p->tracker.failed(d.tag);
  probe_.count(metrics::ErrorKind::Delivery);
  return kafka::client_error("delivery to " + tp_name(lane->route.target_topic, d.partition) +
                                 " failed: " + std::string(d.reason),
                             d.error);
}

void Pipeline::drop_unsent() {
  for (auto& [name, t] : topics_) {
    for (auto& p : t->partitions) {
      if (p) p->waiting.clear();
    }
  }
  for (Partition* p : ready_) p->queued_ready = false;
  ready_.clear();
}

// ---------------------------------------------------------------------------------------------
// Holding partitions back, and fetching

void Pipeline::hold(Partition& p, Hold why, Clock::time_point now) {
  // A stall is for good; a dead letter goes out whatever the routing does meanwhile.
  if (p.hold == Hold::Stalled) return;
  if (p.hold == Hold::DeadLetter && why != Hold::Stalled) return;
  if (p.hold != why && (why == Hold::Unrouted || why == Hold::MissingPartition)) {
    log::info("flow", log::Flow{probe_.flow()}, tp_name(p.topic->name, p.id), " held back: ",
              why == Hold::Unrouted ? "its topic is not replicated now"
                                    : "the target topic lacks the partition");
  }
  if (p.hold == Hold::None) held_.push_back(&p);
  p.hold = why;
  p.retry_at = now + kRetryHeld;
  if (p.queued_ready) {
    p.queued_ready = false;
    erase_value(ready_, &p);
  }
  set_reason(p, kHeld, true);
}

void Pipeline::release_hold(Partition& p) {
  if (p.hold == Hold::None || p.hold == Hold::Stalled) return;
  if (p.hold == Hold::Unrouted || p.hold == Hold::MissingPartition) {
    log::info("flow", log::Flow{probe_.flow()}, tp_name(p.topic->name, p.id), " goes on");
  }
  p.hold = Hold::None;
  erase_value(held_, &p);
  set_reason(p, kHeld, false);
  mark_ready(p);
}

void Pipeline::set_paused(bool paused) {
  if (paused == paused_) return;
  paused_ = paused;
  for (auto& [name, t] : topics_) {
    for (auto& p : t->partitions) {
      if (!p) continue;
      set_reason(*p, kPaused, paused);
      if (paused) {
        p->queued_ready = false;
      } else {
        mark_ready(*p);  // what waited goes now, in order
      }
    }
  }
  if (paused) ready_.clear();
}

void Pipeline::set_reason(Partition& p, uint8_t reason, bool on) {
  const uint8_t before = p.reasons;
  p.reasons = on ? (p.reasons | reason) : (p.reasons & ~reason);
  if (p.reasons != before && !p.queued_dirty) {
    p.queued_dirty = true;
    dirty_.push_back(&p);
  }
}

Pipeline::FetchChanges Pipeline::take_fetch_changes(Clock::time_point now) {
  const bool pause =
      !backpressure_paused_ && blocked_since_ && now - *blocked_since_ >= limits_.pause_after;
  const bool resume = backpressure_paused_ && !blocked_ &&
                      in_flight_records_ <= limits_.max_in_flight_records / 2 &&
                      in_flight_bytes_ <= limits_.max_in_flight_bytes / 2;
  if (pause || resume) {
    backpressure_paused_ = pause;
    if (pause) blocked_since_.reset();
    for (auto& [name, t] : topics_) {
      for (auto& p : t->partitions) {
        if (p) set_reason(*p, kBackpressure, pause);
      }
    }
    log::debug("flow", log::Flow{probe_.flow()}, pause ? "target behind (" : "fetching resumed (",
               in_flight_records_, " records in flight)");
  }
  FetchChanges changes;
  changes.seek.swap(seeks_);
  for (Partition* p : dirty_) {
    p->queued_dirty = false;
    const bool stop = p->reasons != 0;
    if (p->fetch_told && stop == p->fetch_stopped) continue;
    p->fetch_told = true;
    p->fetch_stopped = stop;
    (stop ? changes.pause : changes.resume).push_back({p->topic->name, p->id});
  }
  dirty_.clear();
  return changes;
}

bool Pipeline::take_refresh_request() {
  const bool requested = refresh_requested_;
  refresh_requested_ = false;
  return requested;
}

// ---------------------------------------------------------------------------------------------
// Offsets and state

std::vector<kafka::Offset> Pipeline::take_committable(
    const std::vector<kafka::TopicPartition>* only, Scope scope) {
  std::vector<kafka::Offset> out;
  auto add = [&out, scope](Partition& p) {
    const int64_t next = p.tracker.committable();
    if (next < 0 || (scope == Scope::Changed && next <= p.last_committed)) return;
    out.push_back({p.topic->name, p.id, next});
    p.last_committed = next;
  };
  if (only != nullptr) {
    for (const auto& tp : *only) {
      if (Partition* p = find(tp.topic, tp.partition)) add(*p);
    }
    return out;
  }
  acknowledged_since_commit_ = 0;
  for (auto& [name, t] : topics_) {
    for (auto& p : t->partitions) {
      if (p) add(*p);
    }
  }
  return out;
}

void Pipeline::publish_offset_syncs() {
  for (const auto& sync : deferred_syncs_) sync.partition->record(sync.upstream, sync.downstream);
  deferred_syncs_.clear();
}

void Pipeline::commit_failed(const std::vector<kafka::Offset>& offsets) {
  for (const auto& o : offsets) {
    if (Partition* p = find(o.topic, o.partition)) p->last_committed = -1;
  }
}

size_t Pipeline::in_flight(const std::vector<kafka::TopicPartition>& partitions) const {
  size_t n = 0;
  for (const auto& tp : partitions) {
    auto it = topics_.find(tp.topic);
    if (it == topics_.end()) continue;
    if (const Partition* p = it->second->partition(tp.partition)) {
      // A dead letter not sent yet is in the tracker's flight, not the producer's.
      n += p->tracker.in_flight() - std::min<size_t>(p->tracker.in_flight(), p->letter ? 1 : 0);
    }
  }
  return n;
}

size_t Pipeline::waiting() const {
  size_t n = 0;
  for (const auto& [name, t] : topics_) {
    for (const auto& p : t->partitions) {
      if (p) n += p->waiting.size();
    }
  }
  return n;
}

std::vector<Pipeline::PartitionView> Pipeline::partitions() const {
  std::vector<PartitionView> out;
  for (const auto& [name, t] : topics_) {
    for (const auto& p : t->partitions) {
      if (!p) continue;
      PartitionView v;
      v.topic = name;
      v.partition = p->id;
      if (t->route) v.target_topic = t->route->route.target_topic;
      v.replicated = *p->replicated;
      v.assigned_at = p->assigned_at;
      v.placement = p->placement;
      v.hold = p->hold;
      v.waiting = p->waiting.size();
      v.in_flight = p->tracker.in_flight();
      v.committed = p->last_committed;
      out.push_back(std::move(v));
    }
  }
  return out;
}

std::vector<Pipeline::Stall> Pipeline::stalls() const {
  std::vector<Stall> out;
  for (const auto& [name, t] : topics_) {
    for (const auto& p : t->partitions) {
      if (p && p->hold == Hold::Stalled) {
        out.push_back({name, p->id, p->stall_offset, p->stall_reason});
      }
    }
  }
  return out;
}

void Pipeline::set_placement(const std::string& topic, int32_t partition,
                             const Placement& placement) {
  Partition* p = find(topic, partition);
  if (p == nullptr) return;
  p->placement = placement;
  const bool from_follower = placement.fetch_broker >= 0 && placement.leader >= 0 &&
                             placement.fetch_broker != placement.leader;
  metrics::FlowProbe::placement(*p->series, placement.lag, from_follower);
}

}  // namespace mirror::flow
