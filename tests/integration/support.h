// Test support for integration tests on in-process librdkafka mock clusters: deterministic
// records, a producer, a reader that reads a topic to its end, and flow set-up.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mirror/flow/flow.h"
#include "mirror/metrics/metrics.h"
#include "mirror/service/service.h"
#include "mirror/testkit/mock_cluster.h"

namespace mirror::testing {

struct Record {
  int32_t partition = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  int64_t timestamp = 0;
  bool operator==(const Record& o) const {
    return partition == o.partition && key == o.key && value == o.value && headers == o.headers &&
           timestamp == o.timestamp;
  }
};

std::string describe(const Record& r);

// `n` records spread over `partitions`, with null keys, null and empty values, binary bytes,
// duplicate and null-valued headers, and explicit timestamps. `tag` makes them unique per batch.
std::vector<Record> make_records(int n, int partitions, const std::string& tag);

// Produces in order (acks=all, idempotent); returns false if any record was not acknowledged.
bool produce(const std::string& bootstraps, const std::string& topic,
             const std::vector<Record>& records);

// Reads every partition of `topic` from the beginning to its end offset.
std::vector<Record> read_all(const std::string& bootstraps, const std::string& topic,
                             int partitions,
                             std::chrono::seconds timeout = std::chrono::seconds(30));

// Polls `condition` until true or the timeout; returns the last value.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// The records of one partition, in order.
std::vector<Record> of_partition(const std::vector<Record>& records, int32_t partition);

// A flow from `source` to `target` mock clusters (cluster names "src"/"dst") with test tuning.
struct FlowSetup {
  std::string name = "it-flow";
  std::vector<std::string> topics{".*"};
  bool follower_fetching = true;
  std::optional<std::string> node_rack = std::string("az-b");
  int refresh_seconds = 2;
  std::map<std::string, std::string> consumer;  // librdkafka overrides for the source consumer
};
flow::FlowContext make_context(const FlowSetup& setup, testkit::MockCluster& source,
                               testkit::MockCluster& target, metrics::Metrics* metrics);

// A source cluster of 3 brokers in racks az-a, az-b, az-c with `topic` (RF 3) whose leaders sit on
// brokers 1 and 3; when `follower` >= 0 the mock names that broker preferred read replica.
std::unique_ptr<testkit::MockCluster> rack_source(const std::vector<std::string>& topics,
                                                  int partitions, int follower);

// Records replicated by the flow `name` (all its partitions) in `statuses`; 0 when it is absent.
uint64_t replicated_of(const std::vector<flow::FlowStatus>& statuses, const std::string& name);

// A service flow from "src" to "dst" of `topic` (as make_context's clusters are named), its topics
// refreshed every second, its consumer quick to leave a group.
config::FlowSpec flow_of(const std::string& name, const std::string& topic);

// A service configuration of ctx's two clusters ("src", "dst") and no flows, and service options
// with ctx's tuning and admin factory: a Service on the mock clusters of make_context.
config::ServiceSpec service_spec_of(const flow::FlowContext& ctx);
service::ServiceOptions service_options_of(const flow::FlowContext& ctx);

// The value of `series` (a metric name with its labels, as rendered) in the exposition `text`; -1
// when it is not there.
double metric(const std::string& text, const std::string& series);

}  // namespace mirror::testing
