#include "mirror/mm2/offset_syncs.h"

#include <algorithm>
#include <random>

namespace mirror::mm2 {

std::string encode_run(RunId id) {
  std::string out(16, '\0');
  for (size_t i = 0; i < 8; ++i) {
    const size_t shift = 56 - 8 * i;
    out[i] = static_cast<char>((id.writer >> shift) & 0xff);
    out[8 + i] = static_cast<char>((id.seq >> shift) & 0xff);
  }
  return out;
}

std::optional<RunId> decode_run(const void* data, size_t size) {
  if (data == nullptr || size != 16) return std::nullopt;
  const auto* b = static_cast<const unsigned char*>(data);
  RunId id;
  for (int i = 0; i < 8; ++i) {
    id.writer = (id.writer << 8) | b[i];
    id.seq = (id.seq << 8) | b[8 + i];
  }
  if (id.writer == 0) return std::nullopt;  // reserved for syncs without a run id
  return id;
}

// ---------------------------------------------------------------------------------------------
// PartitionSyncs

void PartitionSyncs::note(RunId run, Pair sync) {
  if (written_ == sync) return;
  // Nobody took them for long (the target is down): the oldest go. Translation stays safe: a run
  // missing a boundary looks shorter, which translates earlier (a few re-reads), never later.
  if (pending_.size() >= 4 * max_runs_)
    pending_.erase(pending_.begin(),
                   pending_.begin() + static_cast<std::ptrdiff_t>(pending_.size() / 2));
  pending_.push_back({run, sync.first, sync.second});
  written_ = sync;
}

void PartitionSyncs::extend_own(int64_t upstream) {
  own_extent_->upstream_last = upstream;
  // The newest run is the view's last: extend it there too rather than rebuild.
  if (!dirty_ && !view_.empty() && view_.back().id == *own_) {
    view_.back().upstream_last = upstream;
  } else {
    dirty_ = true;
  }
}

void PartitionSyncs::record(int64_t upstream, int64_t downstream) {
  std::lock_guard lock(mutex_);
  if (own_) {
    const Extent& e = *own_extent_;
    // The next source record at the next target offset extends the run; anything else (a gap in
    // the source, other records written in between on the target, a re-read) starts a new one.
    if (upstream == e.upstream_last + 1 && downstream == e.downstream_last() + 1) {
      extend_own(upstream);
      return;
    }
    note(*own_, {e.upstream_last, e.downstream_last()});  // where the run before ends
  }
  own_ = RunId{writer_, next_seq_++};
  own_extent_ = &(extents_[*own_] = Extent{downstream, upstream, upstream});
  dirty_ = true;
  note(*own_, {upstream, downstream});             // where this one starts
  if (extents_.size() > 2 * max_runs_) rebuild();  // thins out
}

void PartitionSyncs::load(std::optional<RunId> run, int64_t upstream, int64_t downstream) {
  std::lock_guard lock(mutex_);
  if (run && run->writer == writer_) return;  // this process's own: known record by record
  const RunId id = run ? *run : RunId{0, static_cast<uint64_t>(downstream)};
  auto [it, inserted] = extents_.try_emplace(id, Extent{downstream, upstream, upstream});
  if (!inserted) {
    Extent& e = it->second;
    if (downstream - upstream != e.downstream_first - e.upstream_first) return;  // not this run's
    if (upstream < e.upstream_first) {
      e.upstream_first = upstream;
      e.downstream_first = downstream;
    } else if (upstream > e.upstream_last) {
      e.upstream_last = upstream;
    } else {
      return;  // known already
    }
  }
  dirty_ = true;
  if (extents_.size() > 2 * max_runs_) rebuild();
}

void PartitionSyncs::take_syncs(bool latest, std::vector<Taken>& out) {
  std::lock_guard lock(mutex_);
  if ((latest || flush_latest_) && own_) {
    // The newest recorded pair is the end of the own run.
    note(*own_, {own_extent_->upstream_last, own_extent_->downstream_last()});
  }
  flush_latest_ = false;
  out.insert(out.end(), pending_.begin(), pending_.end());
  pending_.clear();
}

void PartitionSyncs::set_owned(bool owned) {
  std::lock_guard lock(mutex_);
  if (!owned && owned_.load()) flush_latest_ = true;  // the next owner goes on from here
  owned_.store(owned, std::memory_order_release);
}

// Replays the runs in target order: a later run that re-covers source offsets wins from its first
// one on. Too many runs (a transactional topic starts one at every commit marker): every second run
// of the older half goes, until few enough. Translation stays safe: an offset that fell in a
// dropped run now lies in an older copy of it or "in the gap after" the run before it, which
// translates to an earlier target offset (a failed-over consumer re-reads a little, as with MM2's
// sparse syncs), never a later one. The first run and this process's current one stay.
void PartitionSyncs::rebuild() const {
  std::vector<std::pair<RunId, Extent>> sorted(extents_.begin(), extents_.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second.downstream_first < b.second.downstream_first;
  });
  while (sorted.size() > max_runs_) {
    const size_t older = sorted.size() / 2;
    std::vector<std::pair<RunId, Extent>> kept;
    for (size_t i = 0; i < sorted.size(); ++i) {
      if (i >= older || i % 2 == 0 || sorted[i].first == own_) {
        kept.push_back(sorted[i]);
      } else {
        extents_.erase(sorted[i].first);
      }
    }
    if (kept.size() == sorted.size()) break;
    sorted.swap(kept);
  }
  view_.clear();
  for (const auto& [id, e] : sorted) {
    const int64_t u = e.upstream_first;
    if (!view_.empty() && u <= view_.back().upstream_last) {
      while (!view_.empty() && view_.back().upstream_first >= u) view_.pop_back();
      if (!view_.empty() && view_.back().upstream_last >= u) view_.back().upstream_last = u - 1;
    }
    view_.push_back(Run{u, e.downstream_first, e.upstream_last, id});
  }
  dirty_ = false;
}

std::optional<int64_t> PartitionSyncs::translate(int64_t committed) const {
  std::lock_guard lock(mutex_);
  if (dirty_) rebuild();
  if (view_.empty() || committed < view_.front().upstream_first) return std::nullopt;
  if (committed == view_.front().upstream_first) return view_.front().downstream_first;
  const int64_t last_read = committed - 1;
  // The last run starting at or before the last record the group read.
  auto it = std::upper_bound(view_.begin(), view_.end(), last_read,
                             [](int64_t v, const Run& r) { return v < r.upstream_first; });
  const Run& run = *std::prev(it);
  if (last_read <= run.upstream_last)
    return run.downstream_first + (last_read - run.upstream_first) + 1;
  return run.downstream_last() + 1;  // in the gap after the run (or beyond what was replicated)
}

size_t PartitionSyncs::runs() const {
  std::lock_guard lock(mutex_);
  if (dirty_) rebuild();
  return view_.size();
}

// ---------------------------------------------------------------------------------------------
// OffsetSyncStore

OffsetSyncStore::OffsetSyncStore(size_t max_runs_per_partition, uint64_t writer)
    : max_runs_(max_runs_per_partition), writer_(writer) {
  if (writer_ == 0) {
    std::random_device device;
    std::mt19937_64 rng((static_cast<uint64_t>(device()) << 32) ^ device());
    while (writer_ == 0) writer_ = rng();
  }
}

PartitionSyncs& OffsetSyncStore::partition(const std::string& source_topic, int32_t partition) {
  std::lock_guard lock(mutex_);
  auto& slot = partitions_[{source_topic, partition}];
  if (!slot) slot = std::make_unique<PartitionSyncs>(max_runs_, writer_);
  return *slot;
}

const PartitionSyncs* OffsetSyncStore::find(const std::string& source_topic,
                                            int32_t partition) const {
  std::lock_guard lock(mutex_);
  auto it = partitions_.find({source_topic, partition});
  return it == partitions_.end() ? nullptr : it->second.get();
}

void OffsetSyncStore::load(const std::string& source_topic, int32_t partition,
                           std::optional<RunId> run, int64_t upstream, int64_t downstream) {
  this->partition(source_topic, partition).load(run, upstream, downstream);
}

std::vector<OffsetSyncStore::Sync> OffsetSyncStore::take_syncs(bool latest) {
  std::vector<std::pair<std::pair<std::string, int32_t>, PartitionSyncs*>> all;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, syncs] : partitions_) all.emplace_back(key, syncs.get());
  }
  std::vector<Sync> out;
  std::vector<PartitionSyncs::Taken> taken;
  for (auto& [key, syncs] : all) {
    taken.clear();
    syncs->take_syncs(latest, taken);
    for (const auto& t : taken)
      out.push_back({key.first, key.second, t.run, t.upstream, t.downstream});
  }
  return out;
}

std::optional<int64_t> OffsetSyncStore::translate(const std::string& source_topic,
                                                  int32_t partition, int64_t committed) const {
  const PartitionSyncs* syncs = find(source_topic, partition);
  return syncs == nullptr ? std::nullopt : syncs->translate(committed);
}

bool OffsetSyncStore::owned(const std::string& source_topic, int32_t partition) const {
  const PartitionSyncs* syncs = find(source_topic, partition);
  return syncs != nullptr && syncs->owned();
}

}  // namespace mirror::mm2
