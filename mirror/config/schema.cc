// The configuration schema. To add a key: add a field to spec.h, a row to the section's table
// below, then regenerate docs/configuration.md (see tests/config/docs_test.cc).
#include "mirror/config/schema.h"

#include "mirror/config/checks.h"
#include "mirror/config/loader.h"
#include "mirror/config/settings.h"

namespace mirror::config {
namespace {

const Table<NodeSpec>& node_settings() {
  static const Table<NodeSpec> table = {
      text("availability_zone", &NodeSpec::availability_zone, checks::availability_zone(),
           "The availability zone (AZ) of the node this process runs on; flows send it to source "
           "brokers as `client.rack`. `auto` asks `availability_zone_sources`. "
           "`mirror run --availability-zone` overrides it."),
      list("availability_zone_sources", &NodeSpec::availability_zone_sources, "list of strings",
           "an availability zone source", checks::one_of(checks::availability_zone_source_names()),
           "Where `auto` looks for the AZ, in this order; the first source that answers wins. "
           "Each source at most once.",
           /*unique=*/true),
      text("instance_id", &NodeSpec::instance_id, checks::instance_id(),
           "A name for this process that stays the same across its restarts and differs from every "
           "other instance running the same flows (the Helm chart uses the pod name of a "
           "StatefulSet). With it, flows join their consumer groups as static members "
           "(`group.instance.id`): a restarted instance gets its own partitions back without a "
           "rebalance, and a stopped one keeps them until its session times out "
           "(`session.timeout.ms`, 30 s for static members by default). Empty: dynamic members. "
           "`mirror run --instance-id` overrides it."),
  };
  return table;
}

const Table<HttpSpec>& http_settings() {
  static const Table<HttpSpec> table = {
      text("listen", &HttpSpec::listen, checks::listen_address(),
           "Address of the HTTP server (`/metrics`, `/healthz`, `/readyz`, `/flows`). "
           "`mirror run --http-listen` overrides it."),
      secret("admin_token", &HttpSpec::admin_token, checks::admin_token(),
             "Bearer token of the admin requests `POST /flows/<name>/pause` and `/resume` "
             "(`mirror ctl` sends `$MIRROR_ADMIN_TOKEN`). Empty or absent: they are refused "
             "(403). A secret: write a reference, `${env:MIRROR_ADMIN_TOKEN}` or "
             "`${file:/run/secrets/admin-token}`, rather than the token itself; it is never "
             "logged, served nor shown in messages. Generate one with `openssl rand -hex 32`."),
  };
  return table;
}

const Table<LogSpec>& log_settings() {
  static const Table<LogSpec> table = {
      choice("format", &LogSpec::format, {{"text", LogFormat::Text}, {"json", LogFormat::Json}},
             "How log lines on stderr are written. `text`: `<time> <LEVEL> <component>: "
             "[<flow>: ]<message>`. `json`: one JSON object per line with `time` (UTC, ms), "
             "`level` (`debug`, `info`, `warn`, `error`), `component` (`service`, `flow`, "
             "`control`, `topics`, `rdkafka`, ...), `flow` (on lines about one flow, librdkafka's "
             "included) and `message`, for log shippers. Secrets appear in neither. Applied by a "
             "reload; `mirror run --log-format` overrides it."),
  };
  return table;
}

const Table<MemorySpec>& memory_settings() {
  static const Table<MemorySpec> table = {
      integer("record_buffers_mib", &MemorySpec::record_buffers_mib, checks::between(16, 1048576),
              "MiB of records the process holds for all its flows together: what the source "
              "consumers prefetch and what is in flight to the targets (sent, not acknowledged "
              "yet). Each running flow gets an equal share, half for prefetch and half in flight, "
              "each half between 1 MiB and 32 MiB (so up to 8 flows get the most under the "
              "default; 50 flows hold at most the budget instead of 50 times a fixed limit). Set "
              "it to about half the container's memory limit. A flow's "
              "`consumer: {queued.max.messages.kbytes: ...}` overrides its prefetch half. "
              "Applied by a reload without restarting flows (prefetch shares from each flow's "
              "next session)."),
  };
  return table;
}

const Table<ClusterSpec>& cluster_settings() {
  static const Table<ClusterSpec> table = {
      required(text("bootstrap_servers", &ClusterSpec::bootstrap_servers, checks::non_empty(),
                    "Comma-separated `host:port` list of the cluster's brokers.")),
      choice("rack_id_format", &ClusterSpec::rack_id_format,
             {{"zone-id", RackIdFormat::ZoneId}, {"zone-name", RackIdFormat::ZoneName}},
             "How this cluster's brokers name their racks (`broker.rack`): by zone id "
             "(`use1-az1`) or zone name (`us-east-1a`). Flows reading from this cluster send the "
             "node's AZ in the same form as `client.rack`."),
      properties("properties", &ClusterSpec::properties, &ClusterSpec::secret_properties,
                 &ClusterSpec::property_locations,
                 "librdkafka properties for every client of this cluster (security, SASL, TLS, "
                 "timeouts). Values may use `${env:NAME}` and `${file:PATH}`."),
  };
  return table;
}

const Table<FlowSpec>& flow_settings() {
  using Policy = ReplicationPolicy;
  using Unreplicable = UnreplicableRecords;
  static const Table<FlowSpec> table = {
      required(text("name", &FlowSpec::name, checks::flow_name(),
                    "Unique name of the flow (across all files); used in metrics, logs, "
                    "`/flows` and the consumer group.")),
      required(text("source", &FlowSpec::source, checks::non_empty(),
                    "Name of the cluster to read from (a key of `clusters`).")),
      required(text("target", &FlowSpec::target, checks::non_empty(),
                    "Name of the cluster to write to; must differ from `source`.")),
      boolean("enabled", &FlowSpec::enabled,
              "A disabled flow is validated but not run, and does not count for `/readyz`."),
      list("topics", &FlowSpec::topics, "list of regexes", "a regex", checks::regex(),
           "Source topics to replicate: each regex must match the whole topic name."),
      list("topics_exclude", &FlowSpec::topics_exclude, "list of regexes", "a regex",
           checks::regex(), "Topics never replicated, even when `topics` matches them."),
      boolean("follower_fetching_enabled", &FlowSpec::follower_fetching_enabled,
              "Send the node's AZ as `client.rack` so a rack-aware source serves reads from a "
              "replica in the same AZ (KIP-392). `false`: read from partition leaders."),
      boolean("static_membership_enabled", &FlowSpec::static_membership_enabled,
              "With `node.instance_id` set, join the flow's consumer group as a static member "
              "(`group.instance.id`). `false`: a dynamic member, whose partitions move at once "
              "when it stops."),
      choice("replication_policy", &FlowSpec::replication_policy,
             {{"default", Policy::Default}, {"identity", Policy::Identity}},
             "Target topic naming: `default` prefixes the source cluster name "
             "(`primary.orders`), `identity` keeps the name (`orders`)."),
      text("replication_policy_separator", &FlowSpec::replication_policy_separator,
           checks::non_empty(),
           "Between the source cluster name and the topic name under the `default` policy."),
      choice(
          "provenance_headers_enabled", &FlowSpec::provenance_headers_enabled,
          {{"auto", ProvenanceHeaders::Auto},
           {"true", ProvenanceHeaders::Enabled},
           {"false", ProvenanceHeaders::Disabled}},
          "Stamp every copied record with a `mirror.provenance` header naming the clusters it "
          "was copied from (by cluster id), so that no flow copies it into a cluster it has "
          "been on: what stops loops in active-active pairs and rings under `identity` names. "
          "`auto`: under `identity`. Whatever this says, a flow never copies a record whose "
          "header names its target cluster. The header goes last; the record's own headers "
          "keep their bytes and order. Cost per record, before compression: 18 bytes plus 23 per "
          "cluster named (41 after one hop); see docs/architecture.md."),
      integer("replication_factor", &FlowSpec::replication_factor, checks::replication_factor(),
              "Replication factor of topics mirror creates on the target; -1 uses the target "
              "broker's default."),
      boolean(
          "sync_topic_configs_enabled", &FlowSpec::sync_topic_configs_enabled,
          "Copy topic configs set on source topics (retention, cleanup policy, ...) to their "
          "target topics, at creation and at every topic refresh. `max.message.bytes` is "
          "followed even when the source has it from its broker's default, so the target "
          "accepts every record the source accepted. Settings that would break "
          "or weaken the target are never copied: `min.insync.replicas`, replication throttles, "
          "`message.timestamp.*`, `unclean.leader.election.enable`, tiered-storage settings, "
          "`confluent.*`. Configs are set, never removed."),
      list("config_properties_exclude", &FlowSpec::config_properties_exclude, "list of regexes",
           "a regex", checks::regex(),
           "Topic config names never copied, in addition to the built-in list."),
      boolean("sync_topic_acls_enabled", &FlowSpec::sync_topic_acls_enabled,
              "Copy the ACLs on replicated source topics (literal topic names) to their target "
              "topics, as MirrorMaker 2's `sync.topic.acls.enabled` does: `ALLOW WRITE` is never "
              "copied, `ALLOW ALL` becomes `ALLOW READ`, everything else (DENY entries too) is "
              "copied as it is. An ACL removed on the source is removed on the target if this "
              "flow created it (or found it there, equal to what it would create, when the topic "
              "first came under its sync); ACLs made on the target by hand are left alone. Needs "
              "Describe on the source's ACLs and Alter on the target cluster; failures show in "
              "`/flows` (`acl_sync`) and `mirror_errors_total{kind=\"acl_sync\"}` and never stop "
              "replication."),
      integer("sync_topic_acls_interval_seconds", &FlowSpec::sync_topic_acls_interval_seconds,
              checks::at_least(1), "Seconds between topic ACL sync rounds."),
      integer("refresh_topics_interval_seconds", &FlowSpec::refresh_topics_interval_seconds,
              checks::at_least(1),
              "How often the source's topic list is read again: new matching topics are picked "
              "up, partitions added on the source are added on the target, topic configs synced."),
      boolean("emit_heartbeats_enabled", &FlowSpec::emit_heartbeats_enabled,
              "Write MirrorMaker 2 heartbeat records to the target's `heartbeats` topic."),
      integer("emit_heartbeats_interval_seconds", &FlowSpec::emit_heartbeats_interval_seconds,
              checks::at_least(1), "Seconds between heartbeats."),
      boolean("emit_checkpoints_enabled", &FlowSpec::emit_checkpoints_enabled,
              "Write the committed offsets of the source's consumer groups (`groups`), translated "
              "to target offsets, to `<source>.checkpoints.internal` on the target in MirrorMaker "
              "2's checkpoint format."),
      integer("emit_checkpoints_interval_seconds", &FlowSpec::emit_checkpoints_interval_seconds,
              checks::at_least(1), "Seconds between checkpoint rounds."),
      boolean("sync_group_offsets_enabled", &FlowSpec::sync_group_offsets_enabled,
              "Also commit the translated offsets to the same consumer groups on the target, "
              "while those groups have no active members there."),
      integer("sync_group_offsets_interval_seconds", &FlowSpec::sync_group_offsets_interval_seconds,
              checks::at_least(1), "Seconds between consumer group offset syncs."),
      choice("unreplicable_records", &FlowSpec::unreplicable_records,
             {{"fail", Unreplicable::Fail},
              {"skip", Unreplicable::Skip},
              {"dead_letter", Unreplicable::DeadLetter}},
             "What happens to a record the target refuses for good (larger than the target "
             "topic's `max.message.bytes`, an invalid record, a broker policy; not connection "
             "trouble or timeouts, which are retried). `fail`: its partition stops there (the "
             "other partitions go on), nothing after it is committed, and the flow shows `state: "
             "stalled` with topic, partition, offset and reason. `skip`: the record is counted in "
             "`mirror_records_skipped_total`, logged, and replication goes on after it. "
             "`dead_letter`: the record goes to `dead_letter_topic` on the target (only its "
             "key and headers when the record is too large for that topic too), with headers "
             "`mirror.source.topic`, `mirror.source.partition`, `mirror.source.offset` and "
             "`mirror.error`; its source offset counts as done once that write is acknowledged. A "
             "dead letter that cannot be written stops the partition as `fail` does."),
      text("dead_letter_topic", &FlowSpec::dead_letter_topic, checks::topic_name_or_empty(),
           "The target topic of `unreplicable_records: dead_letter` (created with one partition "
           "and the flow's `replication_factor` when missing). Empty: "
           "`<source><replication_policy_separator>mirror.dead-letter`, for example "
           "`primary.mirror.dead-letter`."),
      list("groups", &FlowSpec::groups, "list of regexes", "a regex", checks::regex(),
           "Consumer groups whose offsets are checkpointed: each regex must match the whole "
           "group id."),
      list("groups_exclude", &FlowSpec::groups_exclude, "list of regexes", "a regex",
           checks::regex(),
           "Consumer groups never checkpointed nor synced. Groups named `mirror-<flow>` (the "
           "replicator's own) never are."),
      properties("consumer", &FlowSpec::consumer, &FlowSpec::secret_properties,
                 &FlowSpec::consumer_locations,
                 "librdkafka properties for this flow's source consumer; override the source "
                 "cluster's `properties`."),
      properties("producer", &FlowSpec::producer, &FlowSpec::secret_properties,
                 &FlowSpec::producer_locations,
                 "librdkafka properties for this flow's target producer; override the target "
                 "cluster's `properties`."),
      integer("target_producers", &FlowSpec::target_producers, checks::between(1, 32),
              "Producers that write this flow's records to the target, each with its own "
              "connection to every target broker (the `producer:` properties apply to each); a "
              "partition always goes through the same one, so its order is kept. librdkafka "
              "keeps at most 5 produce requests in flight per connection (idempotence) and puts "
              "one partition's batch in each, so across a link of round trip RTT one producer "
              "carries at most 5 batches per RTT: about 125 MB/s at 1 MB batches and 40 ms "
              "(docs/benchmarks.md, WAN). More producers cover a longer round trip; each costs "
              "one librdkafka client (threads, connections). Exactly-once flows write through "
              "one."),
      boolean("exactly_once_delivery_enabled", &FlowSpec::exactly_once_delivery_enabled,
              "Copy each record exactly once: the target producer is transactional, and the "
              "records and the flow's source position commit on the target in one transaction "
              "(about every second), so a `read_committed` consumer of the target sees each "
              "record once after any crash; the source is read `read_committed` (aborted source "
              "transactions are not copied), and the flow resumes from the position on the "
              "target (group `mirror-<flow>-exactly-once`). Needs a target that supports "
              "transactions, and the rights to use transactional ids `mirror-<flow>-*`."),
  };
  return table;
}

// A name for a flow in messages: "flow 'a-to-b'" when its name is written plainly, else "flow".
// (Iterates rather than using operator[]: yaml-cpp throws on a missing key's node.)
std::string describe_flow(const YAML::Node& flow) {
  for (const auto& pair : flow) {
    const YAML::Node& key = pair.first;
    const YAML::Node& value = pair.second;
    if (key.IsScalar() && key.Scalar() == "name" && value.IsScalar() &&
        value.Scalar().find("${") == std::string::npos) {
      return "flow " + quote(value.Scalar());
    }
  }
  return "flow";
}

void read_clusters(Reader& r, const Entry& e, Document& d) {
  if (e.value.IsNull()) return;
  if (!e.value.IsMap()) {
    r.error(e.value_at, "clusters: expected a mapping of cluster names to clusters, got " +
                            describe_kind(e.value));
    d.clusters_readable = false;
    return;
  }
  for (const Entry& entry : r.entries(e.value)) {
    if (auto problem = checks::cluster_name().problem(entry.key)) {
      r.error(entry.key_at, "clusters: " + *problem + ", got " + quote(entry.key));
    }
    ClusterSpec cluster;
    cluster.name = entry.key;
    cluster.location = entry.key_at;
    read_section(r, entry.value, entry.key_at, cluster_settings(), "cluster " + quote(entry.key),
                 cluster);
    d.service.clusters[entry.key] = std::move(cluster);
  }
}

void read_flows(Reader& r, const Entry& e, Document& d) {
  if (e.value.IsNull()) return;
  if (!e.value.IsSequence()) {
    r.error(e.value_at, "flows: expected a list of flows, got " + describe_kind(e.value));
    return;
  }
  size_t index = 0;
  for (const YAML::Node& item : e.value) {
    std::string label = "flows[" + std::to_string(index++) + "]";
    // An empty item's mark is the next token's, so point at the list instead.
    Location item_at = item.IsNull() ? e.value_at : r.at(item);
    if (!item.IsMap()) {
      r.error(item_at, label + ": expected a mapping (a flow), got " + describe_kind(item));
      continue;
    }
    FlowDraft draft;
    draft.spec.location = item_at;
    draft.entries =
        read_section(r, item, item_at, flow_settings(), describe_flow(item), draft.spec);
    d.flows.push_back(std::move(draft));
  }
}

// Top-level keys. Leaving a section out means "all defaults" (`{}`) or "none" (`[]`).
template <typename Spec>
Setting<Document> section(std::string name, Spec ServiceSpec::*field, const Table<Spec>& table,
                          std::string help) {
  Setting<Document> setting{name, "mapping", "", std::move(help)};
  setting.show = [](const Document&) { return std::string("{}"); };
  setting.read = [field, &table, name](Reader& r, const Entry& e, Document& d) {
    read_section(r, e.value, e.value_at, table, name, d.service.*field);
  };
  return setting;
}

Setting<Document> clusters_setting() {
  Setting<Document> setting{"clusters", "map of cluster", "",
                            "Kafka clusters by name; see `clusters.<name>` below."};
  setting.show = [](const Document&) { return std::string("{}"); };
  setting.read = read_clusters;
  return setting;
}

Setting<Document> flows_setting() {
  Setting<Document> setting{"flows", "list of flows", "",
                            "The replication flows; see `flows[]` below."};
  setting.show = [](const Document&) { return std::string("[]"); };
  setting.read = read_flows;
  return setting;
}

const Table<Document>& config_file_settings() {
  static const Table<Document> table = {
      section("node", &ServiceSpec::node, node_settings(),
              "Where this process runs; see `node` below."),
      section("http", &ServiceSpec::http, http_settings(), "The HTTP server; see `http` below."),
      section("log", &ServiceSpec::log, log_settings(), "Log lines; see `log` below."),
      section("memory", &ServiceSpec::memory, memory_settings(),
              "Memory the flows share; see `memory` below."),
      clusters_setting(),
      flows_setting(),
  };
  return table;
}

const Table<Document>& flow_file_settings() {
  static const Table<Document> table = {required(flows_setting())};
  return table;
}

}  // namespace

void read_config_document(Reader& reader, const YAML::Node& root, Document& out) {
  read_section(reader, root, reader.at(root), config_file_settings(), "the config file", out);
}

void read_flow_document(Reader& reader, const YAML::Node& root, Document& out) {
  read_section(reader, root, reader.at(root), flow_file_settings(), "a flow file", out);
}

std::string reference_markdown() {
  std::string out;
  out += "### Config file (top level)\n\n" + render_table(config_file_settings());
  out += "\nA flow file (`--flows`) holds only `flows:`.\n";
  out += "\n### `node`\n\n" + render_table(node_settings());
  out += "\n### `http`\n\n" + render_table(http_settings());
  out += "\n### `log`\n\n" + render_table(log_settings());
  out += "\n### `memory`\n\n" + render_table(memory_settings());
  out += "\n### `clusters.<name>`\n\n";
  out += "A cluster name is " + checks::cluster_name().allowed + ".\n\n";
  out += render_table(cluster_settings());
  out += "\n### `flows[]`\n\n" + render_table(flow_settings());
  out += "\n### Properties mirror manages\n\n";
  out += "Refused in cluster `properties` and in flow `consumer` and `producer`:\n\n";
  out += "| Property | Allowed values | Why |\n|---|---|---|\n";
  for (const ManagedProperty& rule : managed_properties()) {
    std::string allowed;
    for (std::string_view value : rule.allowed) {
      allowed += (allowed.empty() ? "" : ", ") + code_cell(std::string(value));
    }
    out += "| `" + std::string(rule.name) + "` | " + (allowed.empty() ? "none" : allowed) + " | " +
           markdown_cell(std::string(rule.reason)) + " |\n";
  }
  return out;
}

}  // namespace mirror::config
