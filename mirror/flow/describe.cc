#include "mirror/flow/describe.h"

#include "mirror/flow/fetch_mode.h"

namespace mirror::flow {

FlowStatus describe(const FlowContext& ctx, const Pipeline& pipeline,
                    const topics::Routing* routing, std::chrono::steady_clock::time_point now) {
  FlowStatus status;
  status.name = ctx.spec.name;
  status.state = pipeline.paused() ? State::Paused : State::Running;
  status.source = ctx.source.name;
  status.target = ctx.target.name;
  status.follower_fetching_enabled = ctx.spec.follower_fetching_enabled;
  status.client_rack = ctx.client_rack;
  status.in_flight_records = pipeline.in_flight_records();
  status.in_flight_bytes = pipeline.in_flight_bytes();
  status.in_flight_bytes_limit = pipeline.max_in_flight_bytes();
  status.fetch_paused = pipeline.backpressure_paused();
  auto rack_of = [routing](int32_t broker) {
    return routing != nullptr ? routing->source.rack_of(broker) : std::string();
  };
  std::vector<PartitionPlacement> placements;
  for (const auto& p : pipeline.partitions()) {
    PartitionPlacement placement;
    if (routing != nullptr) {
      auto info = routing->source.topics.find(p.topic);
      if (info != routing->source.topics.end() &&
          static_cast<size_t>(p.partition) < info->second.partitions.size()) {
        const auto& part = info->second.partitions[static_cast<size_t>(p.partition)];
        placement.leader = part.leader;
        placement.in_sync = part.isr;
      }
    }
    PartitionStatus s;
    s.topic = p.topic;
    s.partition = p.partition;
    s.target_topic = p.target_topic;
    s.leader = p.placement.leader >= 0 ? p.placement.leader : placement.leader;
    s.fetch_broker = p.placement.fetch_broker;
    s.fetch_broker_rack = s.fetch_broker >= 0 ? rack_of(s.fetch_broker) : "";
    s.from_follower = s.fetch_broker >= 0 && s.leader >= 0 && s.fetch_broker != s.leader;
    s.lag = p.placement.lag;
    s.replicated = p.replicated;
    placement.leader = s.leader;
    placement.fetch_broker = s.fetch_broker;
    placement.settled = now - p.assigned_at >= ctx.tuning.fallback_grace;
    placements.push_back(std::move(placement));
    status.partitions.push_back(std::move(s));
  }
  status.fetch_mode = classify_fetch_mode(ctx.client_rack, placements, rack_of);
  for (auto& stall : pipeline.stalls()) {
    if (status.stalled.empty()) {
      status.state = State::Stalled;
      status.last_error = stall.topic + "[" + std::to_string(stall.partition) +
                          "] stalled at offset " + std::to_string(stall.offset) + ": " +
                          stall.reason;
    }
    status.stalled.push_back(
        {std::move(stall.topic), stall.partition, stall.offset, std::move(stall.reason)});
  }
  if (status.stalled.size() > 1) {
    status.last_error += " (and " + std::to_string(status.stalled.size() - 1) + " more)";
  }
  return status;
}

std::string zone_of(const FlowContext& ctx, const topics::Routing* routing, int32_t broker) {
  const std::string rack = routing != nullptr ? routing->source.rack_of(broker) : std::string();
  if (!ctx.node_rack || rack.empty()) return "unknown";
  return rack == *ctx.node_rack ? "same" : "cross";
}

}  // namespace mirror::flow
