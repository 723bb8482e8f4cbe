#include "mirror/kafka/security_errors.h"

#include "mirror/kafka/errors.h"

namespace mirror::kafka {
namespace {

// Forwards every call; failures pass through SecurityErrors::explain, successes clear it.
class ExplainingAdmin final : public ClusterAdmin {
 public:
  ExplainingAdmin(std::unique_ptr<ClusterAdmin> inner, SecurityErrors& errors,
                  std::function<void()> serve)
      : inner_(std::move(inner)), errors_(errors), serve_(std::move(serve)) {}

  Result<ClusterInfo> metadata(Deadline deadline) override {
    return checked(inner_->metadata(deadline));
  }
  Result<std::map<int32_t, std::string>> broker_racks(Deadline deadline) override {
    return checked(inner_->broker_racks(deadline));
  }
  Result<std::map<std::string, Error>> create_topics(const std::vector<NewTopic>& topics,
                                                     Deadline deadline) override {
    return checked(inner_->create_topics(topics, deadline));
  }
  Status create_partitions(const std::string& topic, int total, Deadline deadline) override {
    return checked(inner_->create_partitions(topic, total, deadline));
  }
  Result<std::map<std::string, TopicConfigs>> describe_topic_configs(
      const std::vector<std::string>& topics, Deadline deadline) override {
    return checked(inner_->describe_topic_configs(topics, deadline));
  }
  Status alter_topic_configs(const std::string& topic,
                             const std::map<std::string, std::string>& set,
                             Deadline deadline) override {
    return checked(inner_->alter_topic_configs(topic, set, deadline));
  }
  Result<std::vector<std::string>> list_groups(Deadline deadline) override {
    return checked(inner_->list_groups(deadline));
  }
  Result<GroupOffsets> group_offsets(const std::string& group, Deadline deadline) override {
    return checked(inner_->group_offsets(group, deadline));
  }
  Result<GroupState> describe_group(const std::string& group, Deadline deadline) override {
    return checked(inner_->describe_group(group, deadline));
  }
  Status commit_group_offsets(const std::string& group, const GroupOffsets& offsets,
                              Deadline deadline) override {
    return checked(inner_->commit_group_offsets(group, offsets, deadline));
  }
  Result<std::vector<AclBinding>> describe_topic_acls(Deadline deadline) override {
    return checked(inner_->describe_topic_acls(deadline));
  }
  Result<std::map<AclBinding, Error>> create_acls(const std::vector<AclBinding>& acls,
                                                  Deadline deadline) override {
    return checked(inner_->create_acls(acls, deadline));
  }
  Result<std::map<AclBinding, Error>> delete_acls(const std::vector<AclBinding>& acls,
                                                  Deadline deadline) override {
    return checked(inner_->delete_acls(acls, deadline));
  }

 private:
  template <typename R>
  R checked(R result) {
    if (result.ok()) {
      errors_.clear();
      return result;
    }
    if (!is_connection_trouble(result.error().code)) return result;
    if (serve_) serve_();
    return R(errors_.explain(result.error()));
  }

  std::unique_ptr<ClusterAdmin> inner_;
  SecurityErrors& errors_;
  std::function<void()> serve_;
};

}  // namespace

std::string without_timing_suffix(std::string message) {
  const auto at = message.rfind(" (after ");
  if (at != std::string::npos && !message.empty() && message.back() == ')') message.resize(at);
  return message;
}

void SecurityErrors::note(const ClientError& error) {
  if (error.fatal || !is_security_error(error.code)) return;
  ClientError kept = error;
  kept.message = without_timing_suffix(kept.message);
  std::lock_guard lock(mutex_);
  last_ = std::move(kept);
}

void SecurityErrors::clear() {
  std::lock_guard lock(mutex_);
  last_.reset();
}

std::optional<ClientError> SecurityErrors::last() const {
  std::lock_guard lock(mutex_);
  return last_;
}

Error SecurityErrors::explain(const Error& error) const {
  if (!is_connection_trouble(error.code)) return error;
  const auto noted = last();
  if (!noted) return error;
  return make_error(noted->message + " (" + error.message + ")", noted->code, false);
}

std::unique_ptr<ClusterAdmin> explain_security_errors(std::unique_ptr<ClusterAdmin> admin,
                                                      SecurityErrors& errors,
                                                      std::function<void()> serve) {
  return std::make_unique<ExplainingAdmin>(std::move(admin), errors, std::move(serve));
}

}  // namespace mirror::kafka
