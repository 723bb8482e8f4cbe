// The replication engine end to end on in-process librdkafka mock clusters. The mock does not pick
// replicas by rack (see field notes), so tests set the preferred read replica themselves; real
// rack-aware selection is proven against real Kafka in tests/e2e.
#include <gtest/gtest.h>

#include <thread>

#include "mirror/flow/flow.h"
#include "tests/integration/support.h"

namespace mirror::testing {
namespace {

using namespace std::chrono_literals;

uint64_t replicated(const flow::FlowStatus& s) {
  uint64_t n = 0;
  for (const auto& p : s.partitions) n += p.replicated;
  return n;
}

// Every source record arrives on the target exactly once per copy, in order per partition.
void expect_same_records(const std::vector<Record>& expected, const std::vector<Record>& actual,
                         int partitions, bool allow_duplicates = false) {
  for (int p = 0; p < partitions; ++p) {
    auto want = of_partition(expected, p);
    auto got = of_partition(actual, p);
    if (!allow_duplicates) {
      ASSERT_EQ(want.size(), got.size()) << "partition " << p;
      for (size_t i = 0; i < want.size(); ++i) {
        ASSERT_EQ(want[i], got[i]) << "partition " << p << " record " << i << ": want "
                                   << describe(want[i]) << " got " << describe(got[i]);
      }
    } else {
      // At-least-once: every wanted record present, in order (duplicates may repeat a stretch).
      size_t i = 0;
      for (const auto& r : got) {
        if (i < want.size() && r == want[i]) ++i;
      }
      ASSERT_EQ(i, want.size()) << "partition " << p << ": record " << i << " missing";
    }
  }
}

std::vector<Record> concat(std::vector<Record> a, const std::vector<Record>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(Replication, ByteExactAcrossPartitionsWithHeadersNullKeysAndNullValues) {
  auto source = rack_source({"orders"}, 4, 2);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  const auto records = make_records(3000, 4, "a");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", records));

  metrics::Metrics metrics;
  flow::Flow flow(make_context({}, *source, **target, &metrics));
  flow.start();
  ASSERT_TRUE(wait_until([&] { return replicated(flow.status()) >= records.size(); }, 60s))
      << "replicated " << replicated(flow.status());
  flow.request_stop();
  flow.join();

  const auto copied = read_all((*target)->bootstraps(), "src.orders", 4);
  expect_same_records(records, copied, 4);
  const std::string text = metrics.render();
  EXPECT_NE(text.find("mirror_records_replicated_total{flow=\"it-flow\",topic=\"orders\"} 3000"),
            std::string::npos)
      << text;
}

// One producer or several (each with its own connections): every record arrives once, in order
// per partition, whatever connection its partition went through.
TEST(Replication, EveryProducerCountKeepsEachPartitionsOrder) {
  for (const int producers : {1, 3}) {
    auto source = rack_source({"orders"}, 8, 2);
    auto target = testkit::MockCluster::start(1);
    ASSERT_TRUE(source && target.ok());
    const auto records = make_records(4000, 8, "p" + std::to_string(producers));
    ASSERT_TRUE(produce(source->bootstraps(), "orders", records));

    metrics::Metrics metrics;
    auto context = make_context({}, *source, **target, &metrics);
    context.spec.target_producers = producers;
    flow::Flow flow(context);
    flow.start();
    ASSERT_TRUE(wait_until([&] { return replicated(flow.status()) >= records.size(); }, 60s))
        << producers << " producers: replicated " << replicated(flow.status());
    flow.request_stop();
    flow.join();
    expect_same_records(records, read_all((*target)->bootstraps(), "src.orders", 8), 8);
  }
}

// A topic ACL sync that cannot work (the mock serves no ACL requests) shows in the flow's status
// and errors_total, and replication goes on.
TEST(Replication, AFailingTopicAclSyncIsShownAndNeverStopsReplication) {
  auto source = rack_source({"orders"}, 2, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  const auto records = make_records(200, 2, "acl");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", records));

  metrics::Metrics metrics;
  auto context = make_context({}, *source, **target, &metrics);
  context.spec.sync_topic_acls_enabled = true;
  context.spec.sync_topic_acls_interval_seconds = 1;
  flow::Flow flow(std::move(context));
  flow.start();
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = flow.status();
        return replicated(s) >= records.size() && s.acl_sync && !s.acl_sync->last_error.empty();
      },
      60s))
      << "replicated " << replicated(flow.status());
  const auto status = flow.status();
  EXPECT_EQ(status.state, flow::State::Running);
  EXPECT_EQ(status.acl_sync->last_error,
            "topic ACL sync: reading the source's topic ACLs: ACLs are not supported by the "
            "in-process mock cluster");
  EXPECT_EQ(status.acl_sync->rounds, 0u);
  flow.request_stop();
  flow.join();
  const std::string text = metrics.render();
  EXPECT_NE(text.find("mirror_errors_total{flow=\"it-flow\",kind=\"acl_sync\"}"), std::string::npos)
      << text;
  EXPECT_NE(text.find("mirror_topic_acls_synced{flow=\"it-flow\"} 0"), std::string::npos) << text;
}

TEST(Replication, FollowerReadsWithRackLeaderReadsWithout) {
  // Topic "near" has the az-b replica named preferred for its readers; "far" has none, as a real
  // broker would answer a consumer that sends no rack.
  auto source = testkit::MockCluster::start(3, {"az-a", "az-b", "az-c"});
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source.ok() && target.ok());
  for (const char* topic : {"near", "far"}) {
    ASSERT_TRUE((*source)->create_topic(topic, 3, 3).ok());
    for (int p = 0; p < 3; ++p) {
      (*source)->set_leader(topic, p, p % 2 == 0 ? 1 : 3);
      if (std::string(topic) == "near") (*source)->set_follower(topic, p, 2);
    }
  }
  const auto near = make_records(300, 3, "n");
  ASSERT_TRUE(produce((*source)->bootstraps(), "near", near));
  ASSERT_TRUE(produce((*source)->bootstraps(), "far", make_records(300, 3, "f")));

  metrics::Metrics metrics;
  FlowSetup with_rack{.name = "with-rack", .topics = {"near"}, .follower_fetching = true};
  FlowSetup without{.name = "without-rack", .topics = {"far"}, .follower_fetching = false};
  flow::Flow a(make_context(with_rack, **source, **target, &metrics));
  flow::Flow b(make_context(without, **source, **target, &metrics));
  a.start();
  b.start();
  auto all_from = [](const flow::FlowStatus& s, bool follower) {
    if (s.partitions.size() != 3) return false;
    for (const auto& p : s.partitions) {
      if (p.fetch_broker < 0 || p.from_follower != follower) return false;
    }
    return true;
  };
  EXPECT_TRUE(
      wait_until([&] { return all_from(a.status(), true) && replicated(a.status()) == 300; }, 30s));
  EXPECT_TRUE(wait_until(
      [&] { return all_from(b.status(), false) && replicated(b.status()) == 300; }, 30s));
  EXPECT_TRUE(wait_until([&] { return a.status().fetch_mode == flow::FetchMode::Follower; }, 10s));
  EXPECT_TRUE(wait_until([&] { return b.status().fetch_mode == flow::FetchMode::Leader; }, 10s));
  for (const auto& p : a.status().partitions) {
    EXPECT_EQ(p.fetch_broker, 2);
    EXPECT_EQ(p.fetch_broker_rack, "az-b");
  }
  ASSERT_EQ(a.status().client_rack, std::optional<std::string>("az-b"));
  EXPECT_FALSE(b.status().client_rack.has_value());
  const std::string text = metrics.render();
  EXPECT_NE(text.find("mirror_partition_fetch_from_follower{flow=\"with-rack\",partition=\"0\","
                      "topic=\"near\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("mirror_partition_fetch_from_follower{flow=\"without-rack\",partition=\"0\","
                      "topic=\"far\"} 0"),
            std::string::npos);
  EXPECT_NE(text.find("mirror_fetch_bytes_total{broker=\"2\",flow=\"with-rack\",zone=\"same\"}"),
            std::string::npos);
  EXPECT_EQ(metric(text, "mirror_flow_fetch_mode{flow=\"with-rack\",mode=\"follower\"}"), 1)
      << text;
  EXPECT_EQ(metric(text, "mirror_flow_fetch_mode{flow=\"with-rack\",mode=\"leader\"}"), 0);
  EXPECT_EQ(metric(text, "mirror_flow_fetch_mode{flow=\"without-rack\",mode=\"leader\"}"), 1);
  EXPECT_EQ(metric(text, "mirror_flow_fetch_mode{flow=\"without-rack\",mode=\"follower\"}"), 0);
  // The with-rack flow read its records from az-b where their leaders are in az-a and az-c: each
  // of their bytes is one leader reads would have fetched across zones. The other saved none.
  size_t value_bytes = 0;
  for (const auto& r : near) value_bytes += r.value.value_or("").size();
  EXPECT_TRUE(wait_until(
      [&] {
        return metric(metrics.render(), "mirror_fetch_bytes_saved_total{flow=\"with-rack\"}") >=
               static_cast<double>(value_bytes);
      },
      10s))
      << metrics.render();
  EXPECT_EQ(metric(metrics.render(), "mirror_fetch_bytes_saved_total{flow=\"without-rack\"}"), 0);
  a.request_stop();
  b.request_stop();
}

TEST(Replication, FollowerBrokerDownMovesReadsToLeaderWithoutLoss) {
  auto source = rack_source({"orders"}, 3, 2);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  const auto first = make_records(600, 3, "before");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", first));

  metrics::Metrics metrics;
  flow::Flow flow(make_context({}, *source, **target, &metrics));
  flow.start();
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = flow.status();
        return replicated(s) == first.size() && s.partitions.size() == 3 &&
               std::all_of(s.partitions.begin(), s.partitions.end(),
                           [](auto& p) { return p.from_follower; });
      },
      30s));

  // Broker 2 fails; the leaders stop naming it (the broker's part, played by the test).
  for (int p = 0; p < 3; ++p) source->set_follower("orders", p, -1);
  source->set_broker_up(2, false);
  const auto moved_at = std::chrono::steady_clock::now();
  const auto second = make_records(600, 3, "after");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", second));
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = flow.status();
        return s.partitions.size() == 3 &&
               std::all_of(
                   s.partitions.begin(), s.partitions.end(),
                   [](auto& p) { return !p.from_follower && p.fetch_broker == p.leader; }) &&
               replicated(s) >= first.size() + second.size();
      },
      30s))
      << "reads did not move to the leaders";
  const auto took = std::chrono::steady_clock::now() - moved_at;
  EXPECT_LT(took, 15s) << "moving to the leader took too long";
  flow.request_stop();
  flow.join();

  expect_same_records(concat(first, second), read_all((*target)->bootstraps(), "src.orders", 3), 3,
                      /*allow_duplicates=*/true);
}

TEST(Replication, TargetDownThirtySecondsLosesNothingAndBoundsInFlight) {
  auto source = rack_source({"orders"}, 2, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  metrics::Metrics metrics;
  auto ctx = make_context({}, *source, **target, &metrics);
  ctx.tuning.max_in_flight_records = 500;
  flow::Flow flow(std::move(ctx));
  flow.start();
  const auto first = make_records(200, 2, "up");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", first));
  ASSERT_TRUE(wait_until([&] { return replicated(flow.status()) == first.size(); }, 30s));

  (*target)->set_broker_up(1, false);
  const auto during = make_records(5000, 2, "down");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", during));
  uint64_t max_in_flight = 0;
  bool paused = false;
  const auto down_until = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < down_until) {
    auto s = flow.status();
    max_in_flight = std::max(max_in_flight, s.in_flight_records);
    paused = paused || s.fetch_paused;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(paused) << "fetching was not paused while the target was down";
  // Hard limits: never above the limit (it was the limit plus one consumed batch before).
  EXPECT_LE(max_in_flight, 500u);
  (*target)->set_broker_up(1, true);
  ASSERT_TRUE(
      wait_until([&] { return replicated(flow.status()) >= first.size() + during.size(); }, 60s))
      << "replicated " << replicated(flow.status());
  flow.request_stop();
  flow.join();
  expect_same_records(concat(first, during), read_all((*target)->bootstraps(), "src.orders", 2), 2,
                      /*allow_duplicates=*/true);
}

// A stop while records are in flight to a target that is down returns (the flush is bounded, what
// is left is purged before the clients close), and what was not acknowledged is read again.
TEST(Replication, StopWithRecordsInFlightToADownTargetReturnsAndLosesNothing) {
  auto source = rack_source({"orders"}, 2, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  metrics::Metrics metrics;
  const auto first = make_records(200, 2, "up");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", first));
  const auto during = make_records(300, 2, "down");
  {
    auto ctx = make_context({}, *source, **target, &metrics);
    ctx.tuning.flush_timeout = 2s;
    flow::Flow flow(std::move(ctx));
    flow.start();
    ASSERT_TRUE(wait_until([&] { return replicated(flow.status()) == first.size(); }, 30s));
    (*target)->set_broker_up(1, false);
    ASSERT_TRUE(produce(source->bootstraps(), "orders", during));
    ASSERT_TRUE(wait_until([&] { return flow.status().in_flight_records > 0; }, 30s))
        << "nothing in flight";
    const auto stop_at = std::chrono::steady_clock::now();
    flow.request_stop();
    flow.join();
    EXPECT_LT(std::chrono::steady_clock::now() - stop_at, 30s) << "stopping took too long";
  }
  (*target)->set_broker_up(1, true);
  {
    flow::Flow flow(make_context({}, *source, **target, &metrics));
    flow.start();
    ASSERT_TRUE(wait_until([&] { return replicated(flow.status()) >= during.size(); }, 60s))
        << "replicated " << replicated(flow.status());
    flow.request_stop();
    flow.join();
  }
  expect_same_records(concat(first, during), read_all((*target)->bootstraps(), "src.orders", 2), 2,
                      /*allow_duplicates=*/true);
}

TEST(Replication, RestartResumesFromCommittedOffsets) {
  auto source = rack_source({"orders"}, 2, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  metrics::Metrics metrics;
  const auto first = make_records(500, 2, "one");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", first));
  {
    flow::Flow flow(make_context({}, *source, **target, &metrics));
    flow.start();
    ASSERT_TRUE(wait_until([&] { return replicated(flow.status()) == first.size(); }, 30s));
    flow.request_stop();
    flow.join();
  }
  const auto second = make_records(500, 2, "two");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", second));
  {
    flow::Flow flow(make_context({}, *source, **target, &metrics));
    flow.start();
    // Only the new records are read again: the graceful stop committed everything acknowledged.
    ASSERT_TRUE(wait_until([&] { return replicated(flow.status()) >= second.size(); }, 30s));
    std::this_thread::sleep_for(2s);
    EXPECT_EQ(replicated(flow.status()), second.size());
    flow.request_stop();
    flow.join();
  }
  expect_same_records(concat(first, second), read_all((*target)->bootstraps(), "src.orders", 2), 2);
}

TEST(Replication, HealthyFlowKeepsReplicatingWhileAnotherFlowsSourceIsDown) {
  auto healthy_source = rack_source({"orders"}, 2, -1);
  auto broken_source = rack_source({"orders"}, 2, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(healthy_source && broken_source && target.ok());
  for (int b = 1; b <= 3; ++b) broken_source->set_broker_up(b, false);

  metrics::Metrics metrics;
  auto healthy_ctx = make_context({.name = "healthy"}, *healthy_source, **target, &metrics);
  auto broken_ctx = make_context({.name = "broken"}, *broken_source, **target, &metrics);
  broken_ctx.source.name = "other";
  broken_ctx.tuning.metadata_timeout = 2s;
  flow::Flow healthy(std::move(healthy_ctx));
  flow::Flow broken(std::move(broken_ctx));
  broken.start();
  healthy.start();
  const auto records = make_records(1000, 2, "h");
  ASSERT_TRUE(produce(healthy_source->bootstraps(), "orders", records));
  ASSERT_TRUE(wait_until([&] { return replicated(healthy.status()) == records.size(); }, 30s));
  EXPECT_TRUE(wait_until([&] { return broken.status().state == flow::State::Retrying; }, 20s))
      << flow::to_string(broken.status().state);
  EXPECT_FALSE(broken.status().last_error.empty());
  EXPECT_EQ(healthy.status().state, flow::State::Running);
  healthy.request_stop();
  broken.request_stop();
}

TEST(Replication, NewSourceTopicIsPickedUpWithoutRestart) {
  auto source = rack_source({"first"}, 2, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  metrics::Metrics metrics;
  flow::Flow flow(make_context({.refresh_seconds = 1}, *source, **target, &metrics));
  flow.start();
  ASSERT_TRUE(wait_until([&] { return flow.status().partitions.size() == 2; }, 30s));
  ASSERT_TRUE(source->create_topic("second", 3, 3).ok());
  const auto records = make_records(100, 3, "s");
  ASSERT_TRUE(produce(source->bootstraps(), "second", records));
  ASSERT_TRUE(wait_until([&] { return replicated(flow.status()) == records.size(); }, 30s));
  flow.request_stop();
  flow.join();
  expect_same_records(records, read_all((*target)->bootstraps(), "src.second", 3), 3);
}

}  // namespace
}  // namespace mirror::testing
