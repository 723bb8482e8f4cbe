// What a flow replicates right now: the routing snapshot its control thread hands to its record
// thread. Immutable once published; the record thread keeps the one it works with until a newer
// one (higher version) is there.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mirror/kafka/admin.h"

namespace mirror::topics {

struct Route {
  std::string source_topic;
  std::string target_topic;
  int32_t source_partitions = 0;
  int32_t target_partitions = 0;  // what the target topic has (after any growth of this round)
  bool operator==(const Route&) const = default;
};

struct Routing {
  uint64_t version = 0;                 // 1, 2, ... in publication order
  std::map<std::string, Route> routes;  // by source topic: every topic ready to be replicated
  kafka::ClusterInfo source;            // the source's id, brokers (with racks) and placement
  std::string target_cluster_id;        // the target's id (empty when it sends none)
  // The flow's dead-letter topic once it exists on the target (unreplicable_records:
  // dead_letter); empty otherwise.
  std::string dead_letter_topic;

  // The consumer's subscription: the routed source topics, sorted.
  std::vector<std::string> topics() const;
  const Route* route(const std::string& source_topic) const;
};

}  // namespace mirror::topics
