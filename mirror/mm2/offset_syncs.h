// Source-offset -> target-offset pairs learned from the target's delivery reports (and read back
// from MM2's offset-syncs topic on the target), and the translation of consumer group offsets
// built on them.
//
// Per partition the store keeps runs: stretches of records whose target offset minus source offset
// is constant, written by one session in one go (a fresh target partition fed by one session is one
// run; a gap in the source — a transaction marker, a compacted record — or a re-read after a
// restart starts a new one). That makes translation exact instead of MM2's "nearest sync, plus
// one", with little memory. Runs are ordered by their target offsets; where two cover the same
// source offsets (a re-read: a new owner resumed from an older commit) the later copy wins.
//
// Translation of a committed offset C (the next record the group would read): the group has read
// everything before C. If C-1 was replicated, the answer is target(C-1)+1; if C-1 falls in a gap
// after a run, the answer is the target offset right after that run. Either way a consumer starting
// there on the target reads every record the group has not consumed. Offsets before the first
// known pair cannot be translated (nothing is returned: a checkpoint never points past a record).
// Beyond `max_runs` runs per partition, older runs are thinned out: old offsets then translate
// conservatively (a few re-reads), recent ones stay exact.
//
// Persistence. Every run has an id (the writing process's random id and a sequence number) that
// travels in the `mirror.run` header of each offset sync; the key and value are MM2's. record()
// notes the syncs from which the runs can be rebuilt — the first pair of every run and the last
// pair of the run before it — and take_syncs() hands them out, with the newest pair of each
// partition when asked (at least once per commit interval, and when the partition is revoked).
// load() takes a sync read back from the topic, written by any instance: syncs with the same run id
// bound one contiguous run. (Contiguity is never inferred from equal distances alone: after a
// SIGKILL the dead writer's last run boundaries may be missing, and a new writer's run can then
// have the same distance by chance.) A sync without the header (MM2's own) is a run of one record.
// The syncs this process wrote itself are ignored when read back: it knows them already, record by
// record.
//
// Thread-safe: a flow's sessions record and set ownership, its control thread loads, takes syncs
// and translates.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mirror::mm2 {

// A run's id: the writing process (random, per OffsetSyncStore) and its sequence number there.
struct RunId {
  uint64_t writer = 0;
  uint64_t seq = 0;
  bool operator==(const RunId&) const = default;
  bool operator<(const RunId& o) const {
    return writer != o.writer ? writer < o.writer : seq < o.seq;
  }
};
inline constexpr const char* kRunHeader = "mirror.run";
std::string encode_run(RunId id);  // 16 bytes, big-endian
std::optional<RunId> decode_run(const void* data, size_t size);

class PartitionSyncs {
 public:
  using Pair = std::pair<int64_t, int64_t>;  // (upstream, downstream)
  struct Taken {
    RunId run;
    int64_t upstream;
    int64_t downstream;
  };

  PartitionSyncs(size_t max_runs, uint64_t writer) : max_runs_(max_runs), writer_(writer) {}
  // The target acknowledged source record `upstream` at target offset `downstream`. Calls come in
  // source-offset order per session; a lower upstream than before means a re-read.
  void record(int64_t upstream, int64_t downstream);
  // A sync read back from the offset-syncs topic (`run` empty: written without a run id).
  void load(std::optional<RunId> run, int64_t upstream, int64_t downstream);
  // Appends the syncs to write: run boundaries noted since the last call and, with `latest` (or
  // after the partition was revoked), the newest recorded pair unless it was handed out already.
  void take_syncs(bool latest, std::vector<Taken>& out);
  std::optional<int64_t> translate(int64_t committed) const;
  size_t runs() const;

  // Whether this process's consumer currently owns the partition (only the owner checkpoints it).
  void set_owned(bool owned);
  bool owned() const { return owned_.load(std::memory_order_acquire); }

 private:
  struct Extent {
    int64_t downstream_first;
    int64_t upstream_first;
    int64_t upstream_last;
    int64_t downstream_last() const { return downstream_first + (upstream_last - upstream_first); }
  };
  struct Run {  // a run as translation sees it (possibly cut short by a later copy)
    int64_t upstream_first;
    int64_t downstream_first;
    int64_t upstream_last;
    RunId id;
    int64_t downstream_last() const { return downstream_first + (upstream_last - upstream_first); }
  };
  void note(RunId run, Pair sync);  // to be written
  void rebuild() const;             // view_ from extents_, thinning out
  void extend_own(int64_t upstream);

  mutable std::mutex mutex_;
  size_t max_runs_;
  uint64_t writer_;
  // Every run known, by id; own_ is this process's current one.
  mutable std::map<RunId, Extent> extents_;
  std::optional<RunId> own_;
  Extent* own_extent_ =
      nullptr;  // extents_[*own_] (map nodes stay put; the own run is never dropped)
  uint64_t next_seq_ = 1;
  // Translation's view: ascending, non-overlapping source ranges; rebuilt when dirty.
  mutable std::vector<Run> view_;
  mutable bool dirty_ = false;
  std::vector<Taken> pending_;   // syncs to write
  std::optional<Pair> written_;  // the last own pair handed out
  bool flush_latest_ = false;    // revoked: hand the newest pair out now
  std::atomic<bool> owned_{false};
};

class OffsetSyncStore {
 public:
  // `writer` 0: a random one.
  explicit OffsetSyncStore(size_t max_runs_per_partition = 4096, uint64_t writer = 0);
  // A stable handle for the record path (look it up once per partition, not per record).
  PartitionSyncs& partition(const std::string& source_topic, int32_t partition);
  std::optional<int64_t> translate(const std::string& source_topic, int32_t partition,
                                   int64_t committed) const;
  // Only partitions this process owns (PartitionSyncs::set_owned).
  bool owned(const std::string& source_topic, int32_t partition) const;
  void load(const std::string& source_topic, int32_t partition, std::optional<RunId> run,
            int64_t upstream, int64_t downstream);
  uint64_t writer() const { return writer_; }

  // take_syncs() of every partition.
  struct Sync {
    std::string topic;
    int32_t partition;
    RunId run;
    int64_t upstream;
    int64_t downstream;
  };
  std::vector<Sync> take_syncs(bool latest);

 private:
  const PartitionSyncs* find(const std::string& source_topic, int32_t partition) const;

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int32_t>, std::unique_ptr<PartitionSyncs>> partitions_;
  size_t max_runs_;
  uint64_t writer_;
};

}  // namespace mirror::mm2
