// Records the target refuses (pipeline.h, "A record the target refuses for good"): one record at a
// time after a refused batch, then the flow's unreplicable_records policy: stall, skip or dead
// letter.
#include "mirror/common/log.h"
#include "mirror/flow/pipeline.h"
#include "mirror/flow/pipeline_state.h"
#include "mirror/kafka/errors.h"

namespace mirror::flow {

using namespace pipeline_detail;  // NOLINT(google-build-using-namespace): the pipeline's own

void Pipeline::end_solo(Partition& p, int64_t offset) {
  p.solo.reset();
  if (offset >= p.solo_until) p.solo_until = -1;
  update_solo_pause(p);
  mark_ready(p);
}

// While records go one at a time, fetching the partition stops once a batch of them waits (and
// goes on when fewer do), so what waits stays bounded.
void Pipeline::update_solo_pause(Partition& p) {
  set_reason(p, kSolo, p.solo_until >= 0 && p.waiting.size() >= limits_.batch);
}

// ---------------------------------------------------------------------------------------------
// Unreplicable records

void Pipeline::unreplicable(Partition& p, kafka::Record record, int code, std::string error,
                            bool in_flight, Clock::time_point now) {
  const int64_t offset = record.offset;
  switch (unreplicable_) {
    case config::UnreplicableRecords::Fail:
      stall(p, offset, std::move(error), now);
      return;
    case config::UnreplicableRecords::Skip:
      if (!in_flight) p.tracker.sent(offset);
      p.tracker.acked(offset);  // done: the offset after it may be committed
      probe_.skipped(p.topic->name, kafka::refusal_reason(code));
      note("skipped", p, offset, error, now);
      return;
    case config::UnreplicableRecords::DeadLetter:
      if (!in_flight) p.tracker.sent(offset);  // in flight until the dead letter is acknowledged
      p.letter = Letter{std::move(record), code, std::move(error), true};
      hold(p, Hold::DeadLetter, now);
      return;
  }
}

void Pipeline::stall(Partition& p, int64_t offset, std::string reason, Clock::time_point now) {
  if (p.hold == Hold::Stalled) return;
  probe_.count(metrics::ErrorKind::Unreplicable);
  log::error("flow", log::Flow{probe_.flow()}, tp_name(p.topic->name, p.id), " stalled at offset ",
             offset, ": ", reason,
             " (unreplicable_records: fail; nothing after it is replicated or committed until "
             "the target accepts it)");
  p.tracker.failed(offset);  // no-op unless in flight: never committed past
  p.letter.reset();
  p.solo.reset();
  p.waiting.clear();
  p.rewind_from = -1;
  p.stall_offset = offset;
  p.stall_reason = std::move(reason);
  hold(p, Hold::Stalled, now);
}

// The dead letter of `p` went: the partition goes on, or, when a refused batch of it waits to be
// fetched again (its delivery came back while the dead letter waited), it waits for that.
void Pipeline::letter_gone(Partition& p) {
  if (p.rewind_from >= 0) {
    p.hold = Hold::Resend;  // still held (held_, kHeld): the rewind follows the acknowledgements
    return;
  }
  release_hold(p);
}

bool Pipeline::send_letter(Sink& sink, Partition& p, Clock::time_point now) {
  if (!p.letter) {
    letter_gone(p);
    return true;
  }
  Letter& letter = *p.letter;
  const int64_t offset = letter.record.offset;
  if (!dead_letter_) {
    stall(p, offset, letter.error + "; no dead-letter topic on the target", now);
    return true;
  }
  const size_t bytes = letter.with_value ? letter.record.bytes : 0;
  if (!admits(bytes)) return false;
  const int64_t tag = next_letter_tag_++;
  auto result =
      sink.send_dead_letter(*dead_letter_, {letter.record, letter.error, letter.with_value, tag});
  switch (result.outcome) {
    case Sink::Outcome::Sent: {
      ++in_flight_records_;
      in_flight_bytes_ += bytes;
      ++dead_letter_->in_flight;
      auto pending = std::make_unique<PendingLetter>();
      pending->source = {p.topic->name, p.id};
      pending->letter = std::move(letter);
      pending->bytes = bytes;
      letters_[tag] = std::move(pending);
      p.letter.reset();
      letter_gone(p);  // the partition goes on; its commits wait for the acknowledgement
      return true;
    }
    case Sink::Outcome::Full:
    case Sink::Outcome::NoPartition:
    case Sink::Outcome::Loop:  // not for dead letters (their sink looks for no loops)
      return false;
    case Sink::Outcome::Refused:
      break;
  }
  if (letter.with_value && kafka::is_refusal(result.error.code)) {
    letter.with_value = false;  // too large for the dead-letter topic too: its metadata only
    return false;
  }
  stall(p, offset,
        letter.error + "; dead letter to " + dead_letter_->route.target_topic +
            " refused: " + result.error.message,
        now);
  return true;
}

Status Pipeline::letter_delivered(const kafka::Delivery& d) {
  auto it = letters_.find(d.tag);
  if (it == letters_.end()) return {};
  std::unique_ptr<PendingLetter> pending = std::move(it->second);
  letters_.erase(it);
  in_flight_records_ -= std::min<size_t>(in_flight_records_, 1);
  in_flight_bytes_ -= std::min(in_flight_bytes_, pending->bytes);
  if (dead_letter_) dead_letter_->in_flight -= std::min<size_t>(dead_letter_->in_flight, 1);
  Partition* p = find(pending->source.topic, pending->source.partition);
  const int64_t offset = pending->letter.record.offset;
  if (d.ok()) {
    if (p != nullptr) {
      p->tracker.acked(offset);
      probe_.dead_lettered(p->topic->name, kafka::refusal_reason(pending->letter.code));
      note("sent to the dead-letter topic", *p, offset, pending->letter.error, Clock::now());
      mark_ready(*p);
    }
    return {};
  }
  if (p == nullptr) return {};
  if (d.error == kPurgedQueue || d.error == kPurgedInFlight) {
    p->tracker.failed(offset);
    return {};
  }
  const auto now = Clock::now();
  if (pending->letter.with_value && kafka::is_refusal(d.error) && p->hold != Hold::Stalled) {
    pending->letter.with_value = false;  // again, with its metadata only
    p->letter = std::move(pending->letter);
    hold(*p, Hold::DeadLetter, now);
    return {};
  }
  const std::string topic = dead_letter_ ? dead_letter_->route.target_topic : std::string();
  stall(*p, offset,
        pending->letter.error + "; dead letter to " + topic + " failed: " + std::string(d.reason),
        now);
  return {};
}

void Pipeline::note(const char* what, const Partition& p, int64_t offset, const std::string& error,
                    Clock::time_point now) {
  if (now < next_note_) {
    ++unnoted_;
    return;
  }
  log::warn("flow", log::Flow{probe_.flow()}, tp_name(p.topic->name, p.id), " offset ", offset, " ",
            what, ": ", error,
            unnoted_ > 0 ? " (and " + std::to_string(unnoted_) + " more since the last such line)"
                         : std::string());
  unnoted_ = 0;
  next_note_ = now + kNoteGap;
}

}  // namespace mirror::flow
