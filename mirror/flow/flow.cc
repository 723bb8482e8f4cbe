#include "mirror/flow/flow.h"

#include <algorithm>

#include "mirror/common/log.h"
#include "mirror/flow/session.h"

namespace mirror::flow {

void StatusBoard::publish(FlowStatus status) {
  std::lock_guard lock(mutex_);
  status_ = std::move(status);
}

void StatusBoard::set_state(State state, std::string last_error) {
  std::lock_guard lock(mutex_);
  status_.state = state;
  status_.last_error = std::move(last_error);
  if (state != State::Running) status_.partitions.clear();
}

FlowStatus StatusBoard::snapshot() const {
  std::lock_guard lock(mutex_);
  return status_;
}

Flow::Flow(FlowContext context) : context_(std::move(context)) {
  FlowStatus initial;
  initial.name = context_.spec.name;
  initial.state = context_.spec.enabled ? State::Starting : State::Disabled;
  initial.source = context_.source.name;
  initial.target = context_.target.name;
  initial.follower_fetching_enabled = context_.spec.follower_fetching_enabled;
  initial.client_rack = context_.client_rack;
  board_.publish(std::move(initial));
  context_.metrics->flow_up.Add({{"flow", name()}}).Set(0);
  context_.metrics->flow_follower_fetching.Add({{"flow", name()}})
      .Set(context_.spec.follower_fetching_enabled ? 1 : 0);
  const auto& spec = context_.spec;
  if (spec.emit_checkpoints_enabled || spec.sync_group_offsets_enabled) {
    offset_syncs_ = std::make_shared<mm2::OffsetSyncStore>();
  }
}

Flow::~Flow() {
  request_stop();
  join();
}

void Flow::start() {
  if (!context_.spec.enabled || thread_.joinable()) return;
  if (mm2::Tasks::wanted(context_.spec)) {
    mm2::TasksContext tc{context_.spec,
                         context_.source,
                         context_.target,
                         context_.metrics,
                         context_.admin_factory,
                         offset_syncs_,
                         context_.tuning.metadata_timeout};
    mm2_tasks_ = std::make_unique<mm2::Tasks>(std::move(tc));
    mm2_tasks_->start();
  }
  thread_ = std::thread([this] { run(); });
}

void Flow::request_stop() {
  stop_.store(true);
  if (mm2_tasks_) mm2_tasks_->request_stop();
  std::lock_guard lock(wait_mutex_);
  wait_cv_.notify_all();
}

void Flow::join() {
  if (thread_.joinable()) thread_.join();
  if (mm2_tasks_) mm2_tasks_->join();
}

bool Flow::sleep_unless_stopped(std::chrono::milliseconds d) {
  std::unique_lock lock(wait_mutex_);
  return !wait_cv_.wait_for(lock, d, [this] { return stop_.load(); });
}

void Flow::run() {
  auto backoff = context_.tuning.retry_backoff_min;
  while (!stop_.load()) {
    board_.set_state(State::Starting);
    const auto started = std::chrono::steady_clock::now();
    Status result;
    {
      Session session(context_, board_, offset_syncs_.get());
      result = session.run(stop_);
    }
    if (stop_.load()) break;
    if (std::chrono::steady_clock::now() - started > std::chrono::minutes(1)) {
      backoff = context_.tuning.retry_backoff_min;  // it ran for a while: start backing off afresh
    }
    const std::string why = result.ok() ? std::string("session ended") : result.error().message;
    log::warn("flow", name(), ": ", why, "; retrying in ", backoff.count(), " ms");
    board_.set_state(State::Retrying, why);
    if (!sleep_unless_stopped(backoff)) break;
    backoff = std::min(backoff * 2, context_.tuning.retry_backoff_max);
  }
  board_.set_state(State::Stopped);
  log::info("flow", name(), ": stopped");
}

}  // namespace mirror::flow
