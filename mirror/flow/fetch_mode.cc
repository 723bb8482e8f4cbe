#include "mirror/flow/fetch_mode.h"

#include <algorithm>

namespace mirror::flow {

FetchMode classify_fetch_mode(const std::optional<std::string>& client_rack,
                              const std::vector<PartitionPlacement>& partitions,
                              const RackOf& rack_of) {
  if (!client_rack || client_rack->empty()) return FetchMode::Leader;
  const std::string& rack = *client_rack;
  bool any_local_replica = false;
  bool any_redirect_expected = false;  // a local follower exists and the leader is elsewhere
  bool any_follower_read = false;
  bool redirect_pending = false;  // an expected redirect not settled yet
  for (const auto& p : partitions) {
    const bool local = std::any_of(p.in_sync.begin(), p.in_sync.end(),
                                   [&](int32_t b) { return rack_of(b) == rack; });
    if (!local) continue;
    any_local_replica = true;
    if (p.fetch_broker >= 0 && p.fetch_broker != p.leader) any_follower_read = true;
    if (rack_of(p.leader) != rack) {
      any_redirect_expected = true;
      if (!p.settled || p.fetch_broker < 0) redirect_pending = true;
    }
  }
  if (!any_local_replica) return FetchMode::Leader;
  if (any_follower_read) return FetchMode::Follower;
  if (any_redirect_expected) {
    // Not proven either way until every such partition had its chance to be redirected.
    return redirect_pending ? FetchMode::Leader : FetchMode::LeaderFallback;
  }
  return FetchMode::Follower;  // every local replica is a leader: leader reads stay in the rack
}

}  // namespace mirror::flow
