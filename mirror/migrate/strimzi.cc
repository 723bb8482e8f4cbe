// strimzi: a KafkaMirrorMaker2 resource. Clusters come from spec.clusters (v1beta2) or from
// spec.target and each mirror's source (the newer shape); TLS and authentication refer to
// Kubernetes Secrets, which mirror reads as files under /etc/mirror-secrets/<secret>/ (the Helm
// chart's secretFiles) and, for passwords, as ${env:...} variables (secretEnv).
#include <yaml-cpp/yaml.h>

#include "mirror/migrate/mm2_keys.h"
#include "mirror/migrate/model.h"

namespace mirror::migrate {

namespace {

constexpr const char* kSecretsDir = "/etc/mirror-secrets/";

int line_of(const YAML::Node& n) {
  return n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
}

std::string text_of(const YAML::Node& n) {
  return n && n.IsScalar() ? n.Scalar() : "";
}

// One Strimzi cluster (alias, bootstrapServers, tls, authentication, config) into `out`.
Result<std::string> add_cluster(Output& out, const YAML::Node& c, const std::string& file) {
  const std::string alias = text_of(c["alias"]);
  if (alias.empty())
    return Error{file + ":" + std::to_string(line_of(c)) + ": a cluster without alias"};
  const std::string bootstrap = text_of(c["bootstrapServers"]);
  if (bootstrap.empty()) {
    return Error{file + ":" + std::to_string(line_of(c)) + ": cluster '" + alias +
                 "' has no bootstrapServers"};
  }
  if (out.has_cluster(alias)) return alias;
  auto& cluster = out.cluster(alias);
  cluster.fields.set("bootstrap_servers", Value::text(bootstrap));
  const bool tls = c["tls"] && c["tls"].IsMap();
  if (tls) {
    const auto certs = c["tls"]["trustedCertificates"];
    if (certs && certs.IsSequence() && certs.size() > 0) {
      const auto& cert = certs[0];
      const std::string secret = text_of(cert["secretName"]);
      std::string key = text_of(cert["certificate"]);
      if (key.empty()) key = "ca.crt";  // `pattern: "*.crt"`: the Strimzi CA Secret's key
      cluster.fields.set_property("properties", "ssl.ca.location",
                                  kSecretsDir + secret + "/" + key);
      out.note(line_of(cert), "tls.trustedCertificates",
               "mount Secret " + secret + " at " + kSecretsDir + secret +
                   " (the chart's secretFiles); ssl.ca.location points there" +
                   (certs.size() > 1 ? "; only the first certificate is used" : ""));
    }
  }
  const auto auth = c["authentication"];
  std::string protocol = tls ? "SSL" : "PLAINTEXT";
  if (auth && auth.IsMap()) {
    const std::string type = text_of(auth["type"]);
    const int line = line_of(auth);
    if (type == "tls") {
      const auto ck = auth["certificateAndKey"];
      const std::string secret = text_of(ck["secretName"]);
      cluster.fields.set_property("properties", "ssl.certificate.location",
                                  kSecretsDir + secret + "/" + text_of(ck["certificate"]));
      cluster.fields.set_property("properties", "ssl.key.location",
                                  kSecretsDir + secret + "/" + text_of(ck["key"]));
      out.note(
          line, "authentication.certificateAndKey",
          "mount Secret " + secret + " at " + kSecretsDir + secret + " (the chart's secretFiles)");
    } else if (type == "scram-sha-512" || type == "scram-sha-256" || type == "plain") {
      protocol = tls ? "SASL_SSL" : "SASL_PLAINTEXT";
      cluster.fields.set_property("properties", "sasl.mechanism",
                                  type == "plain"           ? "PLAIN"
                                  : type == "scram-sha-256" ? "SCRAM-SHA-256"
                                                            : "SCRAM-SHA-512");
      cluster.fields.set_property("properties", "sasl.username", text_of(auth["username"]));
      const auto ps = auth["passwordSecret"];
      cluster.fields.set_property(
          "properties", "sasl.password",
          out.secret(alias + "_SASL_PASSWORD", "key " + text_of(ps["password"]) + " of Secret " +
                                                   text_of(ps["secretName"]) +
                                                   " (the chart's secretEnv)"));
    } else if (!type.empty()) {
      out.note(line, "authentication.type",
               "'" + type + "': set librdkafka's SASL properties of cluster " + alias +
                   " by hand (oauth: sasl.mechanism OAUTHBEARER, sasl.oauthbearer.*)");
    }
  }
  cluster.fields.set_property("properties", "security.protocol", protocol);
  for (const auto& kv : c) {
    const std::string key = kv.first.Scalar();
    if (key == "alias" || key == "bootstrapServers" || key == "tls" || key == "authentication" ||
        key == "config") {
      continue;
    }
    out.note(
        line_of(kv.first), concat({"clusters.", alias, ".", key}),
        "a Kafka Connect setting (group, storage topics): mirror runs no Connect worker; left out");
  }
  if (const auto cfg = c["config"]; cfg && cfg.IsMap()) {
    for (const auto& kv : cfg) {
      const std::string key = kv.first.Scalar();
      const int line = line_of(kv.first);
      if (is_client_key(key)) {
        map_client_property(out, cluster.fields, "properties", key, text_of(kv.second), line,
                            alias);
      } else {
        out.note(line, concat({"clusters.", alias, ".config.", key}), unknown_key_note(key));
      }
    }
  }
  return alias;
}

void map_connector(Output& out, FlowOut& flow, const YAML::Node& connector,
                   const std::string& name) {
  if (!connector || !connector.IsMap()) return;
  if (connector["tasksMax"])
    map_flow_key(out, flow, "tasks.max", text_of(connector["tasksMax"]),
                 line_of(connector["tasksMax"]));
  for (const auto& field : {"autoRestart", "state", "pause"}) {
    if (connector[field])
      out.note(line_of(connector[field]), name + "." + field,
               "no connectors to restart or pause: mirror ctl pause|resume FLOW");
  }
  const auto cfg = connector["config"];
  if (!cfg || !cfg.IsMap()) return;
  for (const auto& kv : cfg) {
    const std::string key = kv.first.Scalar();
    const int line = line_of(kv.first);
    if (is_flow_key(key)) {
      map_flow_key(out, flow, key, text_of(kv.second), line);
    } else if (key.rfind("consumer.", 0) == 0 || key.rfind("producer.", 0) == 0) {
      const bool consumer = key.rfind("consumer.", 0) == 0;
      std::string name = key.substr(9);
      if (name.rfind("override.", 0) == 0) name = name.substr(9);  // Connect's client overrides
      map_client_property(out, flow.fields, consumer ? "consumer" : "producer", name,
                          text_of(kv.second), line, flow.name);
    } else {
      out.note(line, concat({name, ".config.", key}), unknown_key_note(key));
    }
  }
}

}  // namespace

namespace {
Result<Migration> convert(const YAML::Node& doc, const std::string& file);
}  // namespace

Result<Migration> migrate_strimzi(std::string_view text, const std::string& file) {
  // yaml-cpp throws on syntax errors and on a field of the wrong kind (a list where a map
  // belongs): either is an error at its place, never a crash.
  try {
    return convert(YAML::Load(std::string(text)), file);
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return Error{file + ": " + e.msg};
    return Error{file + ":" + std::to_string(e.mark.line + 1) + ":" +
                 std::to_string(e.mark.column + 1) + ": " + e.msg};
  }
}

namespace {

Result<Migration> convert(const YAML::Node& doc, const std::string& file) {
  if (!doc.IsMap() || text_of(doc["kind"]) != "KafkaMirrorMaker2") {
    return Error{file + ": not a KafkaMirrorMaker2 resource (kind: " + text_of(doc["kind"]) + ")"};
  }
  const auto spec = doc["spec"];
  if (!spec || !spec.IsMap()) return Error{file + ": no spec"};
  Output out(file);
  for (const auto& field : {"replicas", "version", "image", "resources", "logging", "template",
                            "jvmOptions", "metricsConfig", "livenessProbe", "readinessProbe",
                            "tracing", "externalConfiguration", "connectCluster"}) {
    if (spec[field]) {
      const std::string what =
          std::string(field) == "replicas"
              ? "the Helm chart's replicaCount (processes share each flow's partitions)"
          : std::string(field) == "metricsConfig"
              ? "mirror serves Prometheus metrics at /metrics (docs/metrics.md)"
          : std::string(field) == "connectCluster"
              ? "no Connect cluster: mirror writes nothing but the flows' topics to the target"
              : "a Connect deployment setting: the Helm chart's values take its place";
      out.note(line_of(spec[field]), "spec." + std::string(field), what);
    }
  }
  const bool rack = spec["rack"] && spec["rack"].IsMap();
  if (rack) {
    out.note(line_of(spec["rack"]), "spec.rack",
             "follower fetching is on for every flow, the zone discovered from the node "
             "(node.availability_zone: auto; the Helm chart reads topology.kubernetes.io/zone)");
  } else {
    out.note(
        0, "spec.rack",
        "absent: Strimzi sends no client.rack, so every flow gets "
        "follower_fetching_enabled: false; remove that to read from replicas in the node's zone");
  }
  std::optional<std::string> target_alias;
  if (const auto clusters = spec["clusters"]; clusters && clusters.IsSequence()) {
    for (const auto& c : clusters) {
      auto alias = add_cluster(out, c, file);
      if (!alias.ok()) return alias.error();
    }
  } else if (const auto target = spec["target"]; target && target.IsMap()) {
    auto alias = add_cluster(out, target, file);
    if (!alias.ok()) return alias.error();
    target_alias = alias.value();
  } else {
    return Error{file + ": spec has neither clusters nor target"};
  }
  const auto mirrors = spec["mirrors"];
  if (!mirrors || !mirrors.IsSequence() || mirrors.size() == 0)
    return Error{file + ": spec.mirrors is empty"};
  for (const auto& m : mirrors) {
    std::string source = text_of(m["sourceCluster"]);
    std::string target = text_of(m["targetCluster"]);
    if (const auto s = m["source"]; s && s.IsMap()) {
      auto alias = add_cluster(out, s, file);
      if (!alias.ok()) return alias.error();
      source = alias.value();
    }
    if (target.empty() && target_alias) target = *target_alias;
    for (const auto& side : {source, target}) {
      if (side.empty() || !out.has_cluster(side)) {
        return Error{concat({file, ":", std::to_string(line_of(m)), ": mirror names cluster '",
                             side, "', which is not defined"})};
      }
    }
    auto& flow = out.add_flow(source, target);
    if (!rack) flow.fields.set("follower_fetching_enabled", Value::raw("false"));
    // The mirror's patterns, as the MM2 keys they stand for.
    static const std::pair<const char*, const char*> kPatterns[] = {
        {"topicsPattern", "topics"},
        {"topicsExcludePattern", "topics.exclude"},
        {"topicsBlacklistPattern", "topics.exclude"},
        {"groupsPattern", "groups"},
        {"groupsExcludePattern", "groups.exclude"},
        {"groupsBlacklistPattern", "groups.exclude"}};
    for (const auto& [field, key] : kPatterns) {
      if (const auto v = m[field]) map_flow_key(out, flow, key, text_of(v), line_of(v));
    }
    map_connector(out, flow, m["sourceConnector"], "sourceConnector");
    map_connector(out, flow, m["checkpointConnector"], "checkpointConnector");
    if (const auto hb = m["heartbeatConnector"]; hb && hb.IsMap()) {
      map_connector(out, flow, hb, "heartbeatConnector");
    } else {
      // Strimzi runs heartbeats only with a heartbeatConnector; mirror emits them by default.
      flow.fields.set("emit_heartbeats_enabled", Value::raw("false"));
      out.note(line_of(m), "heartbeatConnector",
               "absent: emit_heartbeats_enabled: false, as Strimzi runs no heartbeats without it");
    }
    if (!m["checkpointConnector"]) {
      flow.fields.set("emit_checkpoints_enabled", Value::raw("false"));
      out.note(
          line_of(m), "checkpointConnector",
          "absent: emit_checkpoints_enabled: false, as Strimzi writes no checkpoints without it");
    }
  }
  for (auto& flow : out.flows()) keep_mm2_defaults(out, flow);
  return out.finish();
}

}  // namespace

}  // namespace mirror::migrate
