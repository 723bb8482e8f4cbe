// Cluster metadata and admin operations, each bounded by a deadline.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "mirror/common/result.h"

namespace mirror::kafka {

using Deadline = std::chrono::steady_clock::time_point;

inline Deadline deadline_in(std::chrono::milliseconds d) {
  return std::chrono::steady_clock::now() + d;
}

struct BrokerInfo {
  int32_t id = -1;
  std::string host;
  int port = 0;
  std::string rack;  // empty when the broker has no broker.rack
};

struct PartitionInfo {
  int32_t id = 0;
  int32_t leader = -1;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
};

struct TopicInfo {
  std::string name;
  std::vector<PartitionInfo> partitions;
};

struct ClusterInfo {
  // The cluster's id (as Metadata and DescribeCluster report it; empty when the broker sends
  // none): what names a cluster whatever alias a configuration gives it.
  std::string cluster_id;
  std::map<int32_t, BrokerInfo> brokers;  // with racks
  std::map<std::string, TopicInfo> topics;
  std::string rack_of(int32_t broker) const;
};

// Every topic with its partition placement, every broker (racks not filled: Metadata as exposed
// by librdkafka carries none; see ClusterAdmin::broker_racks) and the cluster id. Topics that
// failed to load are left out.
Result<ClusterInfo> read_metadata(rd_kafka_t* rk, Deadline deadline);

struct NewTopic {
  std::string name;
  int partitions = 1;
  int replication_factor = -1;  // -1: broker default
  std::map<std::string, std::string> configs;
};

// One topic config as DescribeConfigs reports it.
struct ConfigEntry {
  std::string value;
  bool is_default =
      false;  // the broker's (or the static broker config's) value, not set on the topic
  bool read_only = false;
  bool sensitive = false;
};
using TopicConfigs = std::map<std::string, ConfigEntry>;

using TopicPartitionKey = std::pair<std::string, int32_t>;

struct CommittedOffset {
  int64_t offset = -1;
  std::string metadata;
};
using GroupOffsets = std::map<TopicPartitionKey, CommittedOffset>;

struct GroupState {
  bool exists = false;
  int members = 0;    // active members; 0 for an empty or dead group
  std::string state;  // "Stable", "Empty", "Dead", ... as the broker names it
};

// Kafka's ACL operations and permissions (the values librdkafka names; `Unknown` for anything
// else a broker may answer with).
enum class AclOperation {
  Unknown,
  All,
  Read,
  Write,
  Create,
  Delete,
  Alter,
  Describe,
  ClusterAction,
  DescribeConfigs,
  AlterConfigs,
  IdempotentWrite
};
enum class AclPermission { Unknown, Allow, Deny };
const char* to_string(AclOperation operation);    // "READ", "ALL", ... as Kafka names them
const char* to_string(AclPermission permission);  // "ALLOW", "DENY"

// One ACL on a topic by its literal name (resource type TOPIC, pattern type LITERAL).
struct AclBinding {
  std::string topic;
  std::string principal;  // "User:alice"
  std::string host;       // "*" for every host
  AclOperation operation = AclOperation::Unknown;
  AclPermission permission = AclPermission::Unknown;
  bool operator==(const AclBinding&) const = default;
  // (Not <=>: clang-tidy's modernize-use-nullptr misreads a defaulted one.)
  bool operator<(const AclBinding& o) const {
    return std::tie(topic, principal, host, operation, permission) <
           std::tie(o.topic, o.principal, o.host, o.operation, o.permission);
  }
};
// "ALLOW READ for User:alice from * on topic 'orders'" (for log lines and errors).
std::string describe(const AclBinding& acl);

// Cluster administration a flow needs. The real implementation uses librdkafka's Admin API on a
// client handle; the in-process mock cluster has no admin API, so the demo and the integration
// tests plug in one backed by rdkafka_mock.h (testkit/mock_cluster.h).
class ClusterAdmin {
 public:
  virtual ~ClusterAdmin() = default;
  // Every topic with its partition placement, and every broker (racks not filled; read_metadata).
  virtual Result<ClusterInfo> metadata(Deadline deadline) = 0;
  // Broker id -> broker.rack (empty when unset), from DescribeCluster.
  virtual Result<std::map<int32_t, std::string>> broker_racks(Deadline deadline) = 0;
  // Creates topics; one that already exists counts as success. Returns one error per failed topic.
  virtual Result<std::map<std::string, Error>> create_topics(const std::vector<NewTopic>& topics,
                                                             Deadline deadline) = 0;
  // Grows a topic to `total` partitions.
  virtual Status create_partitions(const std::string& topic, int total, Deadline deadline) = 0;

  // Topic configs of each named topic (DescribeConfigs). A topic whose description failed is left
  // out of the answer; the call fails only when the request as a whole does.
  virtual Result<std::map<std::string, TopicConfigs>> describe_topic_configs(
      const std::vector<std::string>& topics, Deadline deadline) = 0;
  // Sets the given configs on a topic, leaving its other configs as they are
  // (IncrementalAlterConfigs, SET).
  virtual Status alter_topic_configs(const std::string& topic,
                                     const std::map<std::string, std::string>& set,
                                     Deadline deadline) = 0;

  // Ids of the cluster's consumer groups (ListConsumerGroups).
  virtual Result<std::vector<std::string>> list_groups(Deadline deadline) = 0;
  // A group's committed offsets (ListConsumerGroupOffsets); partitions without a commit left out.
  virtual Result<GroupOffsets> group_offsets(const std::string& group, Deadline deadline) = 0;
  // Whether a group exists and how many members it has (DescribeConsumerGroups).
  virtual Result<GroupState> describe_group(const std::string& group, Deadline deadline) = 0;
  // Commits offsets for a group that has no active members (AlterConsumerGroupOffsets).
  virtual Status commit_group_offsets(const std::string& group, const GroupOffsets& offsets,
                                      Deadline deadline) = 0;

  // Every ACL on a literal topic name (DescribeAcls: resource TOPIC, pattern LITERAL, any
  // principal, host, operation and permission); the wildcard topic "*" included. A cluster without
  // an authorizer answers with an error (SECURITY_DISABLED).
  virtual Result<std::vector<AclBinding>> describe_topic_acls(Deadline deadline) = 0;
  // Creates literal topic ACLs (CreateAcls; creating one that exists succeeds). Returns one error
  // per ACL that failed; the call fails only when the request as a whole does.
  virtual Result<std::map<AclBinding, Error>> create_acls(const std::vector<AclBinding>& acls,
                                                          Deadline deadline) = 0;
  // Deletes exactly the given literal topic ACLs (DeleteAcls, one filter per ACL matching it and
  // nothing else; one that does not exist counts as deleted). Returns one error per ACL that
  // failed; the call fails only when the request as a whole does.
  virtual Result<std::map<AclBinding, Error>> delete_acls(const std::vector<AclBinding>& acls,
                                                          Deadline deadline) = 0;
};

// The Admin API on `rk` (not owned; must outlive the returned object).
std::unique_ptr<ClusterAdmin> make_admin(rd_kafka_t* rk);

// Chooses the admin for a cluster (by its name in the configuration) given a client handle.
using AdminFactory =
    std::function<std::unique_ptr<ClusterAdmin>(rd_kafka_t* rk, const std::string& cluster)>;

// Synchronous offset commit bounded by a deadline (async commit on a private queue).
Status commit_offsets(rd_kafka_t* consumer, const rd_kafka_topic_partition_list_t* offsets,
                      Deadline deadline);

// Called with the final revocation while a consumer closes; must (incrementally) unassign.
using RevokeHandler =
    std::function<void(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions)>;

// Leaves the group and closes the consumer within the deadline (rd_kafka_consumer_close_queue).
// The final revocation goes to `on_revoke`; without one the partitions are simply unassigned.
Status close_consumer(rd_kafka_t* consumer, Deadline deadline, const RevokeHandler& on_revoke = {});

// Waits for every queued message to be delivered or fail, within the deadline.
Status flush(rd_kafka_t* producer, Deadline deadline);

std::string err_name(rd_kafka_resp_err_t err);

}  // namespace mirror::kafka
