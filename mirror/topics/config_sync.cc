#include "mirror/topics/config_sync.h"

#include <algorithm>

namespace mirror::topics {

const std::vector<std::string>& never_copied_configs() {
  static const std::vector<std::string> names{
      "min\\.insync\\.replicas",                                     // depends on the target's RF
      "(leader|follower)\\.replication\\.throttled\\.replicas",      // lists source broker ids
      "message\\.timestamp\\.type",                                  // LogAppendTime would restamp
      "message\\.timestamp\\.(difference|before|after)\\.max\\.ms",  // would reject old records
      "unclean\\.leader\\.election\\.enable",                        // weakens the target
      "remote\\.storage\\.enable",
      "local\\.retention\\.(ms|bytes)",  // tiered storage
      "remote\\.log\\..*",
      "confluent\\..*",  // vendor-specific, unknown to Apache Kafka brokers
  };
  return names;
}

const std::vector<std::string>& followed_configs() {
  static const std::vector<std::string> names{"max.message.bytes"};
  return names;
}

Result<ConfigSyncPolicy> ConfigSyncPolicy::make(const std::vector<std::string>& exclude) {
  ConfigSyncPolicy policy;
  auto add = [&policy](const std::string& pattern) -> Status {
    try {
      policy.exclude_.emplace_back(pattern, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      return make_error("config_properties_exclude: bad regex '" + pattern + "': " + e.what(), 0,
                        false);
    }
    return {};
  };
  for (const auto& p : never_copied_configs()) {
    if (auto st = add(p); !st.ok()) return st.error();
  }
  for (const auto& p : exclude) {
    if (auto st = add(p); !st.ok()) return st.error();
  }
  return policy;
}

bool ConfigSyncPolicy::copies(const std::string& name) const {
  for (const auto& re : exclude_) {
    if (std::regex_match(name, re)) return false;
  }
  return true;
}

std::map<std::string, std::string> ConfigSyncPolicy::wanted(
    const kafka::TopicConfigs& source) const {
  std::map<std::string, std::string> out;
  for (const auto& [name, entry] : source) {
    if (entry.read_only || entry.sensitive || !copies(name)) continue;
    if (entry.is_default && std::find(followed_configs().begin(), followed_configs().end(), name) ==
                                followed_configs().end()) {
      continue;
    }
    if (entry.value.empty()) continue;  // no value reported
    out[name] = entry.value;
  }
  return out;
}

std::map<std::string, std::string> ConfigSyncPolicy::changes(
    const kafka::TopicConfigs& source, const kafka::TopicConfigs& target) const {
  std::map<std::string, std::string> out;
  for (auto& [name, value] : wanted(source)) {
    auto it = target.find(name);
    if (it == target.end() || it->second.value != value) out[name] = value;
  }
  return out;
}

}  // namespace mirror::topics
