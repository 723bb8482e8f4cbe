#include "mirror/flow/fetch_watch.h"

namespace mirror::flow {

std::optional<std::string> FetchWatch::observe(const kafka::ClientStats& stats,
                                               Clock::time_point now) {
  std::map<kafka::TopicPartition, Clock::time_point> still;
  std::optional<std::string> stuck;
  for (const auto& [key, p] : stats.partitions) {
    if (p.fetch_state != "active" || p.fetch_broker < 0 || p.fetch_broker == p.leader) continue;
    auto broker = stats.brokers.find(p.fetch_broker);
    if (broker == stats.brokers.end() || broker->second.state == "UP") continue;
    const kafka::TopicPartition tp{key.first, key.second};
    auto before = since_.find(tp);
    const auto since = before == since_.end() ? now : before->second;
    still[tp] = since;
    if (!stuck && now - since >= grace_) {
      stuck =
          key.first + "[" + std::to_string(key.second) + "] has been fetched from broker " +
          std::to_string(p.fetch_broker) + " (state " + broker->second.state + ") for " +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - since).count()) +
          " s instead of its leader " + std::to_string(p.leader);
    }
  }
  since_ = std::move(still);
  return stuck;
}

}  // namespace mirror::flow
