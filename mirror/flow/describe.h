// A flow's status as /flows shows it, from the record path's partitions and the routing
// snapshot's placement (leaders, in-sync replicas, broker racks).
#pragma once

#include <chrono>

#include "mirror/flow/context.h"
#include "mirror/flow/pipeline.h"
#include "mirror/flow/status.h"
#include "mirror/topics/routing.h"

namespace mirror::flow {

// `routing` may be null (nothing routed yet). State is Running, or Stalled (with last_error naming
// the first stalled partition) when the pipeline has partitions stalled at unreplicable records.
FlowStatus describe(const FlowContext& context, const Pipeline& pipeline,
                    const topics::Routing* routing, std::chrono::steady_clock::time_point now);

// The zone of a source broker relative to the node: same, cross, or unknown (no AZ, no rack).
std::string zone_of(const FlowContext& context, const topics::Routing* routing, int32_t broker);

}  // namespace mirror::flow
