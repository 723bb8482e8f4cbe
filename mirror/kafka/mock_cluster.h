// An in-process librdkafka mock cluster (rdkafka_mock.h) for the demo and the integration tests,
// with the cluster administration the mock itself lacks (it has no admin API).
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/kafka/admin.h"
#include "mirror/kafka/handles.h"

namespace mirror::kafka {

class MockCluster {
 public:
  // `racks[i]` is the rack of broker i+1 (brokers are numbered from 1); empty: no racks.
  static Result<std::unique_ptr<MockCluster>> start(int brokers, std::vector<std::string> racks = {});
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  const std::string& bootstraps() const { return bootstraps_; }
  rd_kafka_mock_cluster_t* raw() { return cluster_; }
  int broker_count() const { return brokers_; }
  const std::map<int32_t, std::string>& racks() const { return racks_; }

  Status create_topic(const std::string& topic, int partitions, int replication_factor);
  void set_leader(const std::string& topic, int32_t partition, int32_t broker);
  // The broker's part in KIP-392: name `broker` (or nobody, -1) as preferred read replica.
  void set_follower(const std::string& topic, int32_t partition, int32_t broker);
  void set_broker_up(int32_t broker, bool up);

  // Administration backed by this mock: racks as configured, topics created in the mock.
  std::unique_ptr<ClusterAdmin> admin();

 private:
  MockCluster() = default;
  int brokers_ = 0;
  std::map<int32_t, std::string> racks_;
  std::string bootstraps_;
  HandlePtr host_;                             // the mock cluster lives inside this handle
  rd_kafka_mock_cluster_t* cluster_ = nullptr;  // destroyed before host_ (see the destructor)
};

}  // namespace mirror::kafka
