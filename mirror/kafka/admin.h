// Cluster metadata and admin operations, each bounded by a deadline.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mirror/common/result.h"

namespace mirror::kafka {

using Deadline = std::chrono::steady_clock::time_point;

inline Deadline deadline_in(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }

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
  std::map<int32_t, BrokerInfo> brokers;  // with racks
  std::map<std::string, TopicInfo> topics;
  std::string rack_of(int32_t broker) const;
};

// Every topic with its partition placement, and every broker (racks not filled: Metadata as exposed
// by librdkafka carries none; see ClusterAdmin::broker_racks). Topics that failed to load are left out.
Result<ClusterInfo> read_metadata(rd_kafka_t* rk, Deadline deadline);

struct NewTopic {
  std::string name;
  int partitions = 1;
  int replication_factor = -1;  // -1: broker default
  std::map<std::string, std::string> configs;
};

// Cluster administration a flow needs. The real implementation uses librdkafka's Admin API on a
// client handle; the in-process mock cluster has no admin API, so the demo and the integration
// tests plug in one backed by rdkafka_mock.h (mock_cluster.h).
class ClusterAdmin {
 public:
  virtual ~ClusterAdmin() = default;
  // Broker id -> broker.rack (empty when unset), from DescribeCluster.
  virtual Result<std::map<int32_t, std::string>> broker_racks(Deadline deadline) = 0;
  // Creates topics; one that already exists counts as success. Returns one error per failed topic.
  virtual Result<std::map<std::string, Error>> create_topics(const std::vector<NewTopic>& topics,
                                                             Deadline deadline) = 0;
  // Grows a topic to `total` partitions.
  virtual Status create_partitions(const std::string& topic, int total, Deadline deadline) = 0;
};

// The Admin API on `rk` (not owned; must outlive the returned object).
std::unique_ptr<ClusterAdmin> make_admin(rd_kafka_t* rk);

// Chooses the admin for a cluster (by its name in the configuration) given a client handle.
using AdminFactory = std::function<std::unique_ptr<ClusterAdmin>(rd_kafka_t* rk, const std::string& cluster)>;

// Synchronous offset commit bounded by a deadline (async commit on a private queue).
Status commit_offsets(rd_kafka_t* consumer, const rd_kafka_topic_partition_list_t* offsets,
                      Deadline deadline);

// Called with the final revocation while a consumer closes; must (incrementally) unassign.
using RevokeHandler = std::function<void(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions)>;

// Leaves the group and closes the consumer within the deadline (rd_kafka_consumer_close_queue).
// The final revocation goes to `on_revoke`; without one the partitions are simply unassigned.
Status close_consumer(rd_kafka_t* consumer, Deadline deadline, const RevokeHandler& on_revoke = {});

// Waits for every queued message to be delivered or fail, within the deadline.
Status flush(rd_kafka_t* producer, Deadline deadline);

std::string err_name(rd_kafka_resp_err_t err);

}  // namespace mirror::kafka
