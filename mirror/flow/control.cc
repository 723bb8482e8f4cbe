#include "mirror/flow/control.h"

#include <algorithm>

#include "mirror/common/log.h"
#include "mirror/kafka/errors.h"
#include "mirror/topics/naming.h"

namespace mirror::flow {
namespace {

using metrics::ErrorKind;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kTick{200};      // the loop's longest sleep (serves the producer)
constexpr milliseconds kWakeGap{1000};  // topic rounds asked for by wake(), at most this often

}  // namespace

// ---------------------------------------------------------------------------------------------
// ProblemLog

void ProblemLog::report(const std::string& job, const std::vector<metrics::Problem>& problems) {
  auto& open = open_[job];
  std::map<std::string, std::string> now;
  for (const auto& p : problems) {
    probe_.count(p.kind);
    auto before = open.find(p.key);
    if (before == open.end() || before->second != p.message) {
      log::warn(component_, log::Flow{probe_.flow()}, p.message);
    }
    now[p.key] = p.message;
  }
  for (const auto& [key, message] : open) {
    if (now.count(key) == 0)
      log::info(component_, log::Flow{probe_.flow()}, key, ": working again");
  }
  open = std::move(now);
  if (open.empty()) open_.erase(job);
}

void ProblemLog::report(const std::string& job, ErrorKind kind, const Status& status) {
  if (status.ok()) {
    report(job, std::vector<metrics::Problem>{});
  } else {
    report(job, {{kind, job, job + ": " + status.error().message}});
  }
}

size_t ProblemLog::open() const {
  size_t n = 0;
  for (const auto& [job, problems] : open_) n += problems.size();
  return n;
}

// ---------------------------------------------------------------------------------------------
// Control

Control::Control(const FlowContext& context, metrics::FlowProbe& probe,
                 mm2::OffsetSyncStore* offset_syncs)
    : ctx_(context),
      probe_(probe),
      offset_syncs_(offset_syncs),
      problems_("control", probe),
      acl_syncer_(context.spec.name) {
  const auto& spec = ctx_.spec;
  const auto& t = ctx_.tuning;
  connect_job_ = {"connect", t.retry_backoff_max, {}, {}, true};
  topics_job_ = {"topics", seconds(spec.refresh_topics_interval_seconds), {}, {}, true};
  const bool internal = spec.emit_heartbeats_enabled || spec.emit_checkpoints_enabled ||
                        (spec.sync_group_offsets_enabled && offset_syncs != nullptr);
  internal_topics_job_ = {"internal_topics", seconds(60), {}, {}, internal};  // until created
  heartbeat_job_ = {"heartbeat",
                    seconds(spec.emit_heartbeats_interval_seconds),
                    {},
                    {},
                    spec.emit_heartbeats_enabled};
  checkpoint_job_ = {"checkpoint",
                     seconds(spec.emit_checkpoints_interval_seconds),
                     {},
                     {},
                     spec.emit_checkpoints_enabled};
  group_sync_job_ = {"group_sync",
                     seconds(spec.sync_group_offsets_interval_seconds),
                     {},
                     {},
                     spec.sync_group_offsets_enabled};
  acl_job_ = {"acl_sync",
              seconds(spec.sync_topic_acls_interval_seconds),
              {},
              {},
              spec.sync_topic_acls_enabled};
}

Control::~Control() {
  request_stop();
  join();
}

void Control::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void Control::request_stop() {
  stop_.store(true);
  std::lock_guard lock(wait_mutex_);
  wait_cv_.notify_all();
}

void Control::join() {
  if (thread_.joinable()) thread_.join();
}

void Control::wake() {
  woken_.store(true);
  std::lock_guard lock(wait_mutex_);
  wait_cv_.notify_all();
}

std::shared_ptr<const topics::Routing> Control::routing() const {
  std::lock_guard lock(mutex_);
  return routing_;
}

Control::Health Control::health() const {
  std::lock_guard lock(mutex_);
  return health_;
}

AclSyncStatus Control::acl_sync() const {
  std::lock_guard lock(mutex_);
  return acl_status_;
}

void Control::schedule(Job& job, bool ok, Clock::time_point now) {
  const auto& t = ctx_.tuning;
  if (ok) {
    job.backoff = milliseconds(0);
    job.next = now + job.interval;
    return;
  }
  const auto cap = std::max(t.retry_backoff_min, std::min(job.interval, t.retry_backoff_max));
  job.backoff = job.backoff.count() == 0 ? t.retry_backoff_min : std::min(job.backoff * 2, cap);
  job.next = now + job.backoff;
}

Status Control::connect() {
  if (!syncer_) {
    auto syncer = topics::TopicSyncer::make(ctx_.spec, ctx_.source.name, ctx_.target.name);
    if (!syncer.ok()) return syncer.error();
    syncer_.emplace(std::move(syncer.value()));
  }
  if (!duties_ && mm2::Duties::wanted(ctx_.spec)) {
    auto duties = mm2::Duties::make(ctx_.spec, ctx_.source.name, ctx_.target.name, offset_syncs_,
                                    probe_, ctx_.tuning.metadata_timeout);
    if (!duties.ok()) return duties.error();
    duties_ = std::move(duties.value());
  }
  auto producer =
      kafka::TargetProducer::create(ctx_.client(kafka::ClientRole::TargetControl), *this);
  if (!producer.ok()) return producer.error();
  // Its connection errors are the record path's to report; its security errors explain the
  // admin calls that fail (served by the loop's polls and by the admin before it explains).
  // The source side's client is the process's for these properties, shared with the other flows
  // of this source (kafka/shared_clients.h), or one of its own without a registry.
  const auto source_properties = ctx_.client(kafka::ClientRole::SourceControl);
  auto source = ctx_.shared_clients
                    ? ctx_.shared_clients->source_control(ctx_.source.name, source_properties)
                    : kafka::SourceControlClient::create(source_properties);
  if (!source.ok()) return source.error();
  if (duties_ && !duties_->read_back_partitions().empty()) {
    auto reader = kafka::TopicReader::create(ctx_.client(kafka::ClientRole::TargetReader));
    if (!reader.ok()) return reader.error();
    reader_ = std::move(reader.value());
  }
  producer_ = std::move(producer.value());
  source_client_ = std::move(source.value());
  auto admin = [this](rd_kafka_t* rk, const std::string& cluster, kafka::SecurityErrors& security,
                      std::function<void()> serve) {
    return kafka::explain_security_errors(
        ctx_.admin_factory ? ctx_.admin_factory(rk, cluster) : kafka::make_admin(rk), security,
        std::move(serve));
  };
  rd_kafka_t* source_handle = source_client_->handle();
  source_admin_ = admin(source_handle, ctx_.source.name, source_client_->security(),
                        [source_handle] { rd_kafka_poll(source_handle, 0); });
  target_admin_ = admin(producer_->raw(), ctx_.target.name, target_security_,
                        [this] { producer_->poll(milliseconds(0)); });
  return {};
}

void Control::disconnect() {
  source_admin_.reset();
  target_admin_.reset();
  reader_.reset();
  reading_ = false;
  if (producer_ && duties_ && !internal_topics_job_.enabled) {
    // What the flow's last deliveries taught (its partitions were revoked on the way out).
    if (auto st = duties_->write_syncs(*producer_, true); !st.ok()) {
      log::warn("control", log::Flow{ctx_.spec.name}, "on shutdown: ", st.error().message);
    }
  }
  if (producer_) {
    // Heartbeats and checkpoints still queued are best effort: the next start writes them again.
    // Offset syncs too: a sync lost makes translation after a failover more conservative.
    (void)producer_->flush(
        kafka::deadline_in(std::min(ctx_.tuning.metadata_timeout, milliseconds(2000))));
  }
  producer_.reset();
  source_client_.reset();
}

void Control::publish(topics::Routing routing) {
  std::shared_ptr<const topics::Routing> before = this->routing();
  for (const auto& [name, route] : routing.routes) {
    const topics::Route* old = before ? before->route(name) : nullptr;
    if (old == nullptr) {
      log::info("flow", log::Flow{ctx_.spec.name}, name, " -> ", route.target_topic, " (",
                route.source_partitions, " partitions)");
    } else if (old->target_partitions != route.target_partitions) {
      log::info("flow", log::Flow{ctx_.spec.name}, route.target_topic, " has ",
                route.target_partitions, " partitions");
    }
  }
  if (before) {
    for (const auto& [name, route] : before->routes) {
      if (routing.routes.count(name) == 0) {
        log::info("flow", log::Flow{ctx_.spec.name}, name, " no longer replicated");
      }
    }
  }
  routing.version = version_.load() + 1;
  {
    std::lock_guard lock(mutex_);
    routing_ = std::make_shared<const topics::Routing>(std::move(routing));
    health_ = {};
  }
  version_.store(routing_->version, std::memory_order_release);
}

void Control::run_topics() {
  auto round = syncer_->sync(*source_admin_, *target_admin_, ctx_.tuning.metadata_timeout);
  const auto now = Clock::now();
  if (!round.ok()) {
    problems_.report("topics",
                     {{ErrorKind::TopicSync, "topics", "topic refresh: " + round.error().message}});
    std::lock_guard lock(mutex_);
    health_ = {round.error().message, round.error().retriable};
  } else {
    problems_.report("topics", round->problems);
    round->routing.dead_letter_topic = ensure_dead_letter_topic();
    publish(std::move(round->routing));
  }
  // A round with problems (a target topic not created or grown: its partitions wait) is tried
  // again with backoff, not only at the refresh interval: fifty flows starting at once made
  // CreateTopics time out on a one-broker target, and their topics waited 30 s (bench-scale).
  schedule(topics_job_, round.ok() && round->problems.empty(), now);
}

// The dead-letter topic (unreplicable_records: dead_letter), created once when missing: one
// partition (dead letters keep their order), the flow's replication factor. Its name once it
// exists; empty until then (a record that needs it meanwhile stalls its partition), retried each
// topic round.
std::string Control::ensure_dead_letter_topic() {
  if (ctx_.spec.unreplicable_records != config::UnreplicableRecords::DeadLetter) return {};
  std::string name = topics::dead_letter_topic(ctx_.spec, ctx_.source.name);
  if (dead_letter_ready_) return name;
  auto failures = target_admin_->create_topics({{name, 1, ctx_.spec.replication_factor, {}}},
                                               kafka::deadline_in(ctx_.tuning.metadata_timeout));
  Status st;
  if (!failures.ok()) {
    st = failures.error();
  } else if (auto failed = failures->find(name); failed != failures->end()) {
    st = failed->second;
  }
  problems_.report("dead_letter_topic", ErrorKind::DeadLetter,
                   st.ok() ? st
                           : Status(make_error("cannot create dead-letter topic '" + name +
                                               "': " + st.error().message)));
  if (!st.ok()) return {};
  dead_letter_ready_ = true;
  log::info("control", log::Flow{ctx_.spec.name}, "dead-letter topic '", name, "' ready");
  return name;
}

// One topic ACL sync round over the latest routing (none before the first one: the job waits).
// Its problems are the flow's to show (acl_sync()), never a reason to stop replicating.
void Control::run_acls() {
  const auto routing = this->routing();
  if (!routing) return;
  auto round =
      acl_syncer_.sync(*source_admin_, *target_admin_, *routing, ctx_.tuning.metadata_timeout);
  std::string error;
  if (!round.ok()) {
    error = "topic ACL sync: " + round.error().message;
    problems_.report("acl_sync", {{ErrorKind::AclSync, "acl_sync", error}});
  } else {
    problems_.report("acl_sync", round->problems);
    for (const auto& p : round->problems) error += (error.empty() ? "" : "; ") + p.message;
  }
  probe_.topic_acls_synced(acl_syncer_.owned());
  {
    std::lock_guard lock(mutex_);
    acl_status_.acls = acl_syncer_.owned();
    if (round.ok()) ++acl_status_.rounds;
    acl_status_.last_error = error;
  }
  schedule(acl_job_, error.empty(), Clock::now());
}

void Control::run_duty(Job& job) {
  Status st;
  ErrorKind kind = ErrorKind::Heartbeat;
  if (&job == &internal_topics_job_) {
    st = duties_->ensure_topics(*target_admin_);
    kind = ErrorKind::InternalTopics;
    if (st.ok()) job.enabled = false;  // done once
  } else if (&job == &heartbeat_job_) {
    st = duties_->heartbeat(*producer_);
  } else {
    // One translation serves both when both are due.
    const auto now = Clock::now();
    const bool emit = checkpoint_job_.enabled && now >= checkpoint_job_.next;
    const bool sync = group_sync_job_.enabled && now >= group_sync_job_.next;
    mm2::Duties::RoundResult result;
    // Partitions that moved here translate from what their previous owners wrote.
    if (auto read = read_back_to_end(); !read.ok()) {
      result.checkpoints = read;
      result.group_sync = read;
    } else {
      result = duties_->checkpoint_round(emit, sync, *source_admin_, *target_admin_, *producer_);
    }
    if (emit) {
      problems_.report("checkpoint", ErrorKind::Checkpoint, result.checkpoints);
      schedule(checkpoint_job_, result.checkpoints.ok(), Clock::now());
    }
    if (sync) {
      const Status synced = result.checkpoints.ok() ? result.group_sync : result.checkpoints;
      problems_.report("group_sync", ErrorKind::GroupSync, synced);
      schedule(group_sync_job_, synced.ok(), Clock::now());
    }
    return;
  }
  // A queued heartbeat is not a working one: its delivery report says (on_delivery).
  if (&job != &heartbeat_job_ || !st.ok()) problems_.report(job.name, kind, st);
  schedule(job, st.ok(), Clock::now());
}

void Control::run_syncs(Clock::time_point now) {
  if (reader_ && !reading_) {
    auto st = reader_->assign(duties_->read_back_partitions());
    problems_.report("offset_syncs_read", ErrorKind::OffsetSync, st);
    reading_ = st.ok();
  }
  const bool latest = now >= next_latest_;
  if (latest) next_latest_ = now + ctx_.tuning.commit_interval;
  problems_.report("offset_syncs", ErrorKind::OffsetSync, duties_->write_syncs(*producer_, latest));
  if (!reading_) return;
  problems_.report("offset_syncs_read", ErrorKind::OffsetSync, read_back(milliseconds(0)));
}

Status Control::read_back(milliseconds wait) {
  auto read = reader_->poll(wait, 10000, [this](const kafka::TopicReader::Message& m) {
    duties_->read_back(m.topic, m.key, m.value, m.raw);
  });
  return read.ok() ? Status() : Status(read.error());
}

Status Control::read_back_to_end() {
  if (!reader_) return {};
  const char* not_yet = "the offset syncs topic is not read to its end yet";
  if (!reading_) return make_error(not_yet);
  const auto deadline = kafka::deadline_in(ctx_.tuning.metadata_timeout);
  while (!stop_.load()) {
    auto done = reader_->caught_up(deadline);
    if (!done.ok()) return make_error("reading the offset syncs back: " + done.error().message);
    if (*done) return {};
    if (kafka::remaining_ms(deadline) <= 0) break;
    (void)read_back(milliseconds(100));  // read errors: every tick reports them
  }
  return make_error(not_yet);
}

void Control::run() {
  const auto& spec = ctx_.spec;
  log::info("control", log::Flow{spec.name}, "heartbeats ",
            spec.emit_heartbeats_enabled ? "on" : "off", ", checkpoints ",
            spec.emit_checkpoints_enabled ? "on" : "off", ", group offset sync ",
            spec.sync_group_offsets_enabled ? "on" : "off", ", topic ACL sync ",
            spec.sync_topic_acls_enabled ? "on" : "off");
  bool connected = false;
  Clock::time_point last_topics{};
  while (!stop_.load()) {
    auto now = Clock::now();
    if (!connected && now >= connect_job_.next) {
      auto st = connect();
      problems_.report("connect", ErrorKind::Fatal, st);
      if (!st.ok()) {
        std::lock_guard lock(mutex_);
        health_ = {st.error().message, st.error().retriable};
      }
      connected = st.ok();
      schedule(connect_job_, connected, now);
      if (connected) {
        // A checkpoint round waits for a few seconds of replication, as MM2's first one does.
        now = Clock::now();
        checkpoint_job_.next =
            now + std::min<Clock::duration>(checkpoint_job_.interval, seconds(5));
        group_sync_job_.next =
            now + std::min<Clock::duration>(group_sync_job_.interval, seconds(5));
      }
    }
    if (woken_.exchange(false)) {
      topics_job_.next = std::min(topics_job_.next, last_topics + kWakeGap);
    }
    if (connected) {
      if (now >= topics_job_.next) {
        last_topics = now;
        run_topics();
      }
      if (acl_job_.enabled && Clock::now() >= acl_job_.next) run_acls();
      if (duties_) {
        if (internal_topics_job_.enabled && Clock::now() >= internal_topics_job_.next) {
          run_duty(internal_topics_job_);
        }
        if (!internal_topics_job_.enabled) {  // created (or none needed)
          if (heartbeat_job_.enabled && Clock::now() >= heartbeat_job_.next) {
            run_duty(heartbeat_job_);
          }
          run_syncs(Clock::now());
          const auto at = Clock::now();
          if ((checkpoint_job_.enabled && at >= checkpoint_job_.next) ||
              (group_sync_job_.enabled && at >= group_sync_job_.next)) {
            run_duty(checkpoint_job_);
          }
        }
        duties_->update_gauges();
      }
      producer_->poll(milliseconds(0));
      rd_kafka_poll(source_client_->handle(), 0);
    }
    // Until the next job is due, a wake() or a stop.
    auto next = now + kTick;
    if (!connected) next = std::min(next, connect_job_.next);
    std::unique_lock lock(wait_mutex_);
    wait_cv_.wait_until(lock, next, [this] { return stop_.load() || woken_.load(); });
  }
  disconnect();
}

void Control::on_delivery(const kafka::Delivery& delivery) {
  if (!duties_) return;
  if (auto heartbeat = duties_->on_delivery(delivery)) {
    problems_.report("heartbeat", ErrorKind::Heartbeat, *heartbeat);
  }
}

void Control::on_producer_error(const kafka::ClientError& error) {
  // Transient connection trouble is librdkafka's to retry; the jobs report what it breaks, and
  // security errors explain their failures.
  target_security_.note(error);
  log::debug("control", log::Flow{ctx_.spec.name}, "target client: ", error.message);
}

}  // namespace mirror::flow
