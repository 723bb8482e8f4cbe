// The validated, resolved service specification: what the loader produces and the rest of the
// service consumes. Field names follow the YAML keys of docs/configuration.md.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mirror::config {

enum class RackIdFormat { ZoneId, ZoneName };
enum class ReplicationPolicy { Default, Identity };
// What a flow does with a record the target refuses for good (flow/pipeline.h).
enum class UnreplicableRecords { Fail, Skip, DeadLetter };
// Whether a flow stamps provenance headers (flow/provenance.h): `auto` does under `identity`.
enum class ProvenanceHeaders { Auto, Enabled, Disabled };

// A place in an input file, 1-based. line == 0 means "the file as a whole".
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
  bool operator==(const Location&) const = default;
};

struct ClusterSpec {
  std::string name;
  std::string bootstrap_servers;
  RackIdFormat rack_id_format = RackIdFormat::ZoneId;
  // librdkafka properties for every client of this cluster, with ${env:..}/${file:..} resolved.
  std::map<std::string, std::string> properties;
  // Property names whose values are secret (came from a reference, or are password/secret/key
  // settings). Their values must never be logged or served.
  std::set<std::string> secret_properties;
  std::map<std::string, Location> property_locations;  // where each of `properties` was set
  Location location;
  bool operator==(const ClusterSpec&) const = default;
};

struct FlowSpec {
  std::string name;
  std::string source;
  std::string target;
  bool enabled = true;
  std::vector<std::string> topics{".*"};
  std::vector<std::string> topics_exclude{".*[-.]internal", ".*\\.replica", "__.*"};
  bool follower_fetching_enabled = true;
  bool static_membership_enabled = true;  // effective with node.instance_id
  ReplicationPolicy replication_policy = ReplicationPolicy::Default;
  std::string replication_policy_separator = ".";
  ProvenanceHeaders provenance_headers_enabled = ProvenanceHeaders::Auto;
  int replication_factor = -1;
  bool sync_topic_configs_enabled = true;
  std::vector<std::string> config_properties_exclude{};
  bool sync_topic_acls_enabled = false;
  int sync_topic_acls_interval_seconds = 600;
  int refresh_topics_interval_seconds = 30;
  bool emit_heartbeats_enabled = true;
  int emit_heartbeats_interval_seconds = 1;
  bool emit_checkpoints_enabled = true;
  int emit_checkpoints_interval_seconds = 60;
  bool sync_group_offsets_enabled = false;
  int sync_group_offsets_interval_seconds = 60;
  UnreplicableRecords unreplicable_records = UnreplicableRecords::Fail;
  std::string dead_letter_topic;  // "" = <source><replication_policy_separator>mirror.dead-letter
  std::vector<std::string> groups{".*"};
  std::vector<std::string> groups_exclude{};
  std::map<std::string, std::string> consumer;  // librdkafka overrides, source consumer
  std::map<std::string, std::string> producer;  // librdkafka overrides, target producer
  int target_producers = 2;  // producers (connections) the record path writes to the target with
  // Records and the source position committed on the target in one transaction
  // (flow/exactly_once.h).
  bool exactly_once_delivery_enabled = false;
  std::set<std::string> secret_properties;             // names in consumer/producer that are secret
  std::map<std::string, Location> consumer_locations;  // where each of `consumer` was set
  std::map<std::string, Location> producer_locations;  // where each of `producer` was set
  Location location;                                   // where the flow's mapping starts
  bool operator==(const FlowSpec&) const = default;
};

struct NodeSpec {
  std::string availability_zone = "auto";  // "auto" or a literal AZ
  std::vector<std::string> availability_zone_sources{"env", "file", "kubernetes",
                                                     "aws", "gcp",  "azure"};
  std::string instance_id;  // stable name of this process among the flow's instances; "" = none
  bool operator==(const NodeSpec&) const = default;
};

struct HttpSpec {
  std::string listen = "0.0.0.0:9464";
  // Bearer token of the admin routes (POST /flows/<name>/pause|resume); "" = admin refused. A
  // secret, whether it came from a reference or was written literally: never log or serve it.
  std::string admin_token;
};

enum class LogFormat { Text, Json };

// The process's log lines on stderr (common/log.h).
struct LogSpec {
  LogFormat format = LogFormat::Text;
  bool operator==(const LogSpec&) const = default;
};

// Memory the process's flows share (flow/budget.h).
struct MemorySpec {
  int record_buffers_mib = 512;  // prefetched from sources plus in flight to targets, all flows
  bool operator==(const MemorySpec&) const = default;
};

struct ServiceSpec {
  NodeSpec node;
  HttpSpec http;
  LogSpec log;
  MemorySpec memory;
  std::map<std::string, ClusterSpec> clusters;
  std::vector<FlowSpec> flows;  // config file's flows first, then each --flows path in order
};

// Equal settings, wherever they were written (a reload compares what a flow or cluster would do,
// not the lines it was read from: a comment added above it changes nothing).
bool same_settings(const ClusterSpec& a, const ClusterSpec& b);
bool same_settings(const FlowSpec& a, const FlowSpec& b);

// Whether the flow's records carry provenance headers: `provenance_headers_enabled`, where `auto`
// means under `identity` names.
bool stamps_provenance(const FlowSpec& flow);

}  // namespace mirror::config
