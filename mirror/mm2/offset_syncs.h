// Source-offset -> target-offset pairs learned from the target's delivery reports, and the
// translation of consumer group offsets built on them.
//
// Per partition the store keeps runs: stretches of records whose target offset minus source offset
// is constant (a fresh target partition fed by one session is one run; a gap in the source — a
// transaction marker, a compacted record — or a re-read after a restart starts a new one). That
// makes translation exact instead of MM2's "nearest sync, plus one", with little memory.
//
// Translation of a committed offset C (the next record the group would read): the group has read
// everything before C. If C-1 was replicated, the answer is target(C-1)+1; if C-1 falls in a gap
// after a run, the answer is the target offset right after that run. Either way a consumer starting
// there on the target reads every record the group has not consumed. Offsets before the first
// known pair cannot be translated (nothing is returned: a checkpoint never points past a record).
// Beyond `max_runs` runs per partition, older runs are thinned out: old offsets then translate
// conservatively (a few re-reads), recent ones stay exact.
//
// Thread-safe: a flow's sessions record, its checkpoint task translates.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace mirror::mm2 {

class PartitionSyncs {
 public:
  explicit PartitionSyncs(size_t max_runs) : max_runs_(max_runs) {}
  // The target acknowledged source record `upstream` at target offset `downstream`. Calls come in
  // source-offset order per session; a lower upstream than before means a re-read.
  void record(int64_t upstream, int64_t downstream);
  std::optional<int64_t> translate(int64_t committed) const;
  size_t runs() const;

 private:
  struct Run {
    int64_t upstream_first;
    int64_t downstream_first;
    int64_t upstream_last;
    int64_t downstream_last() const { return downstream_first + (upstream_last - upstream_first); }
  };
  void thin_out();

  mutable std::mutex mutex_;
  std::deque<Run> runs_;  // ascending, non-overlapping upstream ranges
  size_t max_runs_;
};

class OffsetSyncStore {
 public:
  explicit OffsetSyncStore(size_t max_runs_per_partition = 4096)
      : max_runs_(max_runs_per_partition) {}
  // A stable handle for the record path (look it up once per partition, not per record).
  PartitionSyncs& partition(const std::string& source_topic, int32_t partition);
  std::optional<int64_t> translate(const std::string& source_topic, int32_t partition,
                                   int64_t committed) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int32_t>, std::unique_ptr<PartitionSyncs>> partitions_;
  size_t max_runs_;
};

}  // namespace mirror::mm2
