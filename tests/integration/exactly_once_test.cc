// Exactly-once flows (exactly_once_delivery_enabled) on in-process mock clusters: records go
// through transactions and arrive once, and a target without transactions fails the flow with a
// clear error. The mock neither fences nor stores transactional offsets, so resuming from the
// target's positions and zombie fencing are proven on real Kafka (tests/e2e/test_exactly_once.py)
// and the claim protocol with a fake (tests/flow/exactly_once_test.cc).
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
// (after rdkafka.h)
#include <librdkafka/rdkafka_mock.h>

#include <thread>

#include "mirror/flow/flow.h"
#include "tests/integration/support.h"

namespace mirror::testing {
namespace {

using namespace std::chrono_literals;

constexpr int16_t kInitProducerId = 22;  // the Kafka API key

uint64_t replicated(const flow::FlowStatus& s) {
  uint64_t n = 0;
  for (const auto& p : s.partitions) n += p.replicated;
  return n;
}

flow::FlowContext exactly_once_context(testkit::MockCluster& source, testkit::MockCluster& target,
                                       metrics::Metrics* metrics) {
  auto ctx = make_context({.name = "eos"}, source, target, metrics);
  ctx.spec.exactly_once_delivery_enabled = true;
  ctx.transactional_id = "mirror-eos-test";
  return ctx;
}

TEST(ExactlyOnceFlow, RecordsGoThroughTransactionsAndArriveOnceInOrder) {
  auto source = rack_source({"orders"}, 2, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  metrics::Metrics metrics;
  flow::Flow flow(exactly_once_context(*source, **target, &metrics));
  flow.start();
  const auto first = make_records(600, 2, "first");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", first));
  ASSERT_TRUE(wait_until([&] { return replicated(flow.status()) == first.size(); }, 30s))
      << "replicated " << replicated(flow.status()) << ", " << flow.status().last_error;
  // A second batch after at least one commit interval: several transactions.
  std::this_thread::sleep_for(1500ms);
  const auto second = make_records(400, 2, "second");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", second));
  ASSERT_TRUE(wait_until([&] { return replicated(flow.status()) == 1000; }, 30s))
      << "replicated " << replicated(flow.status());
  EXPECT_EQ(flow.status().state, flow::State::Running) << flow.status().last_error;
  flow.request_stop();
  flow.join();
  // read_committed (librdkafka's default): only what the transactions committed.
  const auto copy = read_all((*target)->bootstraps(), "src.orders", 2);
  ASSERT_EQ(copy.size(), 1000u);
  std::vector<Record> all = first;
  all.insert(all.end(), second.begin(), second.end());
  for (int32_t p = 0; p < 2; ++p) {
    EXPECT_EQ(of_partition(copy, p), of_partition(all, p)) << "partition " << p;
  }
}

TEST(ExactlyOnceFlow, ATargetWithoutTransactionsFailsTheFlowSayingSo) {
  auto source = rack_source({"orders"}, 1, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  rd_kafka_mock_set_apiversion((*target)->raw(), kInitProducerId, -1, -1);
  metrics::Metrics metrics;
  auto ctx = exactly_once_context(*source, **target, &metrics);
  ctx.tuning.failed_backoff = 60s;
  flow::Flow flow(std::move(ctx));
  flow.start();
  EXPECT_TRUE(wait_until([&] { return flow.status().state == flow::State::Failed; }, 30s))
      << flow::to_string(flow.status().state) << ": " << flow.status().last_error;
  const auto error = flow.status().last_error;
  EXPECT_NE(error.find("exactly_once_delivery_enabled"), std::string::npos) << error;
  EXPECT_NE(error.find("target cluster 'dst'"), std::string::npos) << error;
  flow.request_stop();
  flow.join();
}

}  // namespace
}  // namespace mirror::testing
