// A ClusterAdmin (kafka/admin.h) over one in-memory cluster: topics with partitions and configs,
// brokers with racks, consumer groups. Failures are injected per operation; every call is counted
// and can be made to wait (`before_call`), as a stalled broker would.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "mirror/kafka/admin.h"

namespace mirror::testing {

class FakeCluster {
 public:
  FakeCluster() : id("fake-cluster-" + std::to_string(next_id()++)) {}
  struct Topic {
    int partitions = 1;
    std::map<std::string, std::string> configs;  // set on the topic
  };
  std::string id;  // the cluster id metadata reports: unique per FakeCluster by default
  std::map<std::string, Topic> topics;
  std::map<int32_t, std::string> racks{{1, "az-a"}, {2, "az-b"}, {3, "az-c"}};
  // Operation name ("metadata", "create_topics", ...) -> the error it fails with.
  std::map<std::string, Error> failing;
  std::map<std::string, Error> failing_topics;      // create_topics: per topic
  std::set<std::string> refused_configs;            // create/alter refuse these config names
  std::set<kafka::AclBinding> acls;                 // literal topic ACLs
  std::map<kafka::AclBinding, Error> failing_acls;  // create_acls / delete_acls: per ACL
  std::map<std::string, int> calls;                 // operation -> how many times
  std::function<void(const std::string& operation)> before_call;
  std::mutex mutex;

 private:
  static std::atomic<int>& next_id() {
    static std::atomic<int> n{1};
    return n;
  }
};

class FakeAdmin final : public kafka::ClusterAdmin {
 public:
  explicit FakeAdmin(FakeCluster& cluster) : c_(cluster) {}

  Result<kafka::ClusterInfo> metadata(kafka::Deadline) override {
    if (auto e = enter("metadata")) return *e;
    std::lock_guard lock(c_.mutex);
    kafka::ClusterInfo info;
    info.cluster_id = c_.id;
    for (const auto& [id, rack] : c_.racks) info.brokers[id] = {id, "localhost", 9092, ""};
    for (const auto& [name, t] : c_.topics) {
      kafka::TopicInfo topic{name, {}};
      for (int p = 0; p < t.partitions; ++p)
        topic.partitions.push_back({p, 1, {1, 2, 3}, {1, 2, 3}});
      info.topics[name] = std::move(topic);
    }
    return info;
  }
  Result<std::map<int32_t, std::string>> broker_racks(kafka::Deadline) override {
    if (auto e = enter("broker_racks")) return *e;
    std::lock_guard lock(c_.mutex);
    return c_.racks;
  }
  Result<std::map<std::string, Error>> create_topics(const std::vector<kafka::NewTopic>& topics,
                                                     kafka::Deadline) override {
    if (auto e = enter("create_topics")) return *e;
    std::lock_guard lock(c_.mutex);
    std::map<std::string, Error> failures;
    for (const auto& t : topics) {
      if (auto f = c_.failing_topics.find(t.name); f != c_.failing_topics.end()) {
        failures[t.name] = f->second;
        continue;
      }
      bool refused = false;
      for (const auto& [name, value] : t.configs)
        refused = refused || c_.refused_configs.count(name) != 0;
      if (refused) {
        failures[t.name] = make_error("Invalid config", 40, false);
        continue;
      }
      if (c_.topics.count(t.name) == 0) c_.topics[t.name] = {t.partitions, t.configs};
    }
    return failures;
  }
  Status create_partitions(const std::string& topic, int total, kafka::Deadline) override {
    if (auto e = enter("create_partitions")) return *e;
    std::lock_guard lock(c_.mutex);
    c_.topics[topic].partitions = total;
    return {};
  }
  Result<std::map<std::string, kafka::TopicConfigs>> describe_topic_configs(
      const std::vector<std::string>& topics, kafka::Deadline) override {
    if (auto e = enter("describe_topic_configs")) return *e;
    std::lock_guard lock(c_.mutex);
    std::map<std::string, kafka::TopicConfigs> out;
    for (const auto& name : topics) {
      auto it = c_.topics.find(name);
      if (it == c_.topics.end()) continue;
      auto& described = out[name];
      for (const auto& [k, v] : it->second.configs) described[k] = {v, false, false, false};
    }
    return out;
  }
  Status alter_topic_configs(const std::string& topic,
                             const std::map<std::string, std::string>& set,
                             kafka::Deadline) override {
    if (auto e = enter("alter_topic_configs")) return *e;
    std::lock_guard lock(c_.mutex);
    for (const auto& [k, v] : set) {
      if (c_.refused_configs.count(k) != 0) return make_error("Invalid config " + k, 40, false);
    }
    for (const auto& [k, v] : set) c_.topics[topic].configs[k] = v;
    return {};
  }
  Result<std::vector<std::string>> list_groups(kafka::Deadline) override {
    if (auto e = enter("list_groups")) return *e;
    return std::vector<std::string>{};
  }
  Result<kafka::GroupOffsets> group_offsets(const std::string&, kafka::Deadline) override {
    if (auto e = enter("group_offsets")) return *e;
    return kafka::GroupOffsets{};
  }
  Result<kafka::GroupState> describe_group(const std::string&, kafka::Deadline) override {
    if (auto e = enter("describe_group")) return *e;
    return kafka::GroupState{};
  }
  Status commit_group_offsets(const std::string&, const kafka::GroupOffsets&,
                              kafka::Deadline) override {
    if (auto e = enter("commit_group_offsets")) return *e;
    return {};
  }
  Result<std::vector<kafka::AclBinding>> describe_topic_acls(kafka::Deadline) override {
    if (auto e = enter("describe_topic_acls")) return *e;
    std::lock_guard lock(c_.mutex);
    return std::vector<kafka::AclBinding>(c_.acls.begin(), c_.acls.end());
  }
  Result<std::map<kafka::AclBinding, Error>> create_acls(const std::vector<kafka::AclBinding>& acls,
                                                         kafka::Deadline) override {
    if (auto e = enter("create_acls")) return *e;
    return change_acls(acls, true);
  }
  Result<std::map<kafka::AclBinding, Error>> delete_acls(const std::vector<kafka::AclBinding>& acls,
                                                         kafka::Deadline) override {
    if (auto e = enter("delete_acls")) return *e;
    return change_acls(acls, false);
  }

 private:
  // Adds (or removes) each ACL unless `failing_acls` names it.
  std::map<kafka::AclBinding, Error> change_acls(const std::vector<kafka::AclBinding>& acls,
                                                 bool add) {
    std::lock_guard lock(c_.mutex);
    std::map<kafka::AclBinding, Error> failures;
    for (const auto& acl : acls) {
      if (auto f = c_.failing_acls.find(acl); f != c_.failing_acls.end()) {
        failures[acl] = f->second;
      } else if (add) {
        c_.acls.insert(acl);
      } else {
        c_.acls.erase(acl);
      }
    }
    return failures;
  }

  // Counts the call, lets `before_call` hold it, and returns its injected failure if any.
  std::optional<Error> enter(const std::string& op) {
    std::function<void(const std::string&)> hook;
    {
      std::lock_guard lock(c_.mutex);
      ++c_.calls[op];
      hook = c_.before_call;
    }
    if (hook) hook(op);
    std::lock_guard lock(c_.mutex);
    auto it = c_.failing.find(op);
    if (it == c_.failing.end()) return std::nullopt;
    return it->second;
  }

  FakeCluster& c_;
};

}  // namespace mirror::testing
