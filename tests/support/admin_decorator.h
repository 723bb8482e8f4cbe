// A ClusterAdmin (kafka/admin.h) in front of another: counts every call by operation, can fail
// an operation with a given error, and can hold calls (as a stalled broker does) until released
// or until the call's own deadline.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "mirror/kafka/admin.h"

namespace mirror::testing {

// What the decorators of one cluster share; the test holds it.
class AdminControl {
 public:
  void stall(bool on) {
    std::lock_guard lock(mutex_);
    stalled_ = on;
    cv_.notify_all();
  }
  void fail(const std::string& operation, std::optional<Error> error) {
    std::lock_guard lock(mutex_);
    if (error)
      failing_[operation] = *error;
    else
      failing_.erase(operation);
  }
  int calls(const std::string& operation) const {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(operation);
    return it == calls_.end() ? 0 : it->second;
  }
  int stalled_calls() const {
    std::lock_guard lock(mutex_);
    return stalled_calls_;
  }

  // Counts, holds while stalled (up to the deadline), then fails if told to.
  std::optional<Error> enter(const std::string& operation, kafka::Deadline deadline) {
    std::unique_lock lock(mutex_);
    ++calls_[operation];
    if (stalled_) {
      ++stalled_calls_;
      if (!cv_.wait_until(lock, deadline, [this] { return !stalled_; })) {
        return make_error(operation + ": timed out (stalled)");
      }
    }
    auto it = failing_.find(operation);
    if (it == failing_.end()) return std::nullopt;
    return it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stalled_ = false;
  int stalled_calls_ = 0;
  std::map<std::string, Error> failing_;
  std::map<std::string, int> calls_;
};

class AdminDecorator final : public kafka::ClusterAdmin {
 public:
  AdminDecorator(std::unique_ptr<kafka::ClusterAdmin> inner, AdminControl& control)
      : inner_(std::move(inner)), control_(control) {}

  Result<kafka::ClusterInfo> metadata(kafka::Deadline d) override {
    if (auto e = control_.enter("metadata", d)) return *e;
    return inner_->metadata(d);
  }
  Result<std::map<int32_t, std::string>> broker_racks(kafka::Deadline d) override {
    if (auto e = control_.enter("broker_racks", d)) return *e;
    return inner_->broker_racks(d);
  }
  Result<std::map<std::string, Error>> create_topics(const std::vector<kafka::NewTopic>& topics,
                                                     kafka::Deadline d) override {
    if (auto e = control_.enter("create_topics", d)) return *e;
    return inner_->create_topics(topics, d);
  }
  Status create_partitions(const std::string& topic, int total, kafka::Deadline d) override {
    if (auto e = control_.enter("create_partitions", d)) return *e;
    return inner_->create_partitions(topic, total, d);
  }
  Result<std::map<std::string, kafka::TopicConfigs>> describe_topic_configs(
      const std::vector<std::string>& topics, kafka::Deadline d) override {
    if (auto e = control_.enter("describe_topic_configs", d)) return *e;
    return inner_->describe_topic_configs(topics, d);
  }
  Status alter_topic_configs(const std::string& topic,
                             const std::map<std::string, std::string>& set,
                             kafka::Deadline d) override {
    if (auto e = control_.enter("alter_topic_configs", d)) return *e;
    return inner_->alter_topic_configs(topic, set, d);
  }
  Result<std::vector<std::string>> list_groups(kafka::Deadline d) override {
    if (auto e = control_.enter("list_groups", d)) return *e;
    return inner_->list_groups(d);
  }
  Result<kafka::GroupOffsets> group_offsets(const std::string& group, kafka::Deadline d) override {
    if (auto e = control_.enter("group_offsets", d)) return *e;
    return inner_->group_offsets(group, d);
  }
  Result<kafka::GroupState> describe_group(const std::string& group, kafka::Deadline d) override {
    if (auto e = control_.enter("describe_group", d)) return *e;
    return inner_->describe_group(group, d);
  }
  Status commit_group_offsets(const std::string& group, const kafka::GroupOffsets& offsets,
                              kafka::Deadline d) override {
    if (auto e = control_.enter("commit_group_offsets", d)) return *e;
    return inner_->commit_group_offsets(group, offsets, d);
  }
  Result<std::vector<kafka::AclBinding>> describe_topic_acls(kafka::Deadline d) override {
    if (auto e = control_.enter("describe_topic_acls", d)) return *e;
    return inner_->describe_topic_acls(d);
  }
  Result<std::map<kafka::AclBinding, Error>> create_acls(const std::vector<kafka::AclBinding>& acls,
                                                         kafka::Deadline d) override {
    if (auto e = control_.enter("create_acls", d)) return *e;
    return inner_->create_acls(acls, d);
  }
  Result<std::map<kafka::AclBinding, Error>> delete_acls(const std::vector<kafka::AclBinding>& acls,
                                                         kafka::Deadline d) override {
    if (auto e = control_.enter("delete_acls", d)) return *e;
    return inner_->delete_acls(acls, d);
  }

 private:
  std::unique_ptr<kafka::ClusterAdmin> inner_;
  AdminControl& control_;
};

}  // namespace mirror::testing
