// aiven: replication flows with Aiven's field names (its API and Terraform provider). The
// clusters are integration aliases whose addresses the flow does not hold: bootstrap servers are
// left as ${env:<ALIAS>_BOOTSTRAP_SERVERS} references, listed to fill in.
#include <nlohmann/json.hpp>

#include "mirror/migrate/mm2_keys.h"
#include "mirror/migrate/model.h"

namespace mirror::migrate {

namespace {

std::string scalar_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  return v.dump();
}

std::string list_text(const nlohmann::json& v) {
  if (!v.is_array()) return scalar_text(v);
  std::string out;
  for (const auto& item : v) out += (out.empty() ? "" : ",") + scalar_text(item);
  return out;
}

// Aiven field -> the MM2 key it stands for (mapped by map_flow_key), or a note.
struct Field {
  const char* mm2;   // nullptr: note only
  const char* note;  // for nullptr, what happens instead
};

const std::map<std::string, Field>& fields() {
  static const std::map<std::string, Field> table = {
      {"topics", {"topics", nullptr}},
      {"topics.blacklist", {"topics.exclude", nullptr}},
      {"topics_blacklist", {"topics.exclude", nullptr}},
      {"topics.exclude", {"topics.exclude", nullptr}},
      {"topics_exclude", {"topics.exclude", nullptr}},
      {"replication_policy_class", {"replication.policy.class", nullptr}},
      {"sync_group_offsets_enabled", {"sync.group.offsets.enabled", nullptr}},
      {"sync_group_offsets_interval_seconds", {"sync.group.offsets.interval.seconds", nullptr}},
      {"emit_heartbeats_enabled", {"emit.heartbeats.enabled", nullptr}},
      {"config_properties_exclude", {"config.properties.exclude", nullptr}},
      {"replication_factor", {"replication.factor", nullptr}},
      {"offset_syncs_topic_location", {"offset-syncs.topic.location", nullptr}},
      {"offset_lag_max", {"offset.lag.max", nullptr}},
      {"emit_backward_heartbeats_enabled",
       {nullptr,
        "mirror writes heartbeats only into a flow's target; a flow in the opposite direction "
        "writes them into the other cluster"}},
  };
  return table;
}

void add_flow(Output& out, const nlohmann::json& f) {
  const std::string source = f.value("source_cluster", "");
  const std::string target = f.value("target_cluster", "");
  for (const auto& alias : {source, target}) {
    if (out.has_cluster(alias)) continue;
    auto& c = out.cluster(alias);
    c.fields.set("bootstrap_servers",
                 Value::text(out.secret(
                     alias + "_BOOTSTRAP_SERVERS",
                     "the bootstrap servers of Aiven integration " + alias + " (host:port list)")));
    out.note(0, "clusters." + alias,
             "set its security properties (Aiven: security.protocol SSL with the service's CA "
             "and client certificate, or SASL_SSL with SCRAM-SHA-256) under properties");
  }
  auto& flow = out.add_flow(source, target);
  for (const auto& [key, value] : f.items()) {
    if (key == "source_cluster" || key == "target_cluster") continue;
    if (key == "enable" || key == "enabled") {
      flow.fields.set("enabled",
                      Value::raw(value.is_boolean() && !value.get<bool>() ? "false" : "true"));
      continue;
    }
    if (key == "follower_fetching_enabled") {
      flow.fields.set("follower_fetching_enabled",
                      Value::raw(scalar_text(value) == "false" ? "false" : "true"));
      continue;
    }
    if (key == "exactly_once_delivery_enabled") {
      if (scalar_text(value) == "true")
        flow.fields.set("exactly_once_delivery_enabled", Value::raw("true"));
      continue;
    }
    auto it = fields().find(key);
    if (it == fields().end()) {
      out.note(0, flow.name + "." + key,
               "not an Aiven replication flow field mirror knows; left out");
      continue;
    }
    if (it->second.mm2 == nullptr) {
      out.note(0, flow.name + "." + key, it->second.note);
      continue;
    }
    map_flow_key(out, flow, it->second.mm2,
                 value.is_array() ? list_text(value) : scalar_text(value), 0);
  }
}

}  // namespace

Result<Migration> migrate_aiven(std::string_view text, const std::string& file) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return Error{file + ": not JSON: " + e.what()};
  }
  nlohmann::json flows = doc;
  if (doc.is_object() && doc.contains("replication_flows")) flows = doc["replication_flows"];
  if (flows.is_object()) flows = nlohmann::json::array({flows});
  if (!flows.is_array() || flows.empty()) {
    return Error{
        file +
        ": want a replication flow object, a list of them, or {\"replication_flows\": [...]}"};
  }
  Output out(file);
  for (size_t i = 0; i < flows.size(); ++i) {
    const auto& f = flows[i];
    if (!f.is_object() || !f.contains("source_cluster") || !f.contains("target_cluster") ||
        !f["source_cluster"].is_string() || !f["target_cluster"].is_string()) {
      return Error{file + ": replication flow " + std::to_string(i + 1) +
                   ": source_cluster and target_cluster (strings) are required"};
    }
    add_flow(out, f);
  }
  return out.finish();
}

}  // namespace mirror::migrate
