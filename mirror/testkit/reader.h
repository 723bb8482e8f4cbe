// Test support (testkit: linked by the tests and the demo, never by the service library). Reads
// every partition of a topic from its start to the end offsets it had when the read began. For
// checking copies (the demo's count, the integration tests), not for the replication path.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <functional>
#include <string>

#include "mirror/common/result.h"

namespace mirror::testkit {

// Calls `on_message` for each record in partition order per partition. Fails when the topic's
// offsets cannot be read or the end is not reached before `timeout`.
Status read_to_end(const std::string& bootstraps, const std::string& topic, int partitions,
                   std::chrono::milliseconds timeout,
                   const std::function<void(const rd_kafka_message_t&)>& on_message);

}  // namespace mirror::testkit
