#include "mirror/flow/offset_tracker.h"

#include <algorithm>

namespace mirror::flow {

void OffsetTracker::sent(int64_t offset) {
  if (!pending_.empty() && offset <= pending_.back().offset)
    return;  // re-delivery of a sent offset
  pending_.push_back({offset, false});
  ++in_flight_;
}

void OffsetTracker::acked(int64_t offset) {
  // Acknowledgements arrive in order per partition with an idempotent producer, so this is almost
  // always the front; a binary search covers the rest.
  auto it = pending_.begin();
  if (it == pending_.end()) return;
  if (it->offset != offset) {
    it = std::lower_bound(pending_.begin(), pending_.end(), offset,
                          [](const Entry& e, int64_t o) { return e.offset < o; });
    if (it == pending_.end() || it->offset != offset || it->acked) return;
  } else if (it->acked) {
    return;
  }
  it->acked = true;
  --in_flight_;
  while (!pending_.empty() && pending_.front().acked) {
    committable_ = pending_.front().offset + 1;
    pending_.pop_front();
  }
}

}  // namespace mirror::flow
