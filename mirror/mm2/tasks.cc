#include "mirror/mm2/tasks.h"

#include <algorithm>

#include "mirror/common/log.h"
#include "mirror/kafka/logging.h"
#include "mirror/mm2/records.h"

namespace mirror::mm2 {
namespace {

// Delivery report opaques: what a produced record was.
void* const kHeartbeat = reinterpret_cast<void*>(1);
void* const kCheckpoint = reinterpret_cast<void*>(2);

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<kafka::HandlePtr> client(const config::ClusterSpec& cluster, kafka::Properties extra,
                                void* opaque,
                                void (*dr)(rd_kafka_t*, const rd_kafka_message_t*, void*)) {
  kafka::Properties props(cluster.properties.begin(), cluster.properties.end());
  for (auto& [k, v] : extra) props[k] = v;
  props["bootstrap.servers"] = cluster.bootstrap_servers;
  auto conf = kafka::make_conf(props, cluster.secret_properties);
  if (!conf.ok()) return conf.error();
  rd_kafka_conf_set_opaque(conf->get(), opaque);
  rd_kafka_conf_set_log_cb(conf->get(), &kafka::log_callback);
  if (dr != nullptr) rd_kafka_conf_set_dr_msg_cb(conf->get(), dr);
  return kafka::make_client(kafka::ClientType::Producer, std::move(conf.value()));
}

// The first problem of a round (and how many more), or ok.
Status summarise(const std::vector<std::string>& problems) {
  if (problems.empty()) return {};
  std::string more =
      problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : "";
  return make_error(problems.front() + more);
}

}  // namespace

bool Tasks::wanted(const config::FlowSpec& spec) {
  return spec.emit_heartbeats_enabled || spec.emit_checkpoints_enabled ||
         spec.sync_group_offsets_enabled;
}

Tasks::Tasks(TasksContext context) : ctx_(std::move(context)), flow_(ctx_.spec.name) {
  const prometheus::Labels labels{{"flow", flow_}};
  auto& m = *ctx_.metrics;
  if (ctx_.spec.emit_heartbeats_enabled) heartbeat_age_ = &m.heartbeat_age.Add(labels);
  if (ctx_.spec.emit_checkpoints_enabled) {
    checkpoint_latency_ = &m.checkpoint_latency.Add(labels);
    checkpoint_groups_ = &m.checkpoint_groups.Add(labels);
    checkpoints_ = &m.checkpoints.Add(labels);
  }
  if (ctx_.spec.sync_group_offsets_enabled) groups_synced_ = &m.groups_synced.Add(labels);
}

Tasks::~Tasks() {
  request_stop();
  join();
}

void Tasks::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void Tasks::request_stop() {
  stop_.store(true);
  std::lock_guard lock(mutex_);
  cv_.notify_all();
}

void Tasks::join() {
  if (thread_.joinable()) thread_.join();
}

void Tasks::count_error(const std::string& kind) {
  auto& counter = error_counters_[kind];
  if (counter == nullptr) counter = &ctx_.metrics->errors.Add({{"flow", flow_}, {"kind", kind}});
  counter->Increment();
}

// Logs a problem when it first appears or changes, and its end.
void Tasks::report(const std::string& kind, const Status& st) {
  auto& last = last_problem_[kind];
  if (st.ok()) {
    if (!last.empty()) log::info("mm2", flow_, ": ", kind, " working again");
    last.clear();
    return;
  }
  count_error(kind);
  if (st.error().message != last) log::warn("mm2", flow_, ": ", kind, ": ", st.error().message);
  last = st.error().message;
}

Status Tasks::connect() {
  auto producer = client(ctx_.target,
                         {{"client.id", "mirror-" + flow_ + "-mm2"},
                          {"acks", "all"},
                          {"linger.ms", "10"},
                          {"message.timeout.ms", std::to_string(ctx_.timeout.count())},
                          {"log.connection.close", "false"}},
                         this, &Tasks::delivery_cb);
  if (!producer.ok()) return make_error("target client: " + producer.error().message, 0, false);
  producer_ = std::move(producer.value());
  const bool translate = ctx_.spec.emit_checkpoints_enabled || ctx_.spec.sync_group_offsets_enabled;
  if (translate) {
    auto source =
        client(ctx_.source,
               {{"client.id", "mirror-" + flow_ + "-mm2-admin"}, {"log.connection.close", "false"}},
               this, nullptr);
    if (!source.ok()) return make_error("source client: " + source.error().message, 0, false);
    source_client_ = std::move(source.value());
  }
  auto admin = [this](rd_kafka_t* rk, const std::string& cluster) {
    return ctx_.admin_factory ? ctx_.admin_factory(rk, cluster) : kafka::make_admin(rk);
  };
  target_admin_ = admin(producer_.get(), ctx_.target.name);
  if (source_client_) source_admin_ = admin(source_client_.get(), ctx_.source.name);

  if (translate) {
    auto groups = GroupFilter::make(ctx_.spec.groups, ctx_.spec.groups_exclude, "mirror-" + flow_);
    if (!groups.ok()) return groups.error();
    topics::NamingPolicy naming(ctx_.spec.replication_policy, ctx_.source.name, ctx_.target.name,
                                ctx_.spec.replication_policy_separator);
    checkpointer_.emplace(std::move(naming), std::move(groups.value()), *ctx_.offset_syncs);
  }
  return {};
}

// The target's `heartbeats` and `<source>.checkpoints.internal`, compacted, one partition, as MM2
// creates them (an existing topic is used as it is).
Status Tasks::ensure_topics() {
  if (topics_ready_) return {};
  std::vector<kafka::NewTopic> topics;
  const std::map<std::string, std::string> compact{{"cleanup.policy", "compact"}};
  if (ctx_.spec.emit_heartbeats_enabled) {
    topics.push_back({kHeartbeatsTopic, 1, ctx_.spec.replication_factor, compact});
  }
  if (ctx_.spec.emit_checkpoints_enabled) {
    topics.push_back(
        {checkpoints_topic(ctx_.source.name), 1, ctx_.spec.replication_factor, compact});
  }
  auto failures = target_admin_->create_topics(topics, kafka::deadline_in(ctx_.timeout));
  if (!failures.ok()) return failures.error();
  if (!failures->empty()) {
    const auto& [name, error] = *failures->begin();
    return make_error("cannot create '" + name + "' on '" + ctx_.target.name +
                      "': " + error.message);
  }
  topics_ready_ = true;
  return {};
}

Status Tasks::produce(const std::string& topic, const EncodedRecord& record, void* kind) {
  const auto err = rd_kafka_producev(
      producer_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_KEY(record.key.data(), record.key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(record.value.data()), record.value.size()),
      RD_KAFKA_V_OPAQUE(kind), RD_KAFKA_V_END);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  return make_error("produce to " + topic + ": " + rd_kafka_err2str(err), err);
}

void Tasks::heartbeat() {
  report("heartbeat",
         produce(kHeartbeatsTopic, encode(Heartbeat{ctx_.source.name, ctx_.target.name, wall_ms()}),
                 kHeartbeat));
}

void Tasks::checkpoint_round(bool emit, bool sync_groups) {
  const auto started = Clock::now();
  const auto deadline = kafka::deadline_in(ctx_.timeout);
  auto round = checkpointer_->translate(*source_admin_, deadline);
  if (!round.ok()) {
    report("checkpoint", round.error());
    return;
  }
  // Only what changed since it was last acknowledged: the topic is compacted, the latest per
  // (group, partition) is what counts.
  std::vector<Checkpoint> changed;
  for (const auto& g : emit ? round->groups : std::vector<GroupTranslation>{}) {
    for (const auto& c : g.checkpoints) {
      auto it = emitted_.find({c.group, {c.topic, c.partition}});
      if (it == emitted_.end() || !(it->second == c)) changed.push_back(c);
    }
  }
  const std::string topic = checkpoints_topic(ctx_.source.name);
  checkpoints_acked_ = 0;
  checkpoints_failed_ = 0;
  Status produced;
  for (const auto& c : changed) {
    produced = produce(topic, encode(c), kCheckpoint);
    if (!produced.ok()) break;
  }
  auto flushed = kafka::flush(producer_.get(), deadline);
  if (produced.ok() && !flushed.ok()) produced = flushed;
  if (produced.ok() && checkpoints_failed_ > 0) {
    produced = make_error(std::to_string(checkpoints_failed_) +
                          " checkpoint(s) not acknowledged by '" + ctx_.target.name + "'");
  }
  if (produced.ok()) {
    for (const auto& c : changed) emitted_[{c.group, {c.topic, c.partition}}] = c;
    if (emit)
      checkpoint_latency_->Set(std::chrono::duration<double>(Clock::now() - started).count());
  }
  if (emit) {
    checkpoints_->Increment(static_cast<double>(checkpoints_acked_));
    checkpoint_groups_->Set(static_cast<double>(round->groups.size()));
  }
  report("checkpoint", produced.ok() ? summarise(round->problems) : produced);

  if (!sync_groups || !produced.ok()) return;
  auto synced =
      checkpointer_->sync(*target_admin_, round->groups, kafka::deadline_in(ctx_.timeout));
  groups_synced_->Set(synced.in_sync);
  report("group_sync", summarise(synced.problems));
}

void Tasks::on_delivery(const rd_kafka_message_t* msg) {
  const bool ok = msg->err == RD_KAFKA_RESP_ERR_NO_ERROR;
  if (msg->_private == kHeartbeat) {
    if (ok) {
      heartbeat_acked_ = Clock::now();
      report("heartbeat", {});
    } else {
      report("heartbeat",
             make_error(std::string("not acknowledged: ") + rd_kafka_err2str(msg->err), msg->err));
    }
  } else if (msg->_private == kCheckpoint) {
    ++(ok ? checkpoints_acked_ : checkpoints_failed_);
  }
}

void Tasks::delivery_cb(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  try {
    static_cast<Tasks*>(opaque)->on_delivery(msg);
  } catch (...) {
  }
}

void Tasks::run() {
  started_ = Clock::now();
  if (auto st = connect(); !st.ok()) {
    count_error("checkpoint");
    log::error("mm2", flow_, ": cannot start heartbeats/checkpoints: ", st.error().message);
    return;
  }
  const auto& spec = ctx_.spec;
  const auto heartbeat_every = std::chrono::seconds(spec.emit_heartbeats_interval_seconds);
  const auto checkpoint_every = std::chrono::seconds(spec.emit_checkpoints_interval_seconds);
  const auto sync_every = std::chrono::seconds(spec.sync_group_offsets_interval_seconds);
  auto now = Clock::now();
  auto next_heartbeat = now;
  auto next_checkpoint = now + std::min<Clock::duration>(checkpoint_every, std::chrono::seconds(5));
  auto next_sync = now + std::min<Clock::duration>(sync_every, std::chrono::seconds(5));
  log::info("mm2", flow_, ": heartbeats ", spec.emit_heartbeats_enabled ? "on" : "off",
            ", checkpoints ", spec.emit_checkpoints_enabled ? "on" : "off", ", group offset sync ",
            spec.sync_group_offsets_enabled ? "on" : "off");

  while (!stop_.load()) {
    now = Clock::now();
    auto ready = ensure_topics();
    report("internal_topics", ready);
    if (ready.ok()) {
      if (spec.emit_heartbeats_enabled && now >= next_heartbeat) {
        next_heartbeat = now + heartbeat_every;
        heartbeat();
      }
      // One translation serves both: checkpoints when they are due, the group commit when it is.
      const bool sync = spec.sync_group_offsets_enabled && now >= next_sync;
      const bool emit = spec.emit_checkpoints_enabled && now >= next_checkpoint;
      if (emit || sync) {
        if (emit) next_checkpoint = now + checkpoint_every;
        if (sync) next_sync = now + sync_every;
        checkpoint_round(emit, sync);
      }
    }
    rd_kafka_poll(producer_.get(), 0);
    if (heartbeat_age_ != nullptr) {
      const auto since = heartbeat_acked_.value_or(started_);
      heartbeat_age_->Set(std::chrono::duration<double>(Clock::now() - since).count());
    }
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stop_.load(); });
  }
  // Heartbeats and checkpoints still queued are best effort: the next start writes them again.
  (void)kafka::flush(producer_.get(),
                     kafka::deadline_in(std::min(ctx_.timeout, std::chrono::milliseconds(2000))));
  target_admin_.reset();
  source_admin_.reset();
}

}  // namespace mirror::mm2
