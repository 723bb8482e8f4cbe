// Which source topics a flow replicates and what they are called on the target.
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/config/spec.h"

namespace mirror::topics {

// Full-match include/exclude regexes.
class TopicFilter {
 public:
  static Result<TopicFilter> make(const std::vector<std::string>& include,
                                  const std::vector<std::string>& exclude);
  bool matches(const std::string& topic) const;

 private:
  std::vector<std::regex> include_;
  std::vector<std::regex> exclude_;
};

// MirrorMaker 2's naming: `default` prefixes the source cluster's name ("primary.orders"),
// `identity` keeps the name.
class NamingPolicy {
 public:
  NamingPolicy(config::ReplicationPolicy policy, std::string source_cluster,
               std::string target_cluster, std::string separator);

  // Heartbeats topics are always prefixed, under `identity` too (as MM2's IdentityReplicationPolicy
  // does), so that a cluster's own `heartbeats` never mixes with replicated ones.
  std::string target_topic(const std::string& source_topic) const;

  // MM2's heartbeats topics: `heartbeats` itself, or a replica of one ("primary.heartbeats").
  bool is_heartbeats(const std::string& topic) const;

  // True when `topic` on the source is itself a replica that has been through the target cluster
  // anywhere in its chain of prefixes ("backup.orders" or "us.backup.orders" when replicating
  // primary -> backup under `default`), as MM2's replication-policy chain does: sending it on
  // would loop. Identity names carry no origin, so nothing is detected under `identity` (its
  // records' provenance headers are what stops loops there, flow/provenance.h).
  bool is_from_target(const std::string& topic) const;

 private:
  config::ReplicationPolicy policy_;
  std::string source_;
  std::string target_;
  std::string separator_;
};

// Internal topics mirror and MirrorMaker 2 keep for themselves; never replicated. Among them the
// dead-letter topics of the default name (`...mirror.dead-letter`).
bool is_internal_topic(const std::string& topic);

// The flow's dead-letter topic on the target: `dead_letter_topic`, or by default
// `<source><replication_policy_separator>mirror.dead-letter`.
std::string dead_letter_topic(const config::FlowSpec& flow, const std::string& source_cluster);

// The whole decision for one source topic. Heartbeats topics are replicated whatever the filter
// says (as MM2 does), so that monitoring downstream sees every hop.
bool should_replicate(const std::string& topic, const TopicFilter& filter,
                      const NamingPolicy& naming);

}  // namespace mirror::topics
