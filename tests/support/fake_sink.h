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

  // Per-call answer: Sent unless `answer` says otherwise for this record.
  std::function<Outcome(const flow::Lane&, const kafka::Record&)> answer;
  std::vector<Sent> sent;             // in send order, all of them
  std::deque<Sent> outstanding;       // sent, delivery not made yet
  std::vector<std::string> released;  // target topics whose lane was released
  size_t max_outstanding = 0;

  Result send(flow::Lane& lane, const kafka::Record& record) override {
    const Outcome outcome = answer ? answer(lane, record) : Outcome::Sent;
    if (outcome == Outcome::Refused) return {outcome, make_error("refused by the fake", 10, true)};
    if (outcome != Outcome::Sent) return {outcome, {}};
    Sent s{&lane, std::string(record.topic), record.partition, record.offset, record.bytes};
    sent.push_back(s);
    outstanding.push_back(s);
    max_outstanding = std::max(max_outstanding, outstanding.size());
    return {Outcome::Sent, {}};
  }
  void release(flow::Lane& lane) override { released.push_back(lane.route.target_topic); }

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
