// memory.record_buffers_mib on mock clusters: the flows share it, and a reload that adds flows
// shrinks the shares of those already running without restarting them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mirror/service/service.h"
#include "tests/integration/support.h"

namespace mirror::testing {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kMiB = uint64_t{1} << 20;

uint64_t limit_of(service::Service& s, const std::string& name) {
  for (const auto& f : s.flow_statuses()) {
    if (f.name == name) return f.in_flight_bytes_limit;
  }
  return 0;
}

TEST(RecordBudget, FlowsShareItAndAReloadThatAddsFlowsShrinksTheSharesOfTheRunningOnes) {
  auto source = rack_source({"one", "two", "three", "four", "off"}, 2, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  metrics::Metrics scratch;
  const auto ctx = make_context({}, *source, **target, &scratch);

  config::ServiceSpec spec = service_spec_of(ctx);
  spec.memory.record_buffers_mib = 64;
  auto off = flow_of("off", "off");
  off.enabled = false;  // a disabled flow takes no share
  spec.flows = {flow_of("one", "one"), flow_of("two", "two"), off};
  service::ServiceOptions options = service_options_of(ctx);
  service::Service service(spec, az::Resolution{}, options);
  ASSERT_TRUE(service.start().ok());
  ASSERT_TRUE(wait_until([&] { return service.ready(); }, 30s));
  // Each flow shows its share from its first status with partitions (a status interval apart).
  ASSERT_TRUE(wait_until(
      [&] {
        return limit_of(service, "one") == 16 * kMiB && limit_of(service, "two") == 16 * kMiB;
      },
      10s))
      << "64 MiB for two flows: 16 MiB in flight each, " << limit_of(service, "one") << " and "
      << limit_of(service, "two");

  config::ServiceSpec next = spec;
  next.flows = {flow_of("one", "one"), flow_of("two", "two"), flow_of("three", "three"),
                flow_of("four", "four"), off};
  const auto report = service.apply(next, "second");
  EXPECT_EQ(report.unchanged, 3u) << "one, two and off run on";
  ASSERT_TRUE(wait_until([&] { return limit_of(service, "one") == 8 * kMiB; }, 10s))
      << "four flows: 8 MiB each, " << limit_of(service, "one");
  ASSERT_TRUE(wait_until([&] { return limit_of(service, "four") == 8 * kMiB; }, 30s));
  const auto doc = nlohmann::json::parse(service.flows_json());
  EXPECT_EQ(doc["flows"][0]["in_flight_bytes_limit"], 8 * kMiB);
  EXPECT_TRUE(doc["flows"][0]["in_flight_bytes"].is_number());
  EXPECT_EQ(doc["flows"][0]["restarts"], 0) << "a share changes without a restart";

  const auto records = make_records(300, 2, "after");
  ASSERT_TRUE(produce(source->bootstraps(), "one", records));
  ASSERT_TRUE(wait_until(
      [&] { return replicated_of(service.flow_statuses(), "one") == records.size(); }, 30s));
  service.stop();
}

}  // namespace
}  // namespace mirror::testing
