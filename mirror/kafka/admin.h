// Cluster metadata and admin operations, each bounded by a deadline.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <map>
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

// All topics (or just `topics` when non-empty) with partition placement, plus every broker and its
// rack (DescribeCluster). Topics that failed to load are left out.
Result<ClusterInfo> describe_cluster(rd_kafka_t* rk, Deadline deadline, bool with_racks = true,
                                     const std::vector<std::string>& topics = {});

struct NewTopic {
  std::string name;
  int partitions = 1;
  int replication_factor = -1;  // -1: broker default
  std::map<std::string, std::string> configs;
};

// Creates topics; a topic that already exists counts as success. Returns one error per failed topic.
Result<std::map<std::string, Error>> create_topics(rd_kafka_t* rk, const std::vector<NewTopic>& topics,
                                                   Deadline deadline);

// Grows a topic to `total` partitions.
Status create_partitions(rd_kafka_t* rk, const std::string& topic, int total, Deadline deadline);

// Synchronous offset commit bounded by a deadline (async commit on a private queue).
Status commit_offsets(rd_kafka_t* consumer, const rd_kafka_topic_partition_list_t* offsets,
                      Deadline deadline);

// Leaves the group and closes the consumer within the deadline (rd_kafka_consumer_close_queue).
Status close_consumer(rd_kafka_t* consumer, Deadline deadline);

// Waits for every queued message to be delivered or fail, within the deadline.
Status flush(rd_kafka_t* producer, Deadline deadline);

std::string err_name(rd_kafka_resp_err_t err);

}  // namespace mirror::kafka
