#include "mirror/topics/naming.h"

namespace mirror::topics {

Result<TopicFilter> TopicFilter::make(const std::vector<std::string>& include,
                                      const std::vector<std::string>& exclude) {
  TopicFilter f;
  try {
    for (const auto& r : include)
      f.include_.emplace_back(r, std::regex::ECMAScript | std::regex::optimize);
    for (const auto& r : exclude)
      f.exclude_.emplace_back(r, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& e) {
    return make_error(std::string("bad topic regex: ") + e.what(), 0, false);
  }
  return f;
}

bool TopicFilter::matches(const std::string& topic) const {
  bool included = false;
  for (const auto& r : include_) {
    if (std::regex_match(topic, r)) {
      included = true;
      break;
    }
  }
  if (!included) return false;
  for (const auto& r : exclude_) {
    if (std::regex_match(topic, r)) return false;
  }
  return true;
}

NamingPolicy::NamingPolicy(config::ReplicationPolicy policy, std::string source_cluster,
                           std::string target_cluster, std::string separator)
    : policy_(policy),
      source_(std::move(source_cluster)),
      target_(std::move(target_cluster)),
      separator_(std::move(separator)) {}

std::string NamingPolicy::target_topic(const std::string& source_topic) const {
  if (policy_ == config::ReplicationPolicy::Identity && !is_heartbeats(source_topic))
    return source_topic;
  return source_ + separator_ + source_topic;
}

bool NamingPolicy::is_heartbeats(const std::string& topic) const {
  static const std::string name = "heartbeats";
  if (topic == name) return true;
  const std::string suffix = separator_ + name;
  return topic.size() > suffix.size() &&
         topic.compare(topic.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool NamingPolicy::is_from_target(const std::string& topic) const {
  if (policy_ == config::ReplicationPolicy::Identity && !is_heartbeats(topic)) return false;
  // Each name before a separator is a cluster the topic went through ("us.eu.orders": eu, then
  // us); the last part is the topic's own name.
  std::string_view rest(topic);
  for (size_t at = rest.find(separator_); at != std::string_view::npos;
       at = rest.find(separator_)) {
    if (rest.substr(0, at) == target_) return true;
    rest.remove_prefix(at + separator_.size());
  }
  return false;
}

bool is_internal_topic(const std::string& topic) {
  auto ends_with = [&topic](const std::string& s) {
    return topic.size() >= s.size() && topic.compare(topic.size() - s.size(), s.size(), s) == 0;
  };
  return topic.rfind("__", 0) == 0 || ends_with(".checkpoints.internal") ||
         topic.rfind("mm2-offset-syncs.", 0) == 0 || ends_with("mirror.dead-letter");
}

std::string dead_letter_topic(const config::FlowSpec& flow, const std::string& source_cluster) {
  if (!flow.dead_letter_topic.empty()) return flow.dead_letter_topic;
  return source_cluster + flow.replication_policy_separator + "mirror.dead-letter";
}

bool should_replicate(const std::string& topic, const TopicFilter& filter,
                      const NamingPolicy& naming) {
  return !is_internal_topic(topic) && !naming.is_from_target(topic) &&
         (filter.matches(topic) || naming.is_heartbeats(topic));
}

}  // namespace mirror::topics
