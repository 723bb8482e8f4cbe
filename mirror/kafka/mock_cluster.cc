#include "mirror/kafka/mock_cluster.h"

#include <algorithm>

namespace mirror::kafka {
namespace {

class MockAdmin final : public ClusterAdmin {
 public:
  explicit MockAdmin(MockCluster* cluster) : cluster_(cluster) {}

  Result<std::map<int32_t, std::string>> broker_racks(Deadline) override { return cluster_->racks(); }

  Result<std::map<std::string, Error>> create_topics(const std::vector<NewTopic>& topics, Deadline) override {
    std::map<std::string, Error> failures;
    for (const auto& t : topics) {
      const int rf = t.replication_factor < 0 ? std::min(3, cluster_->broker_count()) : t.replication_factor;
      auto st = cluster_->create_topic(t.name, t.partitions, rf);
      if (!st.ok()) failures[t.name] = st.error();
    }
    return failures;
  }

  Status create_partitions(const std::string& topic, int, Deadline) override {
    return make_error("the mock cluster cannot add partitions to '" + topic + "'", 0, false);
  }

  // Implemented in a following change (MM2 compatibility).
  Result<std::map<std::string, TopicConfigs>> describe_topic_configs(const std::vector<std::string>&,
                                                                     Deadline) override {
    return make_error("describe configs: not implemented yet", 0, false);
  }
  Status alter_topic_configs(const std::string&, const std::map<std::string, std::string>&, Deadline) override {
    return make_error("alter configs: not implemented yet", 0, false);
  }
  Result<std::vector<std::string>> list_groups(Deadline) override {
    return make_error("list groups: not implemented yet", 0, false);
  }
  Result<GroupOffsets> group_offsets(const std::string&, Deadline) override {
    return make_error("group offsets: not implemented yet", 0, false);
  }
  Result<GroupState> describe_group(const std::string&, Deadline) override {
    return make_error("describe group: not implemented yet", 0, false);
  }
  Status commit_group_offsets(const std::string&, const GroupOffsets&, Deadline) override {
    return make_error("commit group offsets: not implemented yet", 0, false);
  }

 private:
  MockCluster* cluster_;
};

}  // namespace

Result<std::unique_ptr<MockCluster>> MockCluster::start(int brokers, std::vector<std::string> racks) {
  auto conf = make_conf({{"log_level", "3"}}, {});
  if (!conf.ok()) return conf.error();
  auto host = make_client(ClientType::Producer, std::move(conf.value()));
  if (!host.ok()) return host.error();
  std::unique_ptr<MockCluster> mc(new MockCluster());
  mc->host_ = std::move(host.value());
  mc->cluster_ = rd_kafka_mock_cluster_new(mc->host_.get(), brokers);
  if (mc->cluster_ == nullptr) return make_error("cannot create a mock cluster");
  mc->brokers_ = brokers;
  mc->bootstraps_ = rd_kafka_mock_cluster_bootstraps(mc->cluster_);
  for (int b = 1; b <= brokers && static_cast<size_t>(b) <= racks.size(); ++b) {
    rd_kafka_mock_broker_set_rack(mc->cluster_, b, racks[static_cast<size_t>(b - 1)].c_str());
    mc->racks_[b] = racks[static_cast<size_t>(b - 1)];
  }
  for (int b = 1; b <= brokers; ++b) mc->racks_.emplace(b, "");
  return mc;
}

MockCluster::~MockCluster() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
}

Status MockCluster::create_topic(const std::string& topic, int partitions, int replication_factor) {
  const auto err = rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, replication_factor);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    return make_error("mock create topic '" + topic + "': " + rd_kafka_err2str(err), err);
  }
  return {};
}

void MockCluster::set_leader(const std::string& topic, int32_t partition, int32_t broker) {
  rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), partition, broker);
}

void MockCluster::set_follower(const std::string& topic, int32_t partition, int32_t broker) {
  rd_kafka_mock_partition_set_follower(cluster_, topic.c_str(), partition, broker);
}

void MockCluster::set_broker_up(int32_t broker, bool up) {
  if (up) {
    rd_kafka_mock_broker_set_up(cluster_, broker);
  } else {
    rd_kafka_mock_broker_set_down(cluster_, broker);
  }
}

std::unique_ptr<ClusterAdmin> MockCluster::admin() { return std::make_unique<MockAdmin>(this); }

}  // namespace mirror::kafka
