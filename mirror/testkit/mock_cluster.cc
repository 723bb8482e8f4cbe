#include "mirror/testkit/mock_cluster.h"

#include <algorithm>
#include <mutex>

#include "mirror/kafka/admin_ops.h"

namespace mirror::testkit {

using namespace mirror::kafka;  // NOLINT(google-build-using-namespace): its admin building blocks
namespace {

class MockAdmin final : public ClusterAdmin {
 public:
  explicit MockAdmin(MockCluster* cluster) : cluster_(cluster) {}

  Result<ClusterInfo> metadata(Deadline deadline) override {
    auto rk = client();
    if (!rk.ok()) return rk.error();
    return read_metadata(*rk, deadline);
  }

  Result<std::map<int32_t, std::string>> broker_racks(Deadline) override {
    return cluster_->racks();
  }

  Result<std::map<std::string, Error>> create_topics(const std::vector<NewTopic>& topics,
                                                     Deadline) override {
    std::map<std::string, Error> failures;
    for (const auto& t : topics) {
      const int rf =
          t.replication_factor < 0 ? std::min(3, cluster_->broker_count()) : t.replication_factor;
      auto st = cluster_->create_topic(t.name, t.partitions, rf, t.configs);
      if (!st.ok()) failures[t.name] = st.error();
    }
    return failures;
  }

  Status create_partitions(const std::string& topic, int, Deadline) override {
    return make_error("the mock cluster cannot add partitions to '" + topic + "'", 0, false);
  }

  Result<std::map<std::string, TopicConfigs>> describe_topic_configs(
      const std::vector<std::string>& topics, Deadline) override {
    std::map<std::string, TopicConfigs> out;
    for (const auto& topic : topics) {
      auto configs = cluster_->topic_configs(topic);
      if (!configs) continue;  // unknown: left out, as a failed description would be
      TopicConfigs& described = out[topic];
      for (const auto& [name, value] : *configs)
        described[name] = ConfigEntry{value, false, false, false};
    }
    return out;
  }

  Status alter_topic_configs(const std::string& topic,
                             const std::map<std::string, std::string>& set, Deadline) override {
    return cluster_->set_topic_configs(topic, set);
  }

  Result<std::vector<std::string>> list_groups(Deadline) override {
    std::vector<std::string> ids;
    for (const auto& [group, members] : cluster_->groups()) ids.push_back(group);
    return ids;
  }

  Result<GroupState> describe_group(const std::string& group, Deadline) override {
    const auto groups = cluster_->groups();
    auto it = groups.find(group);
    if (it == groups.end()) return GroupState{false, 0, "Dead"};
    return GroupState{true, it->second, it->second > 0 ? "Stable" : "Empty"};
  }

  Result<GroupOffsets> group_offsets(const std::string& group, Deadline deadline) override {
    auto rk = client();
    if (!rk.ok()) return rk.error();
    // The mock's OffsetFetch has no "all partitions": ask for every partition of every topic.
    auto md = read_metadata(*rk, deadline);
    if (!md.ok())
      return make_error("group offsets of '" + group + "': " + md.error().message, md.error().code);
    PartitionListPtr partitions(rd_kafka_topic_partition_list_new(1));
    for (const auto& [name, topic] : md->topics) {
      for (const auto& p : topic.partitions)
        rd_kafka_topic_partition_list_add(partitions.get(), name.c_str(), p.id);
    }
    if (partitions->cnt == 0) return GroupOffsets{};
    return list_group_offsets(*rk, group, partitions.get(), deadline);
  }

  Status commit_group_offsets(const std::string& group, const GroupOffsets& offsets,
                              Deadline deadline) override {
    if (const auto groups = cluster_->groups(); groups.count(group) != 0 && groups.at(group) > 0) {
      // What a real broker answers while the group has members.
      return make_error("commit offsets of group '" + group + "': the group has " +
                            std::to_string(groups.at(group)) + " active member(s)",
                        RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID);
    }
    if (offsets.empty()) return {};
    auto rk = client();
    if (!rk.ok()) return rk.error();
    auto st = alter_group_offsets(*rk, group, offsets, deadline);
    if (!st.ok()) return st;
    cluster_->register_group_if_absent(group);
    return {};
  }

  // librdkafka's mock serves no ACL requests: topic ACL sync cannot run against it.
  Result<std::vector<AclBinding>> describe_topic_acls(Deadline) override { return no_acls(); }
  Result<std::map<AclBinding, Error>> create_acls(const std::vector<AclBinding>&,
                                                  Deadline) override {
    return no_acls();
  }
  Result<std::map<AclBinding, Error>> delete_acls(const std::vector<AclBinding>&,
                                                  Deadline) override {
    return no_acls();
  }

 private:
  static Error no_acls() {
    return make_error("ACLs are not supported by the in-process mock cluster", 0, false);
  }

  // A client of the mock for the group calls (the mock serves FindCoordinator, OffsetFetch and
  // OffsetCommit to the Admin API), created on first use.
  Result<rd_kafka_t*> client() {
    std::lock_guard lock(mu_);
    if (client_) return client_.get();
    // Quiet: a test that takes the mock's brokers down does not need this client's complaints.
    auto conf = make_conf({{"bootstrap.servers", cluster_->bootstraps()}, {"log_level", "0"}}, {});
    if (!conf.ok()) return conf.error();
    auto client = make_client(ClientType::Producer, std::move(conf.value()));
    if (!client.ok()) return client.error();
    client_ = std::move(client.value());
    return client_.get();
  }

  MockCluster* cluster_;
  std::mutex mu_;
  HandlePtr client_;
};

}  // namespace

Result<std::unique_ptr<MockCluster>> MockCluster::start(int brokers,
                                                        std::vector<std::string> racks) {
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

Status MockCluster::create_topic(const std::string& topic, int partitions, int replication_factor,
                                 const std::map<std::string, std::string>& configs) {
  const auto err =
      rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, replication_factor);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    return make_error("mock create topic '" + topic + "': " + rd_kafka_err2str(err), err);
  }
  std::lock_guard lock(mu_);
  // A topic that already existed keeps its configs, as CreateTopics on a real broker leaves them.
  topic_configs_.emplace(topic, configs);
  return {};
}

std::optional<std::map<std::string, std::string>> MockCluster::topic_configs(
    const std::string& topic) const {
  std::lock_guard lock(mu_);
  auto it = topic_configs_.find(topic);
  if (it == topic_configs_.end()) return std::nullopt;
  return it->second;
}

Status MockCluster::set_topic_configs(const std::string& topic,
                                      const std::map<std::string, std::string>& set) {
  std::lock_guard lock(mu_);
  auto it = topic_configs_.find(topic);
  if (it == topic_configs_.end()) {
    std::string names;
    for (const auto& [k, v] : set) names += (names.empty() ? "" : ", ") + k;
    return make_error("alter configs of topic '" + topic + "' (" + names +
                          "): the mock cluster has no such topic",
                      RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, false);
  }
  for (const auto& [k, v] : set) it->second[k] = v;
  return {};
}

void MockCluster::register_group(const std::string& group, int members) {
  std::lock_guard lock(mu_);
  groups_[group] = std::max(0, members);
}

void MockCluster::register_group_if_absent(const std::string& group) {
  std::lock_guard lock(mu_);
  groups_.emplace(group, 0);
}

void MockCluster::forget_group(const std::string& group) {
  std::lock_guard lock(mu_);
  groups_.erase(group);
}

std::map<std::string, int> MockCluster::groups() const {
  std::lock_guard lock(mu_);
  return groups_;
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

std::unique_ptr<ClusterAdmin> MockCluster::admin() {
  return std::make_unique<MockAdmin>(this);
}

}  // namespace mirror::testkit
