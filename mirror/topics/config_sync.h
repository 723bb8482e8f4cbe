// Which topic configs a flow copies from a source topic to its target topic (MM2's
// sync.topic.configs with its DefaultConfigPropertyFilter, made stricter).
#pragma once

#include <map>
#include <regex>
#include <string>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/kafka/admin.h"

namespace mirror::topics {

// Config names never copied whatever the flow says: they name source brokers, depend on the
// target's replication factor, would rewrite or reject the replicated records' timestamps, weaken
// the target's durability, or need a tiered storage the target may not have.
const std::vector<std::string>& never_copied_configs();

// Configs whose source value the target topic follows even when it is the source broker's default
// rather than set on the topic: `max.message.bytes`, so the target accepts every record the source
// accepted (the target's own default may be smaller). Unless excluded, like any other config.
const std::vector<std::string>& followed_configs();

class ConfigSyncPolicy {
 public:
  // `exclude`: the flow's config_properties_exclude (full-match regexes), on top of the built-ins.
  static Result<ConfigSyncPolicy> make(const std::vector<std::string>& exclude);

  bool copies(const std::string& name) const;

  // Configs set on the source topic (not defaults, not read-only, not secret) that the policy
  // copies, and the followed configs (followed_configs()) whatever their source.
  std::map<std::string, std::string> wanted(const kafka::TopicConfigs& source) const;

  // Of `wanted(source)`, those whose value on the target differs (or which the target lacks).
  std::map<std::string, std::string> changes(const kafka::TopicConfigs& source,
                                             const kafka::TopicConfigs& target) const;

 private:
  std::vector<std::regex> exclude_;
};

}  // namespace mirror::topics
