#include "mirror/mm2/offset_syncs.h"

#include <algorithm>

namespace mirror::mm2 {

void PartitionSyncs::record(int64_t upstream, int64_t downstream) {
  std::lock_guard lock(mutex_);
  if (!runs_.empty()) {
    Run& last = runs_.back();
    if (upstream > last.upstream_last) {
      // The next source record at the next target offset extends the run; anything else (a gap
      // in the source, other records written in between on the target) starts a new one.
      if (upstream == last.upstream_last + 1 && downstream == last.downstream_last() + 1) {
        last.upstream_last = upstream;
        return;
      }
    } else {
      // Re-read (a new session resumed from an older commit): the newer copies win from here on.
      while (!runs_.empty() && runs_.back().upstream_first >= upstream) runs_.pop_back();
      if (!runs_.empty() && runs_.back().upstream_last >= upstream)
        runs_.back().upstream_last = upstream - 1;
    }
  }
  runs_.push_back(Run{upstream, downstream, upstream});
  if (runs_.size() > max_runs_) thin_out();
}

// Too many runs (a transactional topic starts one at every commit marker): every second run of the
// older half goes. Translation stays safe: an offset that fell in a dropped run now lies "in the
// gap after" the run before it, which translates to the target offset right after that run —
// earlier than exact, so a failed-over consumer re-reads a little (as with MM2's sparse syncs),
// never skips. The first run stays, so nothing that was translatable becomes untranslatable.
void PartitionSyncs::thin_out() {
  const size_t older = runs_.size() / 2;
  std::deque<Run> kept;
  for (size_t i = 0; i < runs_.size(); ++i) {
    if (i >= older || i % 2 == 0) kept.push_back(runs_[i]);
  }
  runs_.swap(kept);
}

std::optional<int64_t> PartitionSyncs::translate(int64_t committed) const {
  std::lock_guard lock(mutex_);
  if (runs_.empty() || committed < runs_.front().upstream_first) return std::nullopt;
  if (committed == runs_.front().upstream_first) return runs_.front().downstream_first;
  const int64_t last_read = committed - 1;
  // The last run starting at or before the last record the group read.
  auto it = std::upper_bound(runs_.begin(), runs_.end(), last_read,
                             [](int64_t v, const Run& r) { return v < r.upstream_first; });
  const Run& run = *std::prev(it);
  if (last_read <= run.upstream_last)
    return run.downstream_first + (last_read - run.upstream_first) + 1;
  return run.downstream_last() + 1;  // in the gap after the run (or beyond what was replicated)
}

size_t PartitionSyncs::runs() const {
  std::lock_guard lock(mutex_);
  return runs_.size();
}

PartitionSyncs& OffsetSyncStore::partition(const std::string& source_topic, int32_t partition) {
  std::lock_guard lock(mutex_);
  auto& slot = partitions_[{source_topic, partition}];
  if (!slot) slot = std::make_unique<PartitionSyncs>(max_runs_);
  return *slot;
}

std::optional<int64_t> OffsetSyncStore::translate(const std::string& source_topic,
                                                  int32_t partition, int64_t committed) const {
  const PartitionSyncs* syncs = nullptr;
  {
    std::lock_guard lock(mutex_);
    auto it = partitions_.find({source_topic, partition});
    if (it == partitions_.end()) return std::nullopt;
    syncs = it->second.get();
  }
  return syncs->translate(committed);
}

}  // namespace mirror::mm2
