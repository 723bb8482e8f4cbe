// One flow's topics kept in line on the target, one round at a time, on the flow's control thread:
//   1. read the source's metadata and broker racks;
//   2. select the topics to replicate (filter, internal topics, cycles; topics/naming.h);
//   3. create missing target topics with the source's partition count, the flow's replication
//      factor and the copied configs; grow target topics whose source has more partitions;
//   4. bring the copied configs of existing target topics in line (config_sync.h).
// The result is the routing snapshot for the record thread: every selected topic whose target
// topic exists, with the partitions the target has. A topic whose target cannot be created stays
// out (and is tried again next round); a topic whose growth failed stays in with fewer target
// partitions (the record thread holds back the partitions beyond).
//
// Every admin call is bounded by `call_timeout`. Problems are reported, never thrown; the round
// fails as a whole only when the source's or the target's metadata cannot be read, or when the
// clusters' ids do not allow the flow (a stamping flow needs both; no identity flow copies a
// cluster onto itself).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/config/spec.h"
#include "mirror/kafka/admin.h"
#include "mirror/metrics/problems.h"
#include "mirror/topics/config_sync.h"
#include "mirror/topics/naming.h"
#include "mirror/topics/routing.h"

namespace mirror::topics {

class TopicSyncer {
 public:
  // Fails on a bad regex (validated configurations have none).
  static Result<TopicSyncer> make(const config::FlowSpec& flow, const std::string& source_cluster,
                                  const std::string& target_cluster);

  struct Round {
    Routing routing;                         // version 0: the caller numbers snapshots
    std::vector<metrics::Problem> problems;  // what went wrong this round (the round went on)
  };
  Result<Round> sync(kafka::ClusterAdmin& source, kafka::ClusterAdmin& target,
                     std::chrono::milliseconds call_timeout);

 private:
  TopicSyncer(std::string flow, TopicFilter filter, NamingPolicy naming,
              std::optional<ConfigSyncPolicy> config_sync, int replication_factor,
              std::string source_cluster, std::string target_cluster)
      : flow_(std::move(flow)),
        filter_(std::move(filter)),
        naming_(std::move(naming)),
        config_sync_(std::move(config_sync)),
        replication_factor_(replication_factor),
        source_cluster_(std::move(source_cluster)),
        target_cluster_(std::move(target_cluster)) {}

  Status check_cluster_ids(const Routing& routing) const;
  std::map<std::string, kafka::TopicConfigs> read_source_configs(
      kafka::ClusterAdmin& source, const std::vector<const kafka::TopicInfo*>& topics,
      std::chrono::milliseconds timeout, std::vector<metrics::Problem>& problems) const;
  void prepare_targets(kafka::ClusterAdmin& target, const kafka::ClusterInfo& target_info,
                       const std::vector<const kafka::TopicInfo*>& topics,
                       const std::map<std::string, kafka::TopicConfigs>& source_configs,
                       std::chrono::milliseconds timeout, Round& round) const;
  void sync_configs(kafka::ClusterAdmin& target, const Routing& routing,
                    const std::map<std::string, kafka::TopicConfigs>& source_configs,
                    std::chrono::milliseconds timeout,
                    std::vector<metrics::Problem>& problems) const;

  std::string flow_;  // for log lines
  TopicFilter filter_;
  NamingPolicy naming_;
  std::optional<ConfigSyncPolicy> config_sync_;  // set when sync_topic_configs_enabled
  int replication_factor_;
  std::string source_cluster_;
  std::string target_cluster_;
  bool stamps_provenance_ = false;  // the flow's records carry provenance headers
  bool identity_ = false;           // replication_policy: identity
  // The broker racks read so far: a read that fails keeps them, and a broker missing from a read
  // (down) keeps its last one.
  std::map<int32_t, std::string> racks_;
};

}  // namespace mirror::topics
