#include "mirror/migrate/mm2_keys.h"

#include <map>
#include <set>
#include <string_view>

namespace mirror::migrate {

namespace {

enum class Type { List, Bool, Int, Text, Policy, Note, ExactlyOnce };

struct FlowKey {
  std::string_view mirror;  // empty for Note
  Type type;
  std::string_view note;  // Note: what happens instead; others: said along (may be empty)
};

const std::map<std::string, FlowKey, std::less<>>& flow_keys() {
  static const std::map<std::string, FlowKey, std::less<>> table = {
      {"topics", {"topics", Type::List, ""}},
      {"topics.exclude", {"topics_exclude", Type::List, ""}},
      {"topics.blacklist", {"topics_exclude", Type::List, ""}},
      {"groups", {"groups", Type::List, ""}},
      {"groups.exclude", {"groups_exclude", Type::List, ""}},
      {"groups.blacklist", {"groups_exclude", Type::List, ""}},
      {"replication.policy.class", {"replication_policy", Type::Policy, ""}},
      {"replication.policy.separator", {"replication_policy_separator", Type::Text, ""}},
      {"replication.factor", {"replication_factor", Type::Int, ""}},
      {"sync.topic.configs.enabled", {"sync_topic_configs_enabled", Type::Bool, ""}},
      {"config.properties.exclude",
       {"config_properties_exclude", Type::List,
        "added to mirror's built-in list (min.insync.replicas, throttles, ...), which MM2's "
        "setting would have replaced"}},
      {"refresh.topics.interval.seconds", {"refresh_topics_interval_seconds", Type::Int, ""}},
      {"emit.heartbeats.enabled", {"emit_heartbeats_enabled", Type::Bool, ""}},
      {"emit.heartbeats.interval.seconds", {"emit_heartbeats_interval_seconds", Type::Int, ""}},
      {"emit.checkpoints.enabled", {"emit_checkpoints_enabled", Type::Bool, ""}},
      {"emit.checkpoints.interval.seconds", {"emit_checkpoints_interval_seconds", Type::Int, ""}},
      {"sync.group.offsets.enabled", {"sync_group_offsets_enabled", Type::Bool, ""}},
      {"sync.group.offsets.interval.seconds",
       {"sync_group_offsets_interval_seconds", Type::Int, ""}},
      {"sync.topic.acls.enabled", {"sync_topic_acls_enabled", Type::Bool, ""}},
      {"sync.topic.acls.interval.seconds", {"sync_topic_acls_interval_seconds", Type::Int, ""}},
      {"exactly.once.source.support", {"exactly_once_delivery_enabled", Type::ExactlyOnce, ""}},
      {"exactly.once.support", {"exactly_once_delivery_enabled", Type::ExactlyOnce, ""}},
      {"sync.topic.configs.interval.seconds",
       {"", Type::Note,
        "topic configs are synced at every topic refresh (refresh_topics_interval_seconds)"}},
      {"refresh.topics.enabled",
       {"", Type::Note, "topics are always refreshed (refresh_topics_interval_seconds)"}},
      {"refresh.groups.enabled", {"", Type::Note, "groups are listed at every checkpoint round"}},
      {"refresh.groups.interval.seconds",
       {"", Type::Note, "groups are listed at every checkpoint round"}},
      {"heartbeats.replication.enabled",
       {"", Type::Note, "heartbeats topics are always replicated"}},
      {"offset-syncs.topic.location",
       {"", Type::Note, "offset syncs are always written to the target, at every run boundary"}},
      {"offset.lag.max", {"", Type::Note, "every delivery report is a sync; no lag allowance"}},
      {"emit.offset-syncs.enabled",
       {"", Type::Note, "offset syncs are always written (to the target)"}},
      {"offset-syncs.topic.replication.factor",
       {"", Type::Note, "the offset-syncs topic gets the flow's replication_factor"}},
      {"checkpoints.topic.replication.factor",
       {"", Type::Note, "the checkpoints topic gets the flow's replication_factor"}},
      {"heartbeats.topic.replication.factor",
       {"", Type::Note, "the heartbeats topic gets the flow's replication_factor"}},
      {"tasks.max",
       {"", Type::Note,
        "no tasks: each flow's partitions are shared by the processes that run it (its consumer "
        "group mirror-<flow>; the Helm chart's replicaCount)"}},
      {"topic.filter.class", {"", Type::Note, "filters are regex lists (topics, topics_exclude)"}},
      {"group.filter.class", {"", Type::Note, "filters are regex lists (groups, groups_exclude)"}},
      {"config.property.filter.class",
       {"", Type::Note, "filters are regex lists (config_properties_exclude)"}},
      {"replication.policy.internal.topic.separator.enabled",
       {"", Type::Note, "internal topics are named as with MM2's default (true)"}},
  };
  return table;
}

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

bool is_client_key(const std::string& key) {
  static const std::set<std::string, std::less<>> exact = {
      "security.protocol",    "request.timeout.ms",
      "retry.backoff.ms",     "connections.max.idle.ms",
      "reconnect.backoff.ms", "reconnect.backoff.max.ms",
      "metadata.max.age.ms",  "socket.connection.setup.timeout.ms",
      "receive.buffer.bytes", "send.buffer.bytes",
      "client.dns.lookup",    "client.id"};
  return exact.count(key) != 0 || starts_with(key, "sasl.") || starts_with(key, "ssl.");
}

bool is_flow_key(const std::string& key) {
  return flow_keys().count(key) != 0;
}

void map_flow_key(Output& out, FlowOut& flow, const std::string& key, const std::string& value,
                  int line) {
  const auto& k = flow_keys().at(key);
  const std::string mirror_key(k.mirror);
  auto bad = [&](const char* want) {
    out.note(line, key, std::string("want ") + want + ", got '" + value + "': left out");
  };
  switch (k.type) {
    case Type::List:
      flow.fields.set(mirror_key, Value::strings(split_list(value)));
      break;
    case Type::Bool:
      if (auto b = boolean(value)) {
        flow.fields.set(mirror_key, Value::raw(*b ? "true" : "false"));
      } else {
        bad("true or false");
      }
      break;
    case Type::Int:
      if (auto n = integer(value)) {
        flow.fields.set(mirror_key, Value::raw(std::to_string(*n)));
      } else {
        bad("an integer");
      }
      break;
    case Type::Text:
      flow.fields.set(mirror_key, Value::text(value));
      break;
    case Type::Policy:
      if (auto p = policy_of(value)) {
        flow.fields.set(mirror_key, Value::raw(*p));
      } else {
        out.note(line, key,
                 "custom policy class " + value +
                     ": mirror has default and identity only; the flow keeps default");
      }
      break;
    case Type::ExactlyOnce:
      if (value == "enabled" || value == "required") {
        flow.fields.set(mirror_key, Value::raw("true"));
      } else {
        out.note(line, key,
                 "'" + value + "': at least once (exactly_once_delivery_enabled: false)");
      }
      break;
    case Type::Note:
      out.note(line, key, std::string(k.note));
      break;
  }
  if (k.type != Type::Note && !k.note.empty()) out.note(line, key, std::string(k.note));
}

std::string unknown_key_note(const std::string& key) {
  static const std::string_view connect[] = {"offset.storage.",
                                             "config.storage.",
                                             "status.storage.",
                                             "key.converter",
                                             "value.converter",
                                             "header.converter",
                                             "dedicated.mode.",
                                             "listeners",
                                             "rest.",
                                             "plugin.path",
                                             "connector.class",
                                             "admin.timeout.ms",
                                             "consumer.poll.timeout.ms",
                                             "task.",
                                             "offset.flush.",
                                             "scheduled.",
                                             "source.cluster.alias",
                                             "target.cluster.alias",
                                             "emit.checkpoints.topic"};
  for (auto prefix : connect) {
    if (starts_with(key, prefix)) {
      return "a Kafka Connect setting: mirror runs no Connect worker; left out";
    }
  }
  return "not a MirrorMaker 2 setting mirror knows; left out";
}

}  // namespace mirror::migrate
