// Per-partition at-least-once bookkeeping: which source offsets were sent to the target and which
// the target acknowledged. The committable offset is the first source offset not yet acknowledged
// (Kafka commits "the next offset to read"), so a commit never passes an unacknowledged record.
// A record whose delivery failed is no longer in flight, but the committable offset never passes
// it: it is read again by the next session.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace mirror::flow {

class OffsetTracker {
 public:
  // Records that `offset` was handed to the producer. Offsets must increase.
  void sent(int64_t offset);
  // Marks `offset` acknowledged. Unknown offsets (e.g. from before a reassignment) are ignored.
  void acked(int64_t offset);
  // Marks `offset` failed: it stays uncommitted for good (unless rewound).
  void failed(int64_t offset);
  // Forgets `offset` and everything after it, none of which may be in flight: they are read and
  // sent again.
  void rewind(int64_t offset);
  // The next offset to commit, or -1 when nothing was acknowledged yet.
  int64_t committable() const { return committable_; }
  // Sent and neither acknowledged nor failed yet.
  size_t in_flight() const { return in_flight_; }
  // Whether a failed record holds the committable offset back.
  bool blocked() const { return !pending_.empty() && pending_.front().state == State::Failed; }

 private:
  enum class State : uint8_t { InFlight, Acked, Failed };
  struct Entry {
    int64_t offset;
    State state;
  };
  Entry* find(int64_t offset);

  std::deque<Entry> pending_;  // sent, in offset order; the front is the oldest not acknowledged
  size_t in_flight_ = 0;
  int64_t committable_ = -1;
};

}  // namespace mirror::flow
