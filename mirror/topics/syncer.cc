#include "mirror/topics/syncer.h"

#include "mirror/common/log.h"

namespace mirror::topics {
namespace {

using metrics::ErrorKind;
using metrics::Problem;

kafka::Deadline in(std::chrono::milliseconds timeout) {
  return kafka::deadline_in(timeout);
}

}  // namespace

Result<TopicSyncer> TopicSyncer::make(const config::FlowSpec& flow,
                                      const std::string& source_cluster,
                                      const std::string& target_cluster) {
  auto filter = TopicFilter::make(flow.topics, flow.topics_exclude);
  if (!filter.ok()) return filter.error();
  std::optional<ConfigSyncPolicy> config_sync;
  if (flow.sync_topic_configs_enabled) {
    auto policy = ConfigSyncPolicy::make(flow.config_properties_exclude);
    if (!policy.ok()) return policy.error();
    config_sync = std::move(policy.value());
  }
  NamingPolicy naming(flow.replication_policy, source_cluster, target_cluster,
                      flow.replication_policy_separator);
  TopicSyncer syncer(flow.name, std::move(filter.value()), std::move(naming),
                     std::move(config_sync), flow.replication_factor, source_cluster,
                     target_cluster);
  syncer.stamps_provenance_ = config::stamps_provenance(flow);
  syncer.identity_ = flow.replication_policy == config::ReplicationPolicy::Identity;
  return syncer;
}

Result<TopicSyncer::Round> TopicSyncer::sync(kafka::ClusterAdmin& source,
                                             kafka::ClusterAdmin& target,
                                             std::chrono::milliseconds call_timeout) {
  Round round;
  auto info = source.metadata(in(call_timeout));
  if (!info.ok()) {
    return make_error("source cluster '" + source_cluster_ + "': " + info.error().message,
                      info.error().code, info.error().retriable);
  }
  auto racks = source.broker_racks(in(call_timeout));
  if (racks.ok()) {
    // Merged: a broker that is down is missing from the answer and keeps its last known rack, so
    // the bytes it serves once back are counted under its zone (not as unknown) before the next
    // round.
    for (auto& [id, rack] : racks.value()) racks_[id] = std::move(rack);
  } else {
    // Without racks the flow still replicates; it cannot tell same-zone from cross-zone reads.
    round.problems.push_back(
        {ErrorKind::DescribeCluster, "broker racks",
         "cannot read broker racks of '" + source_cluster_ + "': " + racks.error().message});
  }
  for (const auto& [id, rack] : racks_) {
    info->brokers[id].id = id;
    info->brokers[id].rack = rack;
  }
  round.routing.source = std::move(info.value());

  std::vector<const kafka::TopicInfo*> selected;
  for (const auto& [name, topic] : round.routing.source.topics) {
    if (topic.partitions.empty() || !should_replicate(name, filter_, naming_)) continue;
    selected.push_back(&topic);
  }
  auto target_info = target.metadata(in(call_timeout));
  if (!target_info.ok()) {
    return make_error("target cluster '" + target_cluster_ + "': " + target_info.error().message,
                      target_info.error().code, target_info.error().retriable);
  }
  round.routing.target_cluster_id = target_info->cluster_id;
  if (auto st = check_cluster_ids(round.routing); !st.ok()) return st.error();
  const auto source_configs = read_source_configs(source, selected, call_timeout, round.problems);
  prepare_targets(target, *target_info, selected, source_configs, call_timeout, round);
  if (!source_configs.empty()) {
    sync_configs(target, round.routing, source_configs, call_timeout, round.problems);
  }
  return round;
}

// Provenance headers name clusters by id: a stamping flow needs both, and no flow copies within
// one cluster under `identity` names (each record would be written onto itself).
Status TopicSyncer::check_cluster_ids(const Routing& routing) const {
  const std::string& source_id = routing.source.cluster_id;
  const std::string& target_id = routing.target_cluster_id;
  if (stamps_provenance_ && (source_id.empty() || target_id.empty())) {
    return make_error("cluster '" + (source_id.empty() ? source_cluster_ : target_cluster_) +
                          "' reports no cluster id; provenance headers "
                          "(provenance_headers_enabled) need it",
                      0, false);
  }
  if (identity_ && !source_id.empty() && source_id == target_id) {
    return make_error("source '" + source_cluster_ + "' and target '" + target_cluster_ +
                          "' are the same cluster (id " + source_id +
                          "); under identity names every record would be copied onto itself",
                      0, false);
  }
  return {};
}

std::map<std::string, kafka::TopicConfigs> TopicSyncer::read_source_configs(
    kafka::ClusterAdmin& source, const std::vector<const kafka::TopicInfo*>& topics,
    std::chrono::milliseconds timeout, std::vector<Problem>& problems) const {
  if (!config_sync_ || topics.empty()) return {};
  std::vector<std::string> names;
  names.reserve(topics.size());
  for (const auto* t : topics) names.push_back(t->name);
  auto configs = source.describe_topic_configs(names, in(timeout));
  if (!configs.ok()) {
    problems.push_back(
        {ErrorKind::TopicConfigSync, "source topic configs",
         "cannot read topic configs of '" + source_cluster_ + "': " + configs.error().message});
    return {};
  }
  return std::move(configs.value());
}

void TopicSyncer::prepare_targets(kafka::ClusterAdmin& target,
                                  const kafka::ClusterInfo& target_info,
                                  const std::vector<const kafka::TopicInfo*>& topics,
                                  const std::map<std::string, kafka::TopicConfigs>& source_configs,
                                  std::chrono::milliseconds timeout, Round& round) const {
  std::vector<kafka::NewTopic> create;
  for (const auto* topic : topics) {
    const std::string name = naming_.target_topic(topic->name);
    const auto partitions = static_cast<int32_t>(topic->partitions.size());
    Route route{topic->name, name, partitions, 0};
    auto existing = target_info.topics.find(name);
    if (existing == target_info.topics.end()) {
      std::map<std::string, std::string> configs;
      auto sc = source_configs.find(topic->name);
      if (config_sync_ && sc != source_configs.end()) configs = config_sync_->wanted(sc->second);
      create.push_back({name, partitions, replication_factor_, std::move(configs)});
      continue;
    }
    route.target_partitions = static_cast<int32_t>(existing->second.partitions.size());
    if (route.target_partitions < partitions) {
      auto grown = target.create_partitions(name, partitions, in(timeout));
      if (grown.ok()) {
        log::info("topics", log::Flow{flow_}, "target topic '", name, "' grown from ",
                  route.target_partitions, " to ", partitions, " partitions");
        route.target_partitions = partitions;
      } else {
        round.problems.push_back(
            {ErrorKind::TopicSync, "target topic '" + name + "'",
             "cannot add partitions to target topic '" + name + "': " + grown.error().message});
      }
    }
    round.routing.routes[topic->name] = std::move(route);
  }
  if (create.empty()) return;

  auto failures = target.create_topics(create, in(timeout));
  if (!failures.ok()) {
    round.problems.push_back(
        {ErrorKind::TopicSync, "target topics",
         "cannot create topics on '" + target_cluster_ + "': " + failures.error().message});
    return;
  }
  // A copied config the target refuses must not keep the topic from being created: create it
  // plainly; the config sync then sets what the target accepts, one by one.
  std::vector<kafka::NewTopic> plain;
  for (auto& t : create) {
    if (failures->count(t.name) != 0 && !t.configs.empty()) {
      log::warn("topics", log::Flow{flow_}, "creating '", t.name,
                "' with the source's configs failed (", failures->at(t.name).message,
                "); creating it without them");
      t.configs.clear();
      plain.push_back(t);
    }
  }
  if (!plain.empty()) {
    auto again = target.create_topics(plain, in(timeout));
    for (const auto& t : plain) {
      if (!again.ok()) {
        (*failures)[t.name] = again.error();
      } else if (again->count(t.name) == 0) {
        failures->erase(t.name);
      } else {
        (*failures)[t.name] = again->at(t.name);
      }
    }
  }
  for (const auto& t : create) {
    if (auto failed = failures->find(t.name); failed != failures->end()) {
      round.problems.push_back(
          {ErrorKind::TopicSync, "target topic '" + t.name + "'",
           "cannot create target topic '" + t.name + "': " + failed->second.message});
      continue;
    }
    log::info("topics", log::Flow{flow_}, "target topic '", t.name, "' created (", t.partitions,
              " partitions)");
    for (const auto* topic : topics) {
      if (naming_.target_topic(topic->name) != t.name) continue;
      round.routing.routes[topic->name] = Route{topic->name, t.name, t.partitions, t.partitions};
    }
  }
}

// Only configs the policy copies are set; nothing is removed from the target.
void TopicSyncer::sync_configs(kafka::ClusterAdmin& target, const Routing& routing,
                               const std::map<std::string, kafka::TopicConfigs>& source_configs,
                               std::chrono::milliseconds timeout,
                               std::vector<Problem>& problems) const {
  std::vector<std::string> targets;
  std::map<std::string, const kafka::TopicConfigs*> source_of;  // by target topic
  for (const auto& [topic, configs] : source_configs) {
    const Route* route = routing.route(topic);
    if (route == nullptr) continue;
    targets.push_back(route->target_topic);
    source_of[route->target_topic] = &configs;
  }
  if (targets.empty()) return;
  auto current = target.describe_topic_configs(targets, in(timeout));
  if (!current.ok()) {
    problems.push_back(
        {ErrorKind::TopicConfigSync, "target topic configs",
         "cannot read topic configs of '" + target_cluster_ + "': " + current.error().message});
    return;
  }
  for (const auto& [name, source] : source_of) {
    auto found = current->find(name);
    if (found == current->end()) continue;  // described next round
    auto changes = config_sync_->changes(*source, found->second);
    if (changes.empty()) continue;
    auto st = target.alter_topic_configs(name, changes, in(timeout));
    if (!st.ok() && changes.size() > 1) {
      // One config the target rejects (an unknown name, a broker-side limit) must not hold back
      // the others: set them one by one.
      for (const auto& [config, value] : changes) {
        auto one = target.alter_topic_configs(name, {{config, value}}, in(timeout));
        if (one.ok()) continue;
        std::string key = "target topic '" + name + "' config '";
        key.append(config).append("'");
        std::string message = "target topic '" + name + "': ";
        message.append(one.error().message);
        problems.push_back({ErrorKind::TopicConfigSync, std::move(key), std::move(message)});
      }
      continue;
    }
    if (!st.ok()) {
      problems.push_back({ErrorKind::TopicConfigSync, "target topic '" + name + "' configs",
                          "target topic '" + name + "': " + st.error().message});
      continue;
    }
    std::string names;
    for (const auto& [config, value] : changes) names += (names.empty() ? "" : ", ") + config;
    log::info("topics", log::Flow{flow_}, "target topic '", name, "': configs synced (", names,
              ")");
  }
}

}  // namespace mirror::topics
