#include "mirror/flow/offset_tracker.h"

#include <algorithm>

namespace mirror::flow {

void OffsetTracker::sent(int64_t offset) {
  if (!pending_.empty() && offset <= pending_.back().offset) return;  // a re-sent offset
  pending_.push_back({offset, State::InFlight});
  ++in_flight_;
}

OffsetTracker::Entry* OffsetTracker::find(int64_t offset) {
  // Acknowledgements arrive in order per partition with an idempotent producer, so this is almost
  // always the front; a binary search covers the rest.
  if (pending_.empty()) return nullptr;
  if (pending_.front().offset == offset) return &pending_.front();
  auto it = std::lower_bound(pending_.begin(), pending_.end(), offset,
                             [](const Entry& e, int64_t o) { return e.offset < o; });
  if (it == pending_.end() || it->offset != offset) return nullptr;
  return &*it;
}

void OffsetTracker::acked(int64_t offset) {
  Entry* e = find(offset);
  if (e == nullptr || e->state != State::InFlight) return;
  e->state = State::Acked;
  --in_flight_;
  while (!pending_.empty() && pending_.front().state == State::Acked) {
    committable_ = pending_.front().offset + 1;
    pending_.pop_front();
  }
}

void OffsetTracker::failed(int64_t offset) {
  Entry* e = find(offset);
  if (e == nullptr || e->state != State::InFlight) return;
  e->state = State::Failed;
  --in_flight_;
}

void OffsetTracker::rewind(int64_t offset) {
  while (!pending_.empty() && pending_.back().offset >= offset) {
    if (pending_.back().state == State::InFlight) --in_flight_;
    pending_.pop_back();
  }
  while (!pending_.empty() && pending_.front().state == State::Acked) {
    committable_ = pending_.front().offset + 1;
    pending_.pop_front();
  }
}

}  // namespace mirror::flow
