// `mirror demo`: the whole service against in-process librdkafka mock clusters, no Kafka needed.
// It links the test kit (mirror/testkit) for the mock clusters; the service library does not.
#pragma once

#include <chrono>
#include <ostream>

namespace mirror::demo {

// Runs the demo for `duration` of traffic, prints live placement and the final
//   summary: produced=<n> replicated=<n> lost=<n> follower_reads=<p>/<q>
// Returns 0 when nothing was lost and every partition of the follower-fetching flow was read from
// the node's rack, 4 otherwise.
int run_demo(std::chrono::seconds duration, std::ostream& out);

}  // namespace mirror::demo
