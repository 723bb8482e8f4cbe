// Deciding a flow's fetch mode from where its partitions are read (see product.md, /flows):
//   follower        partitions with an in-sync replica in the node's rack are read in that rack;
//   leader-fallback client.rack is sent and such a replica exists outside the leader, yet the
//                   leaders serve every such partition: the source ignores the rack id;
//   leader          follower fetching off, no AZ, or no replica in the node's rack.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mirror/flow/status.h"

namespace mirror::flow {

struct PartitionPlacement {
  int32_t leader = -1;
  std::vector<int32_t> in_sync;  // in-sync replicas (leader included), from source metadata
  int32_t fetch_broker = -1;     // from client statistics; -1 when not known yet
  bool settled = false;          // fetching long enough that the leader had its chance to redirect
};

using RackOf = std::function<std::string(int32_t broker)>;

FetchMode classify_fetch_mode(const std::optional<std::string>& client_rack,
                              const std::vector<PartitionPlacement>& partitions,
                              const RackOf& rack_of);

}  // namespace mirror::flow
