#include "mirror/flow/session.h"

#include <algorithm>
#include <cinttypes>
#include <thread>

#include "mirror/common/log.h"
#include "mirror/flow/fetch_mode.h"
#include "mirror/kafka/logging.h"
#include "mirror/kafka/stats.h"

namespace mirror::flow {
namespace {

constexpr size_t kBatch = 1000;

// Bytes of one record as counted for in-flight limits and bytes_replicated_total.
size_t record_size(const rd_kafka_message_t* msg) {
  size_t size = msg->len + msg->key_len;
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(msg, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t value_size = 0;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &value_size) ==
                       RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      size += std::char_traits<char>::length(name) + value_size;
    }
  }
  return size;
}

kafka::Properties merge(std::initializer_list<const kafka::Properties*> layers) {
  kafka::Properties out;
  for (const auto* layer : layers) {
    for (const auto& [k, v] : *layer) out[k] = v;
  }
  return out;
}

std::string tp_name(const std::string& topic, int32_t partition) {
  return topic + "[" + std::to_string(partition) + "]";
}

}  // namespace

Session::PartitionState& Session::Route::partition(int32_t p) {
  if (p < 0) p = 0;
  if (static_cast<size_t>(p) >= partitions.size()) partitions.resize(static_cast<size_t>(p) + 1);
  if (!partitions[static_cast<size_t>(p)])
    partitions[static_cast<size_t>(p)] = std::make_unique<PartitionState>();
  return *partitions[static_cast<size_t>(p)];
}

Session::Session(const FlowContext& context, StatusBoard& board, mm2::OffsetSyncStore* offset_syncs)
    : ctx_(context),
      board_(board),
      metrics_(*context.metrics),
      flow_(context.spec.name),
      naming_(context.spec.replication_policy, context.source.name, context.target.name,
              context.spec.replication_policy_separator),
      offset_syncs_(offset_syncs) {}

Session::~Session() {
  shutdown(false);
}

// ---------------------------------------------------------------------------------------------
// Set-up

Status Session::connect() {
  auto filter = topics::TopicFilter::make(ctx_.spec.topics, ctx_.spec.topics_exclude);
  if (!filter.ok()) return filter.error();
  filter_ = std::move(filter.value());
  if (ctx_.spec.sync_topic_configs_enabled) {
    auto policy = topics::ConfigSyncPolicy::make(ctx_.spec.config_properties_exclude);
    if (!policy.ok()) return policy.error();
    config_sync_ = std::move(policy.value());
  }

  std::set<std::string> producer_secrets = ctx_.target.secret_properties;
  producer_secrets.insert(ctx_.spec.secret_properties.begin(), ctx_.spec.secret_properties.end());
  const kafka::Properties producer_defaults{
      {"client.id", "mirror-" + flow_ + "-producer"},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "5"},
      {"batch.size", "1000000"},
      {"queue.buffering.max.kbytes", "65536"},
      {"message.timeout.ms", "300000"},
      {"log.connection.close", "false"},
  };
  const kafka::Properties producer_enforced{{"bootstrap.servers", ctx_.target.bootstrap_servers}};
  auto pconf = kafka::make_conf(
      merge({&ctx_.target.properties, &producer_defaults, &ctx_.spec.producer, &producer_enforced}),
      producer_secrets);
  if (!pconf.ok()) return make_error("target producer: " + pconf.error().message, 0, false);
  rd_kafka_conf_set_opaque(pconf->get(), this);
  rd_kafka_conf_set_dr_msg_cb(pconf->get(), &Session::delivery_cb);
  rd_kafka_conf_set_error_cb(pconf->get(), &Session::error_cb);
  rd_kafka_conf_set_log_cb(pconf->get(), &kafka::log_callback);
  auto producer = kafka::make_client(kafka::ClientType::Producer, std::move(pconf.value()));
  if (!producer.ok()) return make_error("target producer: " + producer.error().message, 0, false);
  producer_ = std::move(producer.value());

  std::set<std::string> consumer_secrets = ctx_.source.secret_properties;
  consumer_secrets.insert(ctx_.spec.secret_properties.begin(), ctx_.spec.secret_properties.end());
  const kafka::Properties consumer_defaults{
      {"client.id", "mirror-" + flow_ + "-consumer"},
      {"auto.offset.reset", "earliest"},
      {"partition.assignment.strategy", "cooperative-sticky"},
      // A killed instance's partitions move on (or come back to its restart) within ~10 s, not
      // librdkafka's 45 s; heartbeats come from librdkafka's own thread, not from our polls.
      {"session.timeout.ms", "10000"},
      {"queued.max.messages.kbytes", "32768"},
      // When that prefetch queue is full, librdkafka waits this long before fetching the partition
      // again (default 1000 ms): at full speed the 32 MiB queue drains in well under a second, so
      // the default left fetching idle most of the time (docs/benchmarks.md: 2.6 times the
      // throughput).
      {"fetch.queue.backoff.ms", "10"},
      // Partitions added on the source are seen (and replicated) at the topic refresh interval.
      {"topic.metadata.refresh.interval.ms",
       std::to_string(std::max(1000, ctx_.spec.refresh_topics_interval_seconds * 1000))},
      {"enable.partition.eof", "false"},
      {"log.connection.close", "false"},
  };
  kafka::Properties consumer_enforced{
      {"bootstrap.servers", ctx_.source.bootstrap_servers},
      {"group.id", "mirror-" + flow_},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"statistics.interval.ms", std::to_string(ctx_.tuning.stats_interval.count())},
  };
  if (ctx_.client_rack) consumer_enforced["client.rack"] = *ctx_.client_rack;
  auto cconf = kafka::make_conf(
      merge({&ctx_.source.properties, &consumer_defaults, &ctx_.spec.consumer, &consumer_enforced}),
      consumer_secrets);
  if (!cconf.ok()) return make_error("source consumer: " + cconf.error().message, 0, false);
  rd_kafka_conf_set_opaque(cconf->get(), this);
  rd_kafka_conf_set_rebalance_cb(cconf->get(), &Session::rebalance_cb);
  rd_kafka_conf_set_stats_cb(cconf->get(), &Session::stats_cb);
  rd_kafka_conf_set_error_cb(cconf->get(), &Session::error_cb);
  rd_kafka_conf_set_offset_commit_cb(cconf->get(), &Session::commit_cb);
  rd_kafka_conf_set_log_cb(cconf->get(), &kafka::log_callback);
  auto consumer = kafka::make_client(kafka::ClientType::Consumer, std::move(cconf.value()));
  if (!consumer.ok()) return make_error("source consumer: " + consumer.error().message, 0, false);
  consumer_ = std::move(consumer.value());
  rd_kafka_poll_set_consumer(consumer_.get());
  consumer_queue_.reset(rd_kafka_queue_get_consumer(consumer_.get()));

  if (ctx_.admin_factory) {
    source_admin_ = ctx_.admin_factory(consumer_.get(), ctx_.source.name);
    target_admin_ = ctx_.admin_factory(producer_.get(), ctx_.target.name);
  } else {
    source_admin_ = kafka::make_admin(consumer_.get());
    target_admin_ = kafka::make_admin(producer_.get());
  }
  latency_ =
      &metrics_.replication_latency.Add({{"flow", flow_}}, metrics::Metrics::latency_buckets());
  auto st = refresh_topics();
  if (!st.ok()) return st;
  const auto now = Clock::now();
  next_refresh_ = now + std::chrono::seconds(ctx_.spec.refresh_topics_interval_seconds);
  next_commit_ = now + ctx_.tuning.commit_interval;
  next_status_ = now;
  return {};
}

// ---------------------------------------------------------------------------------------------
// Topics

Status Session::refresh_topics() {
  const auto deadline = kafka::deadline_in(ctx_.tuning.metadata_timeout);
  auto info = kafka::read_metadata(consumer_.get(), deadline);
  if (!info.ok())
    return make_error("source cluster '" + ctx_.source.name + "': " + info.error().message);
  auto racks = source_admin_->broker_racks(deadline);
  if (racks.ok()) {
    for (const auto& [id, rack] : *racks) {
      info->brokers[id].id = id;
      info->brokers[id].rack = rack;
    }
  } else {
    // Without racks the flow still replicates; it cannot tell same-zone from cross-zone reads.
    for (auto& [id, broker] : info->brokers) broker.rack = source_info_.rack_of(id);
    count_error("describe_cluster");
    if (!racks_warned_) {
      racks_warned_ = true;
      log::warn("flow", flow_, ": cannot read broker racks of '", ctx_.source.name,
                "': ", racks.error().message);
    }
  }
  source_info_ = std::move(info.value());

  std::vector<const kafka::TopicInfo*> selected;
  std::vector<const kafka::TopicInfo*> to_prepare;
  for (const auto& [name, topic] : source_info_.topics) {
    if (topic.partitions.empty() || !topics::should_replicate(name, *filter_, naming_)) continue;
    selected.push_back(&topic);
    auto it = routes_.find(name);
    if (it == routes_.end() ||
        it->second->target_partitions < static_cast<int>(topic.partitions.size())) {
      to_prepare.push_back(&topic);
    }
  }
  const auto source_configs = read_source_configs(selected);
  Status prepared;
  if (!to_prepare.empty()) prepared = ensure_target_topics(to_prepare, source_configs);
  if (!source_configs.empty()) sync_topic_configs(source_configs);

  std::vector<std::string> subscription;
  for (const auto* topic : selected) {
    if (routes_.count(topic->name) != 0) subscription.push_back(topic->name);
  }
  if (subscription != subscribed_) {
    if (subscription.empty()) {
      rd_kafka_unsubscribe(consumer_.get());
    } else {
      kafka::PartitionListPtr list(
          rd_kafka_topic_partition_list_new(static_cast<int>(subscription.size())));
      for (const auto& t : subscription)
        rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
      const auto err = rd_kafka_subscribe(consumer_.get(), list.get());
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return make_error(std::string("subscribe: ") + rd_kafka_err2str(err), err);
      }
    }
    route_by_source_rkt_.clear();  // consumer topic handles of dropped topics may be reused
    log::info("flow", flow_, ": replicating ", subscription.size(), " topic(s) from '",
              ctx_.source.name, "' to '", ctx_.target.name, "'");
    subscribed_ = std::move(subscription);
  }
  return prepared;
}

std::map<std::string, kafka::TopicConfigs> Session::read_source_configs(
    const std::vector<const kafka::TopicInfo*>& topics) {
  if (!config_sync_ || topics.empty()) return {};
  std::vector<std::string> names;
  for (const auto* t : topics) names.push_back(t->name);
  auto configs = source_admin_->describe_topic_configs(
      names, kafka::deadline_in(ctx_.tuning.metadata_timeout));
  if (!configs.ok()) {
    config_sync_problem("cannot read topic configs of '" + ctx_.source.name +
                        "': " + configs.error().message);
    return {};
  }
  return std::move(configs.value());
}

// Counted every time, logged once per session and problem (it recurs at every topic refresh).
void Session::config_sync_problem(const std::string& message) {
  count_error("topic_config_sync");
  if (config_sync_logged_.insert(message).second) log::warn("flow", flow_, ": ", message);
}

// Brings the configs of existing target topics in line with their source topics (only configs the
// policy copies; nothing is removed from the target).
void Session::sync_topic_configs(const std::map<std::string, kafka::TopicConfigs>& source_configs) {
  std::vector<std::string> targets;
  std::map<std::string, const kafka::TopicConfigs*> source_of;  // by target topic
  for (const auto& [topic, configs] : source_configs) {
    auto r = routes_.find(topic);
    if (r == routes_.end()) continue;
    targets.push_back(r->second->target_topic);
    source_of[r->second->target_topic] = &configs;
  }
  if (targets.empty()) return;
  const auto deadline = kafka::deadline_in(ctx_.tuning.metadata_timeout);
  auto current = target_admin_->describe_topic_configs(targets, deadline);
  if (!current.ok()) {
    config_sync_problem("cannot read topic configs of '" + ctx_.target.name +
                        "': " + current.error().message);
    return;
  }
  for (const auto& [target, source] : source_of) {
    auto found = current->find(target);
    if (found == current->end()) continue;  // described next time
    auto changes = config_sync_->changes(*source, found->second);
    if (changes.empty()) continue;
    auto st = target_admin_->alter_topic_configs(target, changes, deadline);
    if (!st.ok() && changes.size() > 1) {
      // One config the target rejects (an unknown name, a broker-side limit) must not hold back
      // the others: set them one by one.
      for (const auto& [name, value] : changes) {
        auto one = target_admin_->alter_topic_configs(target, {{name, value}}, deadline);
        if (!one.ok()) config_sync_problem("target topic '" + target + "': " + one.error().message);
      }
      continue;
    }
    if (!st.ok()) {
      config_sync_problem("target topic '" + target + "': " + st.error().message);
      continue;
    }
    std::string names;
    for (const auto& [name, value] : changes) names += (names.empty() ? "" : ", ") + name;
    log::info("flow", flow_, ": target topic '", target, "': configs synced (", names, ")");
  }
}

Status Session::ensure_target_topics(
    const std::vector<const kafka::TopicInfo*>& topics,
    const std::map<std::string, kafka::TopicConfigs>& source_configs) {
  auto target =
      kafka::read_metadata(producer_.get(), kafka::deadline_in(ctx_.tuning.metadata_timeout));
  if (!target.ok())
    return make_error("target cluster '" + ctx_.target.name + "': " + target.error().message);

  std::vector<kafka::NewTopic> create;
  std::map<std::string, std::string> grow_failures;
  for (const auto* topic : topics) {
    const std::string name = naming_.target_topic(topic->name);
    const int partitions = static_cast<int>(topic->partitions.size());
    auto it = target->topics.find(name);
    if (it == target->topics.end()) {
      std::map<std::string, std::string> configs;
      auto sc = source_configs.find(topic->name);
      if (config_sync_ && sc != source_configs.end()) configs = config_sync_->wanted(sc->second);
      create.push_back({name, partitions, ctx_.spec.replication_factor, std::move(configs)});
    } else if (static_cast<int>(it->second.partitions.size()) < partitions) {
      auto st = target_admin_->create_partitions(name, partitions,
                                                 kafka::deadline_in(ctx_.tuning.metadata_timeout));
      if (!st.ok()) grow_failures[topic->name] = st.error().message;
    }
  }
  auto failures =
      target_admin_->create_topics(create, kafka::deadline_in(ctx_.tuning.metadata_timeout));
  if (!failures.ok())
    return make_error("target cluster '" + ctx_.target.name + "': " + failures.error().message);
  // A copied config the target refuses must not keep the topic from being created: create it
  // plainly; the config sync then sets what the target accepts, one by one.
  std::vector<kafka::NewTopic> plain;
  for (auto& t : create) {
    if (failures->count(t.name) != 0 && !t.configs.empty()) {
      log::warn("flow", flow_, ": creating '", t.name, "' with the source's configs failed (",
                failures->at(t.name).message, "); creating it without them");
      t.configs.clear();
      plain.push_back(t);
    }
  }
  if (!plain.empty()) {
    auto again =
        target_admin_->create_topics(plain, kafka::deadline_in(ctx_.tuning.metadata_timeout));
    if (!again.ok())
      return make_error("target cluster '" + ctx_.target.name + "': " + again.error().message);
    for (const auto& t : plain) {
      if (again->count(t.name) == 0)
        failures->erase(t.name);
      else
        (*failures)[t.name] = again->at(t.name);
    }
  }

  std::string first_problem;
  for (const auto* topic : topics) {
    const std::string name = naming_.target_topic(topic->name);
    auto failed = failures->find(name);
    auto grow_failed = grow_failures.find(topic->name);
    if (failed != failures->end() || grow_failed != grow_failures.end()) {
      const std::string why =
          failed != failures->end() ? failed->second.message : grow_failed->second;
      log::warn("flow", flow_, ": cannot prepare target topic '", name, "': ", why);
      count_error("topic_sync");
      if (first_problem.empty()) first_problem = "target topic '" + name + "': " + why;
      continue;
    }
    auto& route = routes_[topic->name];
    if (!route) {
      route = std::make_unique<Route>();
      route->source_topic = topic->name;
      route->target_topic = name;
      kafka::TopicConfPtr tconf(rd_kafka_topic_conf_new());
      rd_kafka_topic_conf_set_opaque(tconf.get(), route.get());
      route->target.reset(rd_kafka_topic_new(producer_.get(), name.c_str(), tconf.release()));
      route->records = &metrics_.records_replicated.Add({{"flow", flow_}, {"topic", topic->name}});
      route->bytes = &metrics_.bytes_replicated.Add({{"flow", flow_}, {"topic", topic->name}});
      log::info("flow", flow_, ": ", topic->name, " -> ", name, " (", topic->partitions.size(),
                " partitions)");
    }
    route->partition(static_cast<int32_t>(topic->partitions.size()) - 1);  // size the table
    route->target_partitions = static_cast<int>(topic->partitions.size());
  }
  if (!first_problem.empty()) return make_error(first_problem);
  return {};
}

// Reads the target topic's metadata into the producer until it has `partition` (or the deadline).
Status Session::await_target_partition(Route& route, int32_t partition) {
  const auto deadline = kafka::deadline_in(ctx_.tuning.metadata_timeout);
  while (true) {
    const rd_kafka_metadata_t* raw = nullptr;
    const auto err = rd_kafka_metadata(producer_.get(), 0, route.target.get(), &raw,
                                       std::max(1, kafka::remaining_ms(deadline)));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      kafka::MetadataPtr md(raw);
      if (md->topic_cnt == 1 && md->topics[0].partition_cnt > partition) return {};
    }
    if (kafka::remaining_ms(deadline) == 0 || (stop_ != nullptr && stop_->load())) {
      return make_error("target topic '" + route.target_topic + "' has no partition " +
                        std::to_string(partition));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Session::Route* Session::route_for(rd_kafka_topic_t* rkt) {
  auto it = route_by_source_rkt_.find(rkt);
  if (it != route_by_source_rkt_.end()) return it->second;
  auto r = routes_.find(rd_kafka_topic_name(rkt));
  if (r == routes_.end()) return nullptr;
  route_by_source_rkt_.emplace(rkt, r->second.get());
  return r->second.get();
}

// ---------------------------------------------------------------------------------------------
// The record path

Status Session::produce(rd_kafka_message_t* msg) {
  Route* route = route_for(msg->rkt);
  if (route == nullptr) {
    // Not a topic this session routes (cannot normally happen). Not committed, so not lost.
    log::warn("flow", flow_, ": record from unrouted topic ", rd_kafka_topic_name(msg->rkt),
              " skipped");
    return {};
  }
  rd_kafka_headers_t* headers = nullptr;
  rd_kafka_headers_t* headers_copy = nullptr;
  if (rd_kafka_message_headers(msg, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
    headers_copy = rd_kafka_headers_copy(headers);
  }
  rd_kafka_timestamp_type_t ts_type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  int64_t ts = rd_kafka_message_timestamp(msg, &ts_type);
  if (ts < 0) ts = 0;  // 0: the producer stamps the current time
  const size_t size = record_size(msg);

  bool refreshed = false;
  while (true) {
    const auto err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_RKT(route->target.get()), RD_KAFKA_V_PARTITION(msg->partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE(msg->payload, msg->len),
        RD_KAFKA_V_KEY(msg->key, msg->key_len), RD_KAFKA_V_TIMESTAMP(ts),
        RD_KAFKA_V_HEADERS(headers_copy),
        RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<intptr_t>(msg->offset))),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer_.get(), 50);  // serve delivery reports, then retry
      if (fatal_ || (stop_ != nullptr && stop_->load())) {
        // Not sent, not tracked, so never committed: read again by the next session.
        if (headers_copy != nullptr) rd_kafka_headers_destroy(headers_copy);
        return fatal_ ? Status(*fatal_) : Status();
      }
      continue;
    }
    if (err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION && !refreshed) {
      // A partition just added on the source: grow the target topic (if the topic refresh has not
      // yet) and wait until the producer's metadata has the partition.
      refreshed = true;
      if (route->target_partitions <= msg->partition) {
        if (auto st = refresh_topics(); !st.ok())
          log::warn("flow", flow_, ": topic refresh: ", st.error().message);
      }
      if (await_target_partition(*route, msg->partition).ok()) continue;
    }
    if (headers_copy != nullptr) rd_kafka_headers_destroy(headers_copy);
    count_error("produce");
    return make_error(
        "produce to " + tp_name(route->target_topic, msg->partition) + ": " + rd_kafka_err2str(err),
        err);
  }
  route->partition(msg->partition).tracker.sent(msg->offset);
  ++in_flight_records_;
  in_flight_bytes_ += size;
  return {};
}

void Session::on_delivery(const rd_kafka_message_t* msg) {
  auto* route = static_cast<Route*>(rd_kafka_topic_opaque(msg->rkt));
  const auto offset = static_cast<int64_t>(reinterpret_cast<intptr_t>(msg->_private));
  const size_t size = record_size(msg);
  in_flight_records_ -= std::min<size_t>(in_flight_records_, 1);
  in_flight_bytes_ -= std::min(in_flight_bytes_, size);
  if (route == nullptr) return;
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    count_error("delivery");
    if (!fatal_) {
      fatal_ = make_error("delivery to " + tp_name(route->target_topic, msg->partition) +
                              " failed: " + rd_kafka_err2str(msg->err),
                          msg->err);
    }
    return;
  }
  auto& ps = route->partition(msg->partition);
  ps.tracker.acked(offset);
  if (ps.syncs != nullptr && msg->offset >= 0) ps.syncs->record(offset, msg->offset);
  ++ps.replicated;
  route->records->Increment();
  route->bytes->Increment(static_cast<double>(size));
  const int64_t ts = rd_kafka_message_timestamp(msg, nullptr);
  if (ts > 0) {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    latency_->Observe(static_cast<double>(std::max<int64_t>(0, now_ms - ts)) / 1000.0);
  }
}

void Session::handle_consumer_error(const rd_kafka_message_t* msg) {
  if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
  const std::string where =
      msg->rkt != nullptr ? tp_name(rd_kafka_topic_name(msg->rkt), msg->partition) : "";
  log::warn("flow", flow_, ": source consumer ", where, (where.empty() ? "" : ": "),
            rd_kafka_err2str(msg->err));
  count_error("source");
}

// ---------------------------------------------------------------------------------------------
// Offsets

kafka::PartitionListPtr Session::take_committable(const rd_kafka_topic_partition_list_t* only) {
  kafka::PartitionListPtr list(rd_kafka_topic_partition_list_new(16));
  auto add = [&](const std::string& topic, int32_t p) {
    auto r = routes_.find(topic);
    if (r == routes_.end() || static_cast<size_t>(p) >= r->second->partitions.size()) return;
    auto& ps = r->second->partitions[static_cast<size_t>(p)];
    if (!ps) return;
    const int64_t next = ps->tracker.committable();
    if (next < 0 || next <= ps->last_committed) return;
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = next;
    ps->last_committed = next;
  };
  if (only != nullptr) {
    for (int i = 0; i < only->cnt; ++i) add(only->elems[i].topic, only->elems[i].partition);
  } else {
    for (auto& [topic, route] : routes_) {
      for (size_t p = 0; p < route->partitions.size(); ++p) {
        if (route->partitions[p] && route->partitions[p]->assigned)
          add(topic, static_cast<int32_t>(p));
      }
    }
  }
  return list;
}

void Session::forget_committed(const rd_kafka_topic_partition_list_t* offsets, bool failed_only) {
  for (int i = 0; offsets != nullptr && i < offsets->cnt; ++i) {
    if (failed_only && offsets->elems[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    auto r = routes_.find(offsets->elems[i].topic);
    if (r != routes_.end()) r->second->partition(offsets->elems[i].partition).last_committed = -1;
  }
}

void Session::commit_async() {
  next_commit_ = Clock::now() + ctx_.tuning.commit_interval;
  auto list = take_committable(nullptr);
  if (list->cnt == 0) return;
  const auto err = rd_kafka_commit(consumer_.get(), list.get(), /*async=*/1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log::warn("flow", flow_, ": commit: ", rd_kafka_err2str(err));
    count_error("commit");
    forget_committed(list.get(), /*failed_only=*/false);
  }
}

Status Session::commit_sync(const rd_kafka_topic_partition_list_t* partitions) {
  auto list = take_committable(partitions);
  if (list->cnt == 0) return {};
  auto st = kafka::commit_offsets(consumer_.get(), list.get(),
                                  kafka::deadline_in(ctx_.tuning.commit_timeout));
  if (!st.ok()) {
    count_error("commit");
    log::warn("flow", flow_, ": ", st.error().message);
    forget_committed(list.get(), /*failed_only=*/false);  // committed again next time
  }
  return st;
}

void Session::commit_cb(rd_kafka_t*, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* offsets, void* opaque) {
  auto* self = static_cast<Session*>(opaque);
  try {
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
    log::warn("flow", self->flow_, ": commit failed: ", rd_kafka_err2str(err));
    self->count_error("commit");
    self->forget_committed(offsets, /*failed_only=*/true);
  } catch (...) {
  }
}

// ---------------------------------------------------------------------------------------------
// Group membership

void Session::on_assign(rd_kafka_topic_partition_list_t* partitions) {
  const auto now = Clock::now();
  for (int i = 0; i < partitions->cnt; ++i) {
    const auto& tp = partitions->elems[i];
    auto r = routes_.find(tp.topic);
    if (r == routes_.end()) continue;
    auto& slot = r->second->partitions;
    if (static_cast<size_t>(tp.partition) >= slot.size())
      slot.resize(static_cast<size_t>(tp.partition) + 1);
    slot[static_cast<size_t>(tp.partition)] = std::make_unique<PartitionState>();
    auto& ps = *slot[static_cast<size_t>(tp.partition)];
    ps.assigned = true;
    ps.assigned_at = now;
    const prometheus::Labels labels{
        {"flow", flow_}, {"topic", tp.topic}, {"partition", std::to_string(tp.partition)}};
    ps.lag_gauge = &metrics_.partition_lag.Add(labels);
    ps.follower_gauge = &metrics_.fetch_from_follower.Add(labels);
    if (offset_syncs_ != nullptr) ps.syncs = &offset_syncs_->partition(tp.topic, tp.partition);
  }
  rd_kafka_error_t* error = nullptr;
  if (std::string_view(rd_kafka_rebalance_protocol(consumer_.get())) == "COOPERATIVE") {
    error = rd_kafka_incremental_assign(consumer_.get(), partitions);
  } else {
    const auto err = rd_kafka_assign(consumer_.get(), partitions);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
      error = rd_kafka_error_new(err, "%s", rd_kafka_err2str(err));
  }
  if (error != nullptr) {
    log::warn("flow", flow_, ": assign: ", rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
  }
  if (paused_) rd_kafka_pause_partitions(consumer_.get(), partitions);
  log::info("flow", flow_, ": assigned ", partitions->cnt, " partition(s)");
}

void Session::on_revoke(rd_kafka_topic_partition_list_t* partitions, bool lost) {
  if (!lost) {
    // Hand over cleanly: let the target acknowledge what was sent, then commit behind it.
    auto st = kafka::flush(producer_.get(), kafka::deadline_in(ctx_.tuning.flush_timeout));
    if (!st.ok()) log::warn("flow", flow_, ": on revocation: ", st.error().message);
    (void)commit_sync(partitions);
  }
  for (int i = 0; i < partitions->cnt; ++i) {
    const auto& tp = partitions->elems[i];
    auto r = routes_.find(tp.topic);
    if (r == routes_.end() || static_cast<size_t>(tp.partition) >= r->second->partitions.size())
      continue;
    auto& ps = r->second->partitions[static_cast<size_t>(tp.partition)];
    if (!ps) continue;
    ps->assigned = false;
    if (ps->lag_gauge != nullptr) metrics_.partition_lag.Remove(ps->lag_gauge);
    if (ps->follower_gauge != nullptr) metrics_.fetch_from_follower.Remove(ps->follower_gauge);
    ps->lag_gauge = nullptr;
    ps->follower_gauge = nullptr;
  }
  if (std::string_view(rd_kafka_rebalance_protocol(consumer_.get())) == "COOPERATIVE") {
    if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(consumer_.get(), partitions)) {
      log::warn("flow", flow_, ": unassign: ", rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
    }
  } else {
    rd_kafka_assign(consumer_.get(), nullptr);
  }
  log::info("flow", flow_, lost ? ": lost " : ": revoked ", partitions->cnt, " partition(s)");
}

// ---------------------------------------------------------------------------------------------
// Flow control and status

bool Session::over_limits() const {
  return in_flight_bytes_ > ctx_.tuning.max_in_flight_bytes ||
         in_flight_records_ > ctx_.tuning.max_in_flight_records;
}

// Over the limits the loop stops taking records from the consumer and serves delivery reports
// instead; the consumer's prefetch queue (queued.max.messages.kbytes) then fills and its fetchers
// stop by themselves, and what was prefetched stays. Pausing is the fallback for a target that
// frees nothing for `pause_after`: it lets the loop keep serving the consumer (rebalances,
// max.poll.interval.ms), at the price of librdkafka dropping its prefetched records (read again on
// resume). Paused, fetching resumes at half the limits.
void Session::apply_backpressure(bool over) {
  const auto& t = ctx_.tuning;
  if (!paused_) {
    if (!over) {
      held_since_.reset();
      return;
    }
    const auto now = Clock::now();
    if (!held_since_) held_since_ = now;
    if (now - *held_since_ < t.pause_after) return;
  } else {
    const bool under = in_flight_bytes_ <= t.max_in_flight_bytes / 2 &&
                       in_flight_records_ <= t.max_in_flight_records / 2;
    if (!under) return;
  }
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(consumer_.get(), &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  kafka::PartitionListPtr list(assignment);
  if (!paused_) {
    rd_kafka_pause_partitions(consumer_.get(), list.get());
    paused_ = true;
    held_since_.reset();
    log::debug("flow", flow_, ": target behind (", in_flight_records_,
               " records in flight), fetching paused");
  } else {
    rd_kafka_resume_partitions(consumer_.get(), list.get());
    paused_ = false;
    log::debug("flow", flow_, ": fetching resumed");
  }
}

void Session::on_stats(std::string_view json) {
  auto stats = kafka::parse_stats(json);
  if (!stats.ok()) return;
  for (const auto& [key, p] : stats->partitions) {
    auto r = routes_.find(key.first);
    if (r == routes_.end() || static_cast<size_t>(key.second) >= r->second->partitions.size())
      continue;
    auto& ps = r->second->partitions[static_cast<size_t>(key.second)];
    if (!ps || !ps->assigned) continue;
    ps->fetch_broker = p.fetch_broker;
    ps->leader = p.leader;
    ps->lag = p.consumer_lag;
    if (ps->lag_gauge != nullptr && p.consumer_lag >= 0)
      ps->lag_gauge->Set(static_cast<double>(p.consumer_lag));
    if (ps->follower_gauge != nullptr) {
      ps->follower_gauge->Set(
          p.fetch_broker >= 0 && p.leader >= 0 && p.fetch_broker != p.leader ? 1 : 0);
    }
  }
  for (const auto& [id, b] : stats->brokers) {
    auto& fc = fetch_counters_[id];
    if (fc.counter == nullptr) {
      const std::string rack = source_info_.rack_of(id);
      fc.zone = (!ctx_.node_rack || rack.empty()) ? "unknown"
                                                  : (rack == *ctx_.node_rack ? "same" : "cross");
      fc.counter = &metrics_.fetch_bytes.Add(
          {{"flow", flow_}, {"broker", std::to_string(id)}, {"zone", fc.zone}});
    }
    const uint64_t delta = b.rx_bytes >= fc.last_rx ? b.rx_bytes - fc.last_rx : b.rx_bytes;
    fc.last_rx = b.rx_bytes;
    if (delta > 0) fc.counter->Increment(static_cast<double>(delta));
  }
}

void Session::publish_status() {
  next_status_ = Clock::now() + ctx_.tuning.status_interval;
  const auto now = Clock::now();
  FlowStatus status;
  status.name = flow_;
  status.state = State::Running;
  status.source = ctx_.source.name;
  status.target = ctx_.target.name;
  status.follower_fetching_enabled = ctx_.spec.follower_fetching_enabled;
  status.client_rack = ctx_.client_rack;
  status.in_flight_records = in_flight_records_;
  status.fetch_paused = paused_;
  std::vector<PartitionPlacement> placements;
  for (const auto& [topic, route] : routes_) {
    const auto found = source_info_.topics.find(topic);
    const kafka::TopicInfo* info = found == source_info_.topics.end() ? nullptr : &found->second;
    for (size_t p = 0; p < route->partitions.size(); ++p) {
      const auto& ps = route->partitions[p];
      if (!ps || !ps->assigned) continue;
      PartitionStatus s;
      s.topic = topic;
      s.partition = static_cast<int32_t>(p);
      s.target_topic = route->target_topic;
      PartitionPlacement placement;
      if (info != nullptr && p < info->partitions.size()) {
        placement.leader = info->partitions[p].leader;
        placement.in_sync = info->partitions[p].isr;
      }
      s.leader = ps->leader >= 0 ? ps->leader : placement.leader;
      s.fetch_broker = ps->fetch_broker;
      s.fetch_broker_rack = ps->fetch_broker >= 0 ? source_info_.rack_of(ps->fetch_broker) : "";
      s.from_follower = s.fetch_broker >= 0 && s.leader >= 0 && s.fetch_broker != s.leader;
      s.lag = ps->lag;
      s.replicated = ps->replicated;
      placement.leader = s.leader;
      placement.fetch_broker = s.fetch_broker;
      placement.settled = now - ps->assigned_at >= ctx_.tuning.fallback_grace;
      placements.push_back(std::move(placement));
      status.partitions.push_back(std::move(s));
    }
  }
  status.fetch_mode = classify_fetch_mode(ctx_.client_rack, placements,
                                          [this](int32_t b) { return source_info_.rack_of(b); });
  if (status.fetch_mode == FetchMode::LeaderFallback && !fallback_logged_) {
    fallback_logged_ = true;
    log::warn("flow", flow_, ": source cluster '", ctx_.source.name, "' ignores client.rack '",
              ctx_.client_rack.value_or(""),
              "': partitions with a replica in that rack are read from their leaders (is "
              "replica.selector.class set to RackAwareReplicaSelector on the brokers?)");
  }
  board_.publish(std::move(status));
}

void Session::count_error(const std::string& kind) {
  auto& counter = error_counters_[kind];
  if (counter == nullptr) counter = &metrics_.errors.Add({{"flow", flow_}, {"kind", kind}});
  counter->Increment();
}

void Session::on_error(rd_kafka_t* rk, int err, const char* reason) {
  const bool source = rk == consumer_.get();
  const char* side = source ? "source" : "target";
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char buf[512];
    const auto fatal = rd_kafka_fatal_error(rk, buf, sizeof buf);
    count_error("fatal");
    if (!fatal_) {
      fatal_ = make_error(
          std::string(side) + " client fatal error: " + rd_kafka_err2name(fatal) + ": " + buf,
          fatal);
    }
    return;
  }
  log::warn("flow", flow_, ": ", side, " cluster '", source ? ctx_.source.name : ctx_.target.name,
            "': ", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), ": ", reason);
  count_error(std::string(side) + "_connection");
}

// ---------------------------------------------------------------------------------------------
// Callback trampolines: never throw into librdkafka.

void Session::delivery_cb(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  try {
    static_cast<Session*>(opaque)->on_delivery(msg);
  } catch (...) {
  }
}

void Session::rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<Session*>(opaque);
  try {
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      self->on_assign(partitions);
    } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      self->on_revoke(partitions, rd_kafka_assignment_lost(rk) != 0);
    } else {
      log::warn("flow", self->flow_, ": rebalance error: ", rd_kafka_err2str(err));
      rd_kafka_assign(rk, nullptr);
    }
  } catch (...) {
  }
}

int Session::stats_cb(rd_kafka_t*, char* json, size_t len, void* opaque) {
  try {
    static_cast<Session*>(opaque)->on_stats(std::string_view(json, len));
  } catch (...) {
  }
  return 0;  // librdkafka frees json
}

void Session::error_cb(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  try {
    static_cast<Session*>(opaque)->on_error(rk, err, reason != nullptr ? reason : "");
  } catch (...) {
  }
}

// ---------------------------------------------------------------------------------------------
// The loop

Status Session::run(const std::atomic<bool>& stop) {
  stop_ = &stop;
  if (auto st = connect(); !st.ok()) {
    shutdown(false);
    return st;
  }
  auto& up = metrics_.flow_up.Add({{"flow", flow_}});
  up.Set(1);
  board_.set_state(State::Running);
  log::info("flow", flow_, ": running",
            ctx_.client_rack ? " with client.rack " + *ctx_.client_rack
                             : std::string(" without client.rack"));

  std::vector<rd_kafka_message_t*> batch(kBatch);
  while (!stop.load() && !fatal_) {
    const auto now = Clock::now();
    if (now >= next_refresh_) {
      next_refresh_ = now + std::chrono::seconds(ctx_.spec.refresh_topics_interval_seconds);
      if (auto st = refresh_topics(); !st.ok()) {
        count_error("topic_sync");
        log::warn("flow", flow_, ": topic refresh: ", st.error().message);
      }
    }
    // Over the limits (and not paused yet) nothing is taken from the consumer; paused, the
    // consumer is still served (callbacks) but has nothing to give.
    const bool over = over_limits();
    ssize_t n = 0;
    if (!over || paused_) {
      // What is queued, without waiting; when nothing is, wait for the first record only (a
      // batch call waits until the batch is full), briefly while deliveries are outstanding.
      n = rd_kafka_consume_batch_queue(consumer_queue_.get(), 0, batch.data(), batch.size());
      if (n == 0 && !paused_) {
        const auto wait =
            in_flight_records_ > 0 ? ctx_.tuning.busy_poll_timeout : ctx_.tuning.poll_timeout;
        n = rd_kafka_consume_batch_queue(consumer_queue_.get(), static_cast<int>(wait.count()),
                                         batch.data(), 1);
        if (n == 1) {
          const ssize_t more = rd_kafka_consume_batch_queue(consumer_queue_.get(), 0,
                                                            batch.data() + 1, batch.size() - 1);
          if (more > 0) n += more;
        }
      }
    }
    for (ssize_t i = 0; i < n; ++i) {
      rd_kafka_message_t* msg = batch[static_cast<size_t>(i)];
      if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        handle_consumer_error(msg);
      } else if (!fatal_ && !stop.load()) {
        // Once stopping or failed, nothing more of the batch is sent: a record skipped while a
        // later one of its partition were acknowledged would let the commit pass it.
        if (auto st = produce(msg); !st.ok() && !fatal_) fatal_ = st.error();
      }
      rd_kafka_message_destroy(msg);
    }
    // Delivery reports; held back or paused, wait for them (returns as soon as some arrive).
    const auto dr_wait = paused_ ? ctx_.tuning.poll_timeout
                         : over  ? ctx_.tuning.busy_poll_timeout
                                 : std::chrono::milliseconds(0);
    rd_kafka_poll(producer_.get(), static_cast<int>(dr_wait.count()));
    apply_backpressure(over_limits());
    if (Clock::now() >= next_commit_) commit_async();
    if (Clock::now() >= next_status_) publish_status();
  }
  up.Set(0);
  const bool graceful = !fatal_;
  board_.set_state(State::Stopping, fatal_ ? fatal_->message : std::string());
  shutdown(graceful);
  if (fatal_) return *fatal_;
  return {};
}

void Session::shutdown(bool graceful) {
  source_admin_.reset();
  target_admin_.reset();
  if (consumer_) {
    if (producer_) {
      // Stop fetching, let the target acknowledge what was sent, commit behind it.
      rd_kafka_topic_partition_list_t* assignment = nullptr;
      if (rd_kafka_assignment(consumer_.get(), &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        kafka::PartitionListPtr list(assignment);
        rd_kafka_pause_partitions(consumer_.get(), list.get());
      }
      if (graceful) {
        auto st = kafka::flush(producer_.get(), kafka::deadline_in(ctx_.tuning.flush_timeout));
        if (!st.ok()) log::warn("flow", flow_, ": on shutdown: ", st.error().message);
      } else {
        rd_kafka_poll(producer_.get(), 0);
      }
      (void)commit_sync(nullptr);
    }
    auto closed = kafka::close_consumer(
        consumer_.get(), kafka::deadline_in(ctx_.tuning.close_timeout),
        [this](rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
          rebalance_cb(consumer_.get(), err, parts, this);
        });
    consumer_queue_.reset();
    if (!closed.ok()) {
      log::warn("flow", flow_, ": ", closed.error().message);
      rd_kafka_destroy_flags(consumer_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    }
    consumer_.reset();
  }
  consumer_queue_.reset();
  if (producer_) {
    if (!graceful) {
      // Whatever is still queued was not committed on the source: it is read again next time.
      rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      (void)kafka::flush(producer_.get(), kafka::deadline_in(std::chrono::milliseconds(2000)));
    }
    route_by_source_rkt_.clear();
    routes_.clear();  // topic handles go before their producer
    producer_.reset();
  }
  routes_.clear();
}

}  // namespace mirror::flow
