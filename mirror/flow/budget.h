// The process's memory for records, shared by its flows (`memory.record_buffers_mib`): what the
// source consumers prefetch and what the pipelines keep in flight to the targets. Each running
// flow gets an equal share, half for its consumer's prefetch queue (queued.max.messages.kbytes)
// and half for its in-flight bytes (flow/pipeline.h), each between 1 MiB and the one-flow values
// (32 MiB each: more did not copy faster, docs/benchmarks.md). So 50 flows hold at most the
// budget rather than 50 times a fixed per-flow limit, while up to 8 flows keep those values under
// the default 512 MiB. Below 1 MiB per half the floor wins and the budget is exceeded (by at most
// 2 MiB per flow) rather than starving flows.
//
// When shares change: the in-flight share follows at once (sessions read it every status
// interval); the prefetch share is read when a flow's consumer is created (its session start).
// A flow's `consumer:` override of queued.max.messages.kbytes wins over its share.
//
// Thread-safe: set by the service (start, reload), read by every flow's threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>

namespace mirror::flow {

class RecordBudget {
 public:
  static constexpr size_t kFloor = size_t{1} << 20;      // per half of a flow's share
  static constexpr size_t kCeiling = size_t{32} << 20;   // per half of a flow's share
  static constexpr size_t kDefault = size_t{512} << 20;  // memory.record_buffers_mib's default

  explicit RecordBudget(size_t total_bytes = kDefault, size_t flows = 1)
      : total_(total_bytes), flows_(flows) {}

  void set_total(size_t bytes) { total_.store(bytes, std::memory_order_relaxed); }
  // The flows that run (enabled ones); 0 counts as 1.
  void set_flows(size_t flows) { flows_.store(flows, std::memory_order_relaxed); }
  size_t total() const { return total_.load(std::memory_order_relaxed); }
  size_t flows() const { return flows_.load(std::memory_order_relaxed); }

  // Bytes one flow may keep in flight to its target now.
  size_t in_flight_share() const { return half_share(); }
  // KiB one flow's source consumer may prefetch (queued.max.messages.kbytes).
  size_t prefetch_kbytes() const { return half_share() / 1024; }

 private:
  size_t half_share() const {
    const size_t flows = std::max<size_t>(1, this->flows());
    const size_t half = total() / flows / 2;
    return half < kFloor ? kFloor : half > kCeiling ? kCeiling : half;
  }

  std::atomic<size_t> total_;
  std::atomic<size_t> flows_;
};

}  // namespace mirror::flow
