// One replication flow: a record thread (sessions of the record path, restarted with backoff after
// failures; session.h) and a control thread (topics, heartbeats, checkpoints; control.h), isolated
// from every other flow. Retriable failures are retried within seconds (`retrying`); failures no
// retry can cure soon (credentials, TLS, permissions, a refused property) wait for
// Tuning::failed_backoff (`failed`). Either state, with its reason, stays on the status while the
// next session connects, until that session runs or fails in turn.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "mirror/flow/context.h"
#include "mirror/flow/control.h"
#include "mirror/flow/pipeline.h"
#include "mirror/flow/status.h"
#include "mirror/flow/status_board.h"
#include "mirror/metrics/flow_probe.h"
#include "mirror/mm2/offset_syncs.h"

namespace mirror::flow {

class Flow {
 public:
  // A flow's name must be unique among the live flows of one Metrics (its probe owns the series).
  // `restarts`: session restarts counted before this flow (a reload that changed the flow
  // replaces it with a new Flow that goes on counting).
  explicit Flow(FlowContext context, uint64_t restarts = 0);
  ~Flow();
  Flow(const Flow&) = delete;
  Flow& operator=(const Flow&) = delete;

  void start();
  void request_stop();  // returns at once; the flow drains, commits and stops
  void join();
  FlowStatus status() const;
  const std::string& name() const { return context_.spec.name; }
  const FlowContext& context() const { return context_; }
  // Session restarts since the process started (failures, reloads that changed the flow).
  uint64_t restarts() const { return restarts_.load(); }
  // Pauses or resumes fetching (any thread, returns at once). A paused flow keeps its group
  // membership, position and commits; it shows `paused` once its session has stopped fetching
  // (from then on nothing polled is sent until it is resumed).
  void set_paused(bool paused) { paused_.store(paused); }
  bool paused() const { return paused_.load(); }
  // Ends the current session gracefully and starts a new one at once (any thread, returns at
  // once): a stalled partition is read again, e.g. after the target's limit was raised.
  void restart_session() { restart_.store(true); }

 private:
  void run();
  bool sleep_unless_stopped(std::chrono::milliseconds d);

  FlowContext context_;
  metrics::FlowProbe probe_;
  StatusBoard board_;
  // Offset syncs outlive sessions (a restarted session keeps translating); null when neither
  // checkpoints nor group offset sync are on.
  std::unique_ptr<mm2::OffsetSyncStore> offset_syncs_;
  Pipeline::ReplicatedCounts replicated_;  // per partition, across sessions (record thread only)
  Control control_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> restarts_{0};
  std::atomic<bool> paused_{false};
  std::atomic<bool> restart_{false};
  std::mutex wait_mutex_;
  std::condition_variable wait_cv_;
  std::thread thread_;  // last: joined before the members it uses go away
};

}  // namespace mirror::flow
