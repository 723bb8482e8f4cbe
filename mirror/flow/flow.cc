#include "mirror/flow/flow.h"

#include <algorithm>

#include "mirror/common/log.h"
#include "mirror/flow/session.h"

namespace mirror::flow {
namespace {

metrics::FlowProbe::Options probe_options(const config::FlowSpec& spec) {
  return {spec.follower_fetching_enabled, spec.emit_heartbeats_enabled,
          spec.emit_checkpoints_enabled, spec.sync_group_offsets_enabled,
          spec.sync_topic_acls_enabled};
}

std::unique_ptr<mm2::OffsetSyncStore> offset_syncs_for(const config::FlowSpec& spec) {
  if (!spec.emit_checkpoints_enabled && !spec.sync_group_offsets_enabled) return nullptr;
  return std::make_unique<mm2::OffsetSyncStore>();
}

}  // namespace

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

Flow::Flow(FlowContext context, uint64_t restarts)
    : context_(std::move(context)),
      probe_(*context_.metrics, context_.spec.name, probe_options(context_.spec)),
      offset_syncs_(offset_syncs_for(context_.spec)),
      control_(context_, probe_, offset_syncs_.get()) {
  FlowStatus initial;
  initial.name = context_.spec.name;
  initial.state = context_.spec.enabled ? State::Starting : State::Disabled;
  initial.source = context_.source.name;
  initial.target = context_.target.name;
  initial.follower_fetching_enabled = context_.spec.follower_fetching_enabled;
  initial.client_rack = context_.client_rack;
  board_.publish(std::move(initial));
  restarts_.store(restarts);
  if (restarts > 0) probe_.restarted(restarts);
}

Flow::~Flow() {
  request_stop();
  join();
}

void Flow::start() {
  if (!context_.spec.enabled || thread_.joinable()) return;
  control_.start();
  thread_ = std::thread([this] { run(); });
}

void Flow::request_stop() {
  stop_.store(true);
  // The control thread stops after the record thread (run()): it writes the offset syncs of the
  // last deliveries.
  if (!thread_.joinable()) control_.request_stop();
  std::lock_guard lock(wait_mutex_);
  wait_cv_.notify_all();
}

void Flow::join() {
  if (thread_.joinable()) thread_.join();
  control_.join();
}

FlowStatus Flow::status() const {
  FlowStatus status = board_.snapshot();
  status.restarts = restarts_.load();
  if (context_.spec.sync_topic_acls_enabled) status.acl_sync = control_.acl_sync();
  if (status.state == State::Starting || status.state == State::Retrying) {
    // Nothing routed yet: what holds the control thread up is what holds the flow up. Starting:
    // whatever the control thread last met; retrying (a session that failed on the weather): only
    // what no retry can cure (a refused login, found by the control thread's clients), so a flow
    // with wrong credentials reads `failed` with the reason through every retry.
    if (auto health = control_.health(); !health.last_error.empty() && !control_.routing() &&
                                         (status.state == State::Starting || !health.retriable)) {
      status.state = health.retriable ? State::Retrying : State::Failed;
      status.last_error = health.last_error;
    }
  }
  return status;
}

bool Flow::sleep_unless_stopped(std::chrono::milliseconds d) {
  std::unique_lock lock(wait_mutex_);
  return !wait_cv_.wait_for(lock, d, [this] { return stop_.load(); });
}

void Flow::run() {
  const auto& t = context_.tuning;
  auto backoff = t.retry_backoff_min;
  bool first = true;
  bool fresh = true;  // no failure to show: the next session reads `starting`
  while (!stop_.load()) {
    if (!first) {
      restarts_.fetch_add(1);
      probe_.restarted();
    }
    first = false;
    // After a failure the flow keeps showing it (`failed` or `retrying`, with the reason) while
    // the next session connects, until that one runs or fails in turn: a flow with wrong
    // credentials never reads `starting` without an error between its retries.
    if (fresh) board_.set_state(State::Starting);
    fresh = false;
    const auto started = std::chrono::steady_clock::now();
    Status result;
    {
      Session session(context_, probe_, control_, board_, offset_syncs_.get(), replicated_,
                      paused_);
      result = session.run(stop_, restart_);
    }
    if (stop_.load()) break;
    if (restart_.exchange(false)) {
      log::info("flow", log::Flow{name()}, "starting a new session (requested)");
      backoff = t.retry_backoff_min;
      fresh = true;
      continue;
    }
    if (std::chrono::steady_clock::now() - started > std::chrono::minutes(1)) {
      backoff = t.retry_backoff_min;  // it ran for a while: start backing off afresh
    }
    const std::string why = result.ok() ? std::string("session ended") : result.error().message;
    if (!result.ok() && !result.error().retriable) {
      log::error("flow", log::Flow{name()}, why, "; not retried for ",
                 std::chrono::duration_cast<std::chrono::seconds>(t.failed_backoff).count(),
                 " s (fix the configuration or the credentials)");
      board_.set_state(State::Failed, why);
      if (!sleep_unless_stopped(t.failed_backoff)) break;
      continue;
    }
    log::warn("flow", log::Flow{name()}, why, "; retrying in ", backoff.count(), " ms");
    board_.set_state(State::Retrying, why);
    if (!sleep_unless_stopped(backoff)) break;
    backoff = std::min(backoff * 2, t.retry_backoff_max);
  }
  control_.request_stop();
  board_.set_state(State::Stopped);
  log::info("flow", log::Flow{name()}, "stopped");
}

}  // namespace mirror::flow
