// Test double (testkit: linked by the tests and the demo, never by the service library). An
// in-process librdkafka mock cluster (rdkafka_mock.h) for the demo and the integration tests, with
// the cluster administration the mock itself lacks (it has no admin API).
//
// What the admin() of a mock cluster does, operation by operation (librdkafka 2.8.0's mock):
//  - broker_racks, create_topics: from this object (racks as configured; topics created in the
//  mock).
//  - describe_topic_configs / alter_topic_configs: an in-memory store kept here (the mock has no
//    DescribeConfigs/IncrementalAlterConfigs). A topic's configs are the ones it was created with
//    plus whatever was altered since, all reported as set on the topic (is_default false); there
//    are no broker defaults. Only topics created through this object are known; others are left
//    out of a description and cannot be altered.
//  - group_offsets / commit_group_offsets: the mock's own group coordinator, through the Admin
//    API's ListConsumerGroupOffsets / AlterConsumerGroupOffsets (FindCoordinator, OffsetFetch and
//    OffsetCommit, which the mock serves) on a client of the mock created on first use. Offsets
//    committed by real consumers of the mock are seen and vice versa. The mock's OffsetFetch has no
//    "all partitions", so group_offsets asks for every partition of the mock's topics at the time.
//    A commit into a group registered with members fails with UNKNOWN_MEMBER_ID, as on a real
//    broker; so does one into a group that a consumer has ever joined on the mock, even once it is
//    empty (the mock keeps such groups for its lifetime; a real broker accepts the commit then).
//  - list_groups / describe_group: the mock does not implement ListGroups or DescribeGroups, so
//    these answer from a registry kept here: groups named by register_group() (with a member
//    count) and groups that commit_group_offsets() committed for (Empty, as on a real broker).
//    Groups that consumers joined on the mock are NOT listed unless registered.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/kafka/admin.h"
#include "mirror/kafka/handles.h"

namespace mirror::testkit {

class MockCluster {
 public:
  // `racks[i]` is the rack of broker i+1 (brokers are numbered from 1); empty: no racks.
  static Result<std::unique_ptr<MockCluster>> start(int brokers,
                                                    std::vector<std::string> racks = {});
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  const std::string& bootstraps() const { return bootstraps_; }
  rd_kafka_mock_cluster_t* raw() { return cluster_; }
  int broker_count() const { return brokers_; }
  const std::map<int32_t, std::string>& racks() const { return racks_; }

  // Creates a topic; `configs` become the topic's configs in the config store (see above).
  Status create_topic(const std::string& topic, int partitions, int replication_factor,
                      const std::map<std::string, std::string>& configs = {});
  void set_leader(const std::string& topic, int32_t partition, int32_t broker);
  // The broker's part in KIP-392: name `broker` (or nobody, -1) as preferred read replica.
  void set_follower(const std::string& topic, int32_t partition, int32_t broker);
  void set_broker_up(int32_t broker, bool up);

  // The group registry behind list_groups/describe_group (see above): `members` active members
  // (0: an Empty group, else Stable). Registering again updates the member count.
  void register_group(const std::string& group, int members = 0);
  // Registers an Empty group unless the group is registered already (commit_group_offsets does).
  void register_group_if_absent(const std::string& group);
  // Removes a group from the registry (describe_group then says it does not exist).
  void forget_group(const std::string& group);
  // The registry: group -> active members.
  std::map<std::string, int> groups() const;

  // The config store: a topic's configs (nullopt for a topic not created through this object),
  // and setting some of them (an error for such a topic).
  std::optional<std::map<std::string, std::string>> topic_configs(const std::string& topic) const;
  Status set_topic_configs(const std::string& topic, const std::map<std::string, std::string>& set);

  // Administration backed by this mock (see above). Must not outlive this object.
  std::unique_ptr<kafka::ClusterAdmin> admin();

 private:
  MockCluster() = default;

  mutable std::mutex mu_;  // guards the maps below
  std::map<std::string, std::map<std::string, std::string>>
      topic_configs_;                  // topic -> name -> value
  std::map<std::string, int> groups_;  // group -> active members
  int brokers_ = 0;
  std::map<int32_t, std::string> racks_;
  std::string bootstraps_;
  kafka::HandlePtr host_;                       // the mock cluster lives inside this handle
  rd_kafka_mock_cluster_t* cluster_ = nullptr;  // destroyed before host_ (see the destructor)
};

}  // namespace mirror::testkit
