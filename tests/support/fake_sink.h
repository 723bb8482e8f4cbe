// A Sink (flow/pipeline.h) in memory: records what it was sent, answers as told, and turns sent
// records into the deliveries a producer would report.
#pragma once

#include <deque>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mirror/flow/pipeline.h"
#include "mirror/kafka/record.h"

namespace mirror::testing {

class FakeSink final : public flow::Sink {
 public:
  struct Sent {
    flow::Lane* lane;
    std::string topic;  // source topic
    int32_t partition;
    int64_t offset;
    size_t bytes;
  };

  struct Letter {
    std::string topic;  // the source record's
    int32_t partition;
    int64_t offset;
    std::string error;
    bool with_value;
    int64_t tag;
  };

  // Per-call answer: Sent unless `answer` says otherwise for this record.
  std::function<Outcome(const flow::Lane&, const kafka::Record&)> answer;
  // The error code of a Refused answer (default: an invalid argument, not a refusal of the record:
  // kafka::is_refusal); 10 (MSG_SIZE_TOO_LARGE) makes it a refusal.
  int refused_code = -186;
  // Bytes the fake adds to every record it sends (a header), reported in Result and deliveries.
  size_t added_bytes = 0;
  // Dead letters: Sent unless `letter_answer` says otherwise.
  std::function<Outcome(const Sink::DeadLetter&)> letter_answer;
  std::vector<Letter> letters;             // dead letters sent, in order
  std::deque<Letter> outstanding_letters;  // sent, delivery not made yet
  flow::Lane* letter_lane = nullptr;
  std::vector<Sent> sent;             // in send order, all of them
  std::deque<Sent> outstanding;       // sent, delivery not made yet
  std::vector<std::string> released;  // target topics whose lane was released
  size_t max_outstanding = 0;

  Result send(flow::Lane& lane, const kafka::Record& record) override {
    const Outcome outcome = answer ? answer(lane, record) : Outcome::Sent;
    if (outcome == Outcome::Refused) {
      return {outcome, make_error("refused by the fake", refused_code, true)};
    }
    if (outcome != Outcome::Sent) return {outcome, {}};
    Sent s{&lane, std::string(record.topic), record.partition, record.offset,
           record.bytes + added_bytes};
    sent.push_back(s);
    outstanding.push_back(s);
    max_outstanding = std::max(max_outstanding, outstanding.size());
    return {Outcome::Sent, {}, added_bytes};
  }
  void release(flow::Lane& lane) override { released.push_back(lane.route.target_topic); }

  Result send_dead_letter(flow::Lane& lane, const DeadLetter& letter) override {
    const Outcome outcome = letter_answer ? letter_answer(letter) : Outcome::Sent;
    if (outcome == Outcome::Refused) return {outcome, make_error("too large for it too", 10, true)};
    if (outcome != Outcome::Sent) return {outcome, {}};
    letter_lane = &lane;
    Letter l{std::string(letter.record.topic), letter.record.partition, letter.record.offset,
             std::string(letter.error),        letter.with_value,       letter.tag};
    letters.push_back(l);
    outstanding_letters.push_back(l);
    return {Outcome::Sent, {}};
  }

  // The delivery of the oldest outstanding dead letter: acknowledged, or failed with `error`.
  kafka::Delivery deliver_letter(bool ok = true, int error = -192) {
    Letter l = outstanding_letters.front();
    outstanding_letters.pop_front();
    kafka::Delivery d;
    d.owner = letter_lane;
    d.partition = 0;
    d.tag = l.tag;
    if (ok) {
      d.offset = 0;
    } else {
      d.error = error;
      d.reason = "failed in the fake";
    }
    return d;
  }

  // The delivery of the oldest outstanding record: acknowledged at `target_offset`, or failed.
  kafka::Delivery deliver_front(bool ok = true, int64_t target_offset = -1) {
    Sent s = outstanding.front();
    outstanding.pop_front();
    return delivery(s, ok, target_offset);
  }
  static kafka::Delivery delivery(const Sent& s, bool ok, int64_t target_offset = -1) {
    kafka::Delivery d;
    d.owner = s.lane;
    d.partition = s.partition;
    d.tag = s.offset;
    d.bytes = s.bytes;
    if (ok) {
      d.offset = target_offset >= 0 ? target_offset : s.offset;
    } else {
      d.error = -192;  // RD_KAFKA_RESP_ERR__MSG_TIMED_OUT
      d.reason = "Local: Message timed out";
    }
    return d;
  }
};

}  // namespace mirror::testing
