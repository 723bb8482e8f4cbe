#include "mirror/flow/session.h"

#include <algorithm>

#include "mirror/common/log.h"
#include "mirror/flow/describe.h"
#include "mirror/flow/provenance.h"
#include "mirror/kafka/errors.h"
#include "mirror/kafka/security_errors.h"

namespace mirror::flow {
namespace {

using metrics::ErrorKind;

constexpr int kMsgSizeTooLarge = 10;  // RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE
constexpr const char* kFenced =
    "fenced: another instance has claimed partitions of this flow, this session's transaction is "
    "void";

Limits limits_of(const FlowContext& ctx) {
  const Tuning& t = ctx.tuning;
  return {t.max_in_flight_records, ctx.in_flight_bytes_limit(), t.pause_after, 1000};
}

}  // namespace

// The pipeline's sink: the target producer, one producer topic handle per lane.
class Session::ProducerSink final : public Sink {
 public:
  explicit ProducerSink(kafka::TargetProducer& producer) : producer_(producer) {}

  // What the routing says of the clusters' ids (provenance.h).
  void set_provenance(Provenance provenance) { provenance_ = std::move(provenance); }
  const Provenance& provenance() const { return provenance_; }

  Result send(Lane& lane, const kafka::Record& record) override {
    const auto decision = provenance_.decide(kafka::last_header(record, kProvenanceHeader));
    if (decision.loop) return {Outcome::Loop, {}};
    if (lane.sink_topic == nullptr)
      lane.sink_topic = &producer_.topic(lane.route.target_topic, &lane);
    auto& topic = *static_cast<kafka::TargetProducer::Topic*>(lane.sink_topic);
    const kafka::HeaderValue* stamp = decision.stamp ? &*decision.stamp : nullptr;
    Result result = outcome(producer_.send(topic, record, stamp), topic);
    result.added_bytes = decision.added_bytes;
    return result;
  }

  Result send_dead_letter(Lane& lane, const DeadLetter& letter) override {
    if (lane.sink_topic == nullptr)
      lane.sink_topic = &producer_.topic(lane.route.target_topic, &lane);
    auto& topic = *static_cast<kafka::TargetProducer::Topic*>(lane.sink_topic);
    const kafka::Record& r = letter.record;
    const std::vector<std::pair<std::string, std::string>> headers{
        {"mirror.source.topic", std::string(r.topic)},
        {"mirror.source.partition", std::to_string(r.partition)},
        {"mirror.source.offset", std::to_string(r.offset)},
        {"mirror.error", std::string(letter.error)},
    };
    return outcome(producer_.send_copy(topic, r, letter.with_value, headers, letter.tag), topic);
  }

  void release(Lane& lane) override {
    if (lane.sink_topic == nullptr) return;
    producer_.release(*static_cast<kafka::TargetProducer::Topic*>(lane.sink_topic));
    lane.sink_topic = nullptr;
  }

 private:
  Result outcome(const kafka::TargetProducer::SendResult& sent,
                 kafka::TargetProducer::Topic& topic) {
    switch (sent.outcome) {
      case kafka::TargetProducer::Outcome::Sent:
        return {Outcome::Sent, {}};
      case kafka::TargetProducer::Outcome::QueueFull:
        if (producer_.queued() == 0) {
          // Nothing queued and still no room: the record alone exceeds the producer's queue
          // (queue.buffering.max.kbytes set below it); it can never be sent.
          return {
              Outcome::Refused,
              kafka::client_error("larger than the producer's queue (queue.buffering.max.kbytes)",
                                  kMsgSizeTooLarge)};
        }
        return {Outcome::Full, {}};
      case kafka::TargetProducer::Outcome::UnknownPartition:
        // Added on the target (or about to be): the producer learns it from fresh metadata.
        producer_.refresh_metadata(topic);
        return {Outcome::NoPartition, {}};
      case kafka::TargetProducer::Outcome::Refused:
        break;
    }
    return {Outcome::Refused, kafka::client_error(std::string(sent.reason), sent.error)};
  }

  kafka::TargetProducer& producer_;
  Provenance provenance_;
};

Session::Session(const FlowContext& context, metrics::FlowProbe& probe, Control& control,
                 StatusBoard& board, mm2::OffsetSyncStore* offset_syncs,
                 Pipeline::ReplicatedCounts& replicated, const std::atomic<bool>& paused)
    : ctx_(context),
      probe_(probe),
      control_(control),
      board_(board),
      paused_(paused),
      fetch_watch_(context.tuning.stuck_fetch_grace),
      pipeline_(limits_of(context), probe, offset_syncs, &replicated) {
  pipeline_.set_unreplicable(context.spec.unreplicable_records);
}

Session::~Session() {
  finish(false);
}

Status Session::connect() {
  auto properties = ctx_.client(kafka::ClientRole::TargetProducer);
  std::optional<std::string> transactional_id;
  if (ctx_.transactional_id) {
    // One id per session: fencing a failed session's id never reaches the next one
    // (exactly_once.h).
    static std::atomic<uint64_t> sessions{0};
    transactional_id = *ctx_.transactional_id + "-" + std::to_string(++sessions);
    properties.values["transactional.id"] = *transactional_id;
  }
  // A transaction is one producer's: an exactly-once flow writes through one.
  auto producer = kafka::TargetProducer::create(properties, *this,
                                                transactional_id ? 1 : ctx_.spec.target_producers);
  if (!producer.ok()) return producer.error();
  producer_ = std::move(producer.value());
  if (transactional_id) {
    eos_ = std::make_unique<ExactlyOnce>(
        ctx_.spec.name,
        kafka::make_transactional_target(producer_->raw(), properties,
                                         kafka::position_group(ctx_.spec)),
        *transactional_id);
    if (auto st = eos_->init(kafka::deadline_in(ctx_.tuning.metadata_timeout)); !st.ok()) {
      Error e = st.error();
      e.message =
          "target cluster '" + ctx_.target.name + "' (exactly_once_delivery_enabled): " + e.message;
      return e;
    }
    pipeline_.defer_offset_syncs(true);
  }
  sink_ = std::make_unique<ProducerSink>(*producer_);
  auto consumer =
      kafka::SourceConsumer::create(ctx_.client(kafka::ClientRole::SourceConsumer), *this);
  if (!consumer.ok()) return consumer.error();
  consumer_ = std::move(consumer.value());
  return {};
}

Status Session::run(const std::atomic<bool>& stop, const std::atomic<bool>& restart) {
  if (auto st = connect(); !st.ok()) return st;
  log::info("flow", log::Flow{ctx_.spec.name}, "running",
            ctx_.client_rack ? " with client.rack " + *ctx_.client_rack : " without client.rack");
  while (!stop.load() && !restart.load() && !failure_) step(Clock::now());
  const bool graceful = !failure_;
  // A failure is shown as what it makes of the flow (failed or retrying) while the session winds
  // down, not as `stopping`.
  if (failure_) {
    board_.set_state(failure_->retriable ? State::Retrying : State::Failed, failure_->message);
  } else {
    board_.set_state(State::Stopping);
  }
  finish(graceful);
  if (failure_) return *failure_;
  return {};
}

// One turn of the record loop.
void Session::step(Clock::time_point now) {
  // The operator's pause first: the flow shows `paused` only from here on, and no record
  // polled after this point is sent until it is resumed.
  if (const bool paused = paused_.load(); paused != pipeline_.paused()) {
    pipeline_.set_paused(paused);
    log::info("flow", log::Flow{ctx_.spec.name},
              paused ? "paused (fetching stopped; group membership and position kept)" : "resumed");
    publish_status(now);
  }
  follow_routing();
  if (const size_t room = pipeline_.room(); room > 0) {
    const auto wait = pipeline_.in_flight_records() > 0 ? ctx_.tuning.busy_poll_timeout
                                                        : ctx_.tuning.poll_timeout;
    batch_.clear();
    consumer_->poll(wait, room, batch_);
    for (auto& record : batch_) pipeline_.take(std::move(record));
    batch_.clear();
  }
  if (failure_) return;  // a callback ended the session: nothing more is sent
  if (!draining_) {
    if (auto st = pipeline_.pump(*sink_, now); !st.ok()) fail(st.error());
  }
  // Deliveries; while records wait for room, wait for some (returns as soon as they arrive).
  producer_->poll(pipeline_.room() == 0 ? ctx_.tuning.busy_poll_timeout
                                        : std::chrono::milliseconds(0));
  now = Clock::now();
  if (auto changes = pipeline_.take_fetch_changes(now); !changes.empty()) {
    consumer_->pause(changes.pause);
    consumer_->seek(changes.seek);
    consumer_->resume(changes.resume);
  }
  if (pipeline_.take_refresh_request()) control_.wake();
  if (eos_) {
    transact(now);
  } else {
    // The last commit was at next_commit_ - commit_interval.
    const auto early_from =
        next_commit_ - ctx_.tuning.commit_interval + ctx_.tuning.commit_min_interval;
    if (now >= next_commit_ || (now >= early_from && pipeline_.acknowledged_since_commit() >=
                                                         ctx_.tuning.commit_after_records)) {
      commit(now);
    }
  }
  if (now >= next_status_) publish_status(now);
  probe_.publish();  // what this turn's deliveries counted
}

// ---------------------------------------------------------------------------------------------
// Exactly-once (exactly_once.h)

// Every commit interval: stop sending, let the target acknowledge what was sent (the positions
// must cover exactly the transaction's records), then commit on the transaction thread.
void Session::transact(Clock::time_point now) {
  if (eos_->busy()) {
    if (auto result = eos_->take_result()) committed(*result, now);
    return;
  }
  if (now < next_commit_) return;
  draining_ = true;
  if (pipeline_.in_flight_records() > 0) return;
  auto offsets = pipeline_.take_committable();
  if (offsets.empty()) {
    draining_ = false;
    next_commit_ = now + ctx_.tuning.commit_interval;
    return;
  }
  auto positions = positions_of(offsets);
  if (!positions.ok()) return fail(positions.error());
  committing_ = std::move(offsets);
  eos_->start_commit(std::move(positions.value()), kafka::deadline_in(ctx_.tuning.commit_timeout));
}

void Session::committed(const Status& result, Clock::time_point now) {
  draining_ = false;
  next_commit_ = now + ctx_.tuning.commit_interval;
  if (!result.ok()) return transaction_failed(result.error());
  after_commit(committing_);
  committing_.clear();
}

void Session::after_commit(const std::vector<kafka::Offset>& offsets) {
  for (const auto& o : offsets) stored_[{o.topic, o.partition}] = o.offset;
  pipeline_.publish_offset_syncs();
  // The source group follows the positions (its lag, checkpoints of it); it is not read back.
  consumer_->commit_async(offsets);
}

void Session::transaction_failed(const Error& error) {
  Error e = error;
  if (kafka::is_fenced(error.code)) {
    probe_.count(ErrorKind::Fenced);
    e.message = std::string(kFenced) + " (" + error.message + ")";
    e.retriable = true;
  } else {
    probe_.count(ErrorKind::Transaction);
    e.message = "exactly-once: " + error.message;
  }
  log::warn("flow", log::Flow{ctx_.spec.name}, e.message, "; starting a new session");
  fail(e);
}

Result<kafka::Positions> Session::positions_of(const std::vector<kafka::Offset>& offsets) const {
  const std::string& metadata = eos_->transactional_id();
  kafka::Positions out;
  for (const auto& o : offsets) {
    const topics::Route* route = routing_ ? routing_->route(o.topic) : nullptr;
    if (route == nullptr) {
      return make_error("exactly-once: " + o.topic + " is not routed to a target topic");
    }
    out[{route->target_topic, o.partition}] = {o.offset, metadata};
  }
  return out;
}

bool Session::quiesce(kafka::Deadline deadline) {
  if (eos_->busy()) committed(eos_->settle(deadline), Clock::now());
  while (!failure_ && pipeline_.in_flight_records() > 0 && kafka::remaining_ms(deadline) > 0) {
    producer_->poll(ctx_.tuning.busy_poll_timeout);
  }
  if (!failure_ && pipeline_.in_flight_records() > 0) {
    fail(
        make_error("exactly-once: the target did not acknowledge the open transaction's records "
                   "in time"));
  }
  return !failure_;
}

// Before a partition's first record is sent, it is claimed on the target (exactly_once.h): the
// consumer then starts it at the position found there.
std::vector<kafka::Offset> Session::start_offsets(
    const std::vector<kafka::TopicPartition>& partitions) {
  if (!eos_ || failure_ || aborting_ || partitions.empty()) return {};
  if (!quiesce(kafka::deadline_in(ctx_.tuning.flush_timeout))) return {};
  std::vector<Claim> claims;
  for (const auto& tp : partitions) {
    const topics::Route* route = routing_ ? routing_->route(tp.topic) : nullptr;
    if (route == nullptr) {
      fail(make_error("exactly-once: " + tp.topic + " assigned before it is routed"));
      return {};
    }
    claims.push_back({tp, {route->target_topic, tp.partition}});
  }
  const auto offsets = pipeline_.take_committable();
  auto pending = positions_of(offsets);
  if (!pending.ok()) {
    fail(pending.error());
    return {};
  }
  const SourceStart source_start = [this](const std::vector<kafka::TopicPartition>& parts,
                                          kafka::Deadline deadline) {
    return consumer_->start_offsets(parts, deadline);
  };
  auto started = eos_->claim(claims, std::move(pending.value()), source_start,
                             kafka::deadline_in(ctx_.tuning.claim_timeout));
  if (!started.ok()) {
    transaction_failed(started.error());
    return {};
  }
  after_commit(offsets);
  for (const auto& o : started.value()) stored_[{o.topic, o.partition}] = o.offset;
  log::info("flow", log::Flow{ctx_.spec.name}, "claimed ", partitions.size(),
            " partition(s) on the target as '", eos_->transactional_id(), "'");
  return std::move(started.value());
}

// A graceful stop commits what the target acknowledged; after a failure the open transaction is
// aborted (what it wrote stays invisible; the positions on the target say where to resume).
void Session::finish_exactly_once(bool graceful) {
  if (graceful && quiesce(kafka::deadline_in(ctx_.tuning.flush_timeout))) {
    const auto offsets = pipeline_.take_committable();
    auto positions = positions_of(offsets);
    Status st = positions.ok() ? eos_->commit(std::move(positions.value()),
                                              kafka::deadline_in(ctx_.tuning.commit_timeout))
                               : Status(positions.error());
    if (st.ok()) {
      after_commit(offsets);
      return;
    }
    transaction_failed(st.error());
  }
  aborting_ = true;
  if (eos_->busy()) (void)eos_->settle(kafka::deadline_in(ctx_.tuning.abort_timeout));
  producer_->purge();
  producer_->poll(std::chrono::milliseconds(0));
  if (auto st = eos_->abort(kafka::deadline_in(ctx_.tuning.abort_timeout)); !st.ok()) {
    if (kafka::is_fenced(st.error().code)) {
      // Typically a frozen instance coming back: the partitions it lost were claimed meanwhile.
      probe_.count(ErrorKind::Fenced);
      log::warn("flow", log::Flow{ctx_.spec.name}, kFenced, " (", st.error().message, ")");
    } else {
      log::warn("flow", log::Flow{ctx_.spec.name}, "on shutdown: ", st.error().message);
    }
  }
}

// A newer routing snapshot from the control thread: new routes, and the subscription they imply.
void Session::follow_routing() {
  const uint64_t version = control_.routing_version();
  if (routing_ && routing_->version == version) return;
  auto latest = control_.routing();
  if (!latest || (routing_ && latest->version == routing_->version)) return;
  const bool first = !routing_;
  const auto topics = latest->topics();
  const bool resubscribe = first || topics != routing_->topics();
  routing_ = std::move(latest);
  pipeline_.set_routing(*routing_);
  if (Provenance provenance(routing_->source.cluster_id, routing_->target_cluster_id,
                            config::stamps_provenance(ctx_.spec));
      !(provenance == sink_->provenance())) {
    sink_->set_provenance(std::move(provenance));
  }
  if (resubscribe) {
    if (auto st = consumer_->subscribe(topics); !st.ok()) return fail(st.error());
    log::info("flow", log::Flow{ctx_.spec.name}, "replicating ", topics.size(), " topic(s) from '",
              ctx_.source.name, "' to '", ctx_.target.name, "'");
  }
  if (first) {
    probe_.set_up(true);
    board_.set_state(pipeline_.paused() ? State::Paused : State::Running);
  }
}

void Session::commit(Clock::time_point now) {
  next_commit_ = now + ctx_.tuning.commit_interval;
  consumer_->commit_async(pipeline_.take_committable());
}

void Session::publish_status(Clock::time_point now) {
  next_status_ = now + ctx_.tuning.status_interval;
  // The flow's share of the record budget follows the number of flows (a reload; budget.h).
  pipeline_.set_max_in_flight_bytes(ctx_.in_flight_bytes_limit());
  if (!routing_) return;  // starting: the board says so
  FlowStatus status = describe(ctx_, pipeline_, routing_.get(), now);
  probe_.fetch_mode(to_string(status.fetch_mode));
  if (status.fetch_mode == FetchMode::LeaderFallback && !fallback_logged_) {
    fallback_logged_ = true;
    log::warn("flow", log::Flow{ctx_.spec.name}, "source cluster '", ctx_.source.name,
              "' ignores client.rack '", ctx_.client_rack.value_or(""),
              "': partitions with a replica in that rack are read from their leaders (is "
              "replica.selector.class set to RackAwareReplicaSelector on the brokers?)");
  }
  board_.publish(std::move(status));
}

void Session::fail(const Error& error) {
  if (!failure_) failure_ = error;
}

// Graceful: let the target acknowledge what was sent, commit behind it, leave the group. After a
// failure: drop what is queued for the target (it is read again), commit what was acknowledged,
// leave the group, each briefly.
void Session::finish(bool graceful) {
  pipeline_.drop_unsent();  // fetched records go before the consumer does
  if (consumer_ && producer_ && eos_) {
    finish_exactly_once(graceful);
    const auto close_timeout =
        graceful && !aborting_ ? ctx_.tuning.close_timeout : ctx_.tuning.abort_timeout;
    if (auto st = consumer_->close(kafka::deadline_in(close_timeout)); !st.ok()) {
      log::warn("flow", log::Flow{ctx_.spec.name}, st.error().message);
    }
  } else if (consumer_ && producer_) {
    if (graceful) {
      auto st = producer_->flush(kafka::deadline_in(ctx_.tuning.flush_timeout));
      if (!st.ok())
        log::warn("flow", log::Flow{ctx_.spec.name}, "on shutdown: ", st.error().message);
    } else {
      aborting_ = true;
      producer_->purge();
      producer_->poll(std::chrono::milliseconds(0));
    }
    const auto commit_timeout = graceful ? ctx_.tuning.commit_timeout : ctx_.tuning.abort_timeout;
    if (auto st = consumer_->commit(pipeline_.take_committable(nullptr, Pipeline::Scope::All),
                                    kafka::deadline_in(commit_timeout));
        !st.ok()) {
      probe_.count(ErrorKind::Commit);
      log::warn("flow", log::Flow{ctx_.spec.name}, st.error().message);
    }
    const auto close_timeout = graceful ? ctx_.tuning.close_timeout : ctx_.tuning.abort_timeout;
    if (auto st = consumer_->close(kafka::deadline_in(close_timeout)); !st.ok()) {
      log::warn("flow", log::Flow{ctx_.spec.name}, st.error().message);
    }
  }
  consumer_.reset();
  sink_.reset();
  eos_.reset();
  producer_.reset();
  probe_.publish();  // the last deliveries, those of the flush above
  if (routing_) probe_.set_up(false);
}

// ---------------------------------------------------------------------------------------------
// Client events

void Session::on_assigned(const std::vector<kafka::TopicPartition>& partitions) {
  pipeline_.assign(partitions, Clock::now());
  log::info("flow", log::Flow{ctx_.spec.name}, "assigned ", partitions.size(), " partition(s)");
}

void Session::on_revoked(const std::vector<kafka::TopicPartition>& partitions, bool lost) {
  if (eos_) {
    if (lost) {
      // The open transaction may hold records of them, and another member may own them now.
      fail(make_error("exactly-once: " + std::to_string(partitions.size()) +
                      " partition(s) lost; their transaction is void, starting a new session"));
    } else if (!aborting_ && !failure_) {
      release(partitions);
    }
    pipeline_.revoke(partitions);
    log::info("flow", log::Flow{ctx_.spec.name}, lost ? "lost " : "revoked ", partitions.size(),
              " partition(s)");
    return;
  }
  if (!lost && !aborting_ && producer_) {
    // Hand over cleanly: let the target acknowledge what was sent, then commit behind it.
    const auto deadline = kafka::deadline_in(ctx_.tuning.flush_timeout);
    while (pipeline_.in_flight(partitions) > 0 && kafka::remaining_ms(deadline) > 0) {
      producer_->poll(ctx_.tuning.busy_poll_timeout);
    }
    // All of them: a periodic commit of these partitions may still be unanswered, and fail.
    const auto offsets = pipeline_.take_committable(&partitions, Pipeline::Scope::All);
    if (auto st = consumer_->commit(offsets, kafka::deadline_in(ctx_.tuning.commit_timeout));
        !st.ok()) {
      probe_.count(ErrorKind::Commit);
      log::warn("flow", log::Flow{ctx_.spec.name}, "on revocation: ", st.error().message);
    }
  }
  pipeline_.revoke(partitions);
  log::info("flow", log::Flow{ctx_.spec.name}, lost ? "lost " : "revoked ", partitions.size(),
            " partition(s)");
}

// Hands revoked partitions over (exactly_once.h): their records and positions commit now, the
// positions with empty metadata, so the next owner starts there without fencing this session.
void Session::release(const std::vector<kafka::TopicPartition>& partitions) {
  if (!quiesce(kafka::deadline_in(ctx_.tuning.flush_timeout))) return;
  const auto offsets = pipeline_.take_committable();
  auto positions = positions_of(offsets);
  if (!positions.ok()) return fail(positions.error());
  for (const auto& tp : partitions) {
    const topics::Route* route = routing_ ? routing_->route(tp.topic) : nullptr;
    const auto stored = stored_.find(tp);
    if (route == nullptr || stored == stored_.end()) continue;
    auto& position = positions.value()[{route->target_topic, tp.partition}];
    position.offset = std::max(position.offset, stored->second);
    position.metadata.clear();
  }
  if (auto st = eos_->commit(std::move(positions.value()),
                             kafka::deadline_in(ctx_.tuning.commit_timeout));
      !st.ok()) {
    return transaction_failed(st.error());
  }
  after_commit(offsets);
  for (const auto& tp : partitions) stored_.erase(tp);
}

void Session::on_statistics(const kafka::ClientStats& stats) {
  for (const auto& [key, p] : stats.partitions) {
    pipeline_.set_placement(key.first, key.second, {p.fetch_broker, p.leader, p.consumer_lag});
  }
  // Not before the first routing, which brings the brokers' racks: the bytes read so far then
  // count under the broker's zone, not as unknown.
  if (routing_) {
    for (const auto& [id, bytes] : received_.since_last(stats)) {
      probe_.fetched(id, zone_of(ctx_, routing_.get(), id), bytes);
    }
    uint64_t saved = 0;  // read in the node's zone, where the leader is across zones
    for (const auto& [key, bytes] : partition_bytes_.since_last(stats)) {
      const auto& p = stats.partitions.at(key);
      if (bytes > 0 && p.fetch_broker >= 0 && p.fetch_broker != p.leader &&
          zone_of(ctx_, routing_.get(), p.fetch_broker) == "same" &&
          zone_of(ctx_, routing_.get(), p.leader) == "cross") {
        saved += bytes;
      }
    }
    if (saved > 0) probe_.saved_cross_zone(saved);
  }
  if (auto stuck = fetch_watch_.observe(stats, Clock::now()); stuck && !failure_) {
    probe_.count(ErrorKind::StuckFetch);
    fail(make_error(*stuck + ": starting a new consumer"));
  }
}

void Session::on_consumer_error(const kafka::ClientError& error) {
  client_error(error, true);
}

void Session::on_producer_error(const kafka::ClientError& error) {
  client_error(error, false);
}

void Session::client_error(const kafka::ClientError& error, bool source) {
  const char* side = source ? "source" : "target";
  if (error.fatal || !kafka::is_retriable(error.code)) {
    // The client cannot go on (fatal: a new one may), or no retry can cure it (credentials,
    // permissions, TLS).
    probe_.count(ErrorKind::Fatal);
    Error e = kafka::client_error(
        std::string(side) + " client: " + kafka::without_timing_suffix(error.message), error.code);
    if (error.fatal) e.retriable = true;
    fail(e);
    return;
  }
  if (!error.topic.empty()) {
    log::warn("flow", log::Flow{ctx_.spec.name}, "source consumer ", error.topic, "[",
              error.partition, "]: ", error.message);
    probe_.count(ErrorKind::Source);
    return;
  }
  log::warn("flow", log::Flow{ctx_.spec.name}, side, " cluster '",
            source ? ctx_.source.name : ctx_.target.name, "': ", error.message);
  probe_.count(source ? ErrorKind::SourceConnection : ErrorKind::TargetConnection);
}

void Session::on_commit_failed(const std::vector<kafka::Offset>& offsets,
                               const kafka::ClientError& error) {
  log::warn("flow", log::Flow{ctx_.spec.name}, error.message);
  probe_.count(ErrorKind::Commit);
  pipeline_.commit_failed(offsets);
}

void Session::on_delivery(const kafka::Delivery& delivery) {
  if (auto st = pipeline_.delivered(delivery); !st.ok() && !aborting_) fail(st.error());
}

}  // namespace mirror::flow
