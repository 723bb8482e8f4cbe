// The record path stays live whatever the control side and the target do (issue 11's hazards), on
// in-process mock clusters: a stalled admin call, a full producer queue with the target down, a
// target topic without the partition, internal topics that cannot be created, a failure that
// ends a session, a client property librdkafka refuses.
#include <gtest/gtest.h>

#include <limits>
#include <set>
#include <thread>

#include "mirror/flow/flow.h"
#include "mirror/mm2/records.h"
#include "tests/integration/support.h"
#include "tests/support/admin_decorator.h"

namespace mirror::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

uint64_t replicated(const flow::FlowStatus& s, int partition = -1) {
  uint64_t n = 0;
  for (const auto& p : s.partitions) {
    if (partition < 0 || p.partition == partition) n += p.replicated;
  }
  return n;
}

// The group's committed source offsets, summed over its partitions (or of one partition); -1 when
// it committed nothing there.
int64_t committed(testkit::MockCluster& source, const std::string& group, int partition = -1) {
  auto offsets = source.admin()->group_offsets(group, kafka::deadline_in(5s));
  if (!offsets.ok()) return -1;
  int64_t sum = -1;
  for (const auto& [tp, o] : *offsets) {
    if (partition >= 0 && tp.second != partition) continue;
    sum = (sum < 0 ? 0 : sum) + o.offset;
  }
  return sum;
}

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

// Starts the flow, produces `n` records to "orders" and waits until they are replicated.
std::vector<Record> start_and_replicate(flow::Flow& flow, testkit::MockCluster& source, int n,
                                        int partitions) {
  flow.start();
  auto records = make_records(n, partitions, "first");
  EXPECT_TRUE(produce(source.bootstraps(), "orders", records));
  EXPECT_TRUE(
      wait_until([&] { return replicated(flow.status()) == static_cast<uint64_t>(n); }, 30s))
      << "replicated " << replicated(flow.status());
  return records;
}

// Admins of the mock clusters, the target's behind a decorator the test controls.
kafka::AdminFactory decorated_target(testkit::MockCluster& source, testkit::MockCluster& target,
                                     AdminControl& control) {
  return [&source, &target, &control](
             rd_kafka_t*, const std::string& cluster) -> std::unique_ptr<kafka::ClusterAdmin> {
    if (cluster != "dst") return source.admin();
    return std::make_unique<AdminDecorator>(target.admin(), control);
  };
}

// Stops the flow and reads its copy of "orders".
std::vector<Record> stop_and_read(flow::Flow& flow, testkit::MockCluster& target, int partitions) {
  flow.request_stop();
  flow.join();
  return read_all(target.bootstraps(), "src.orders", partitions);
}

// The control thread's admin call to the target hangs: deliveries are served, commits go on and
// the consumer is polled, because none of that waits for it.
TEST(LivePath, AStalledAdminCallDoesNotStopReplicationOrCommits) {
  auto source = rack_source({"orders"}, 2, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  metrics::Metrics metrics;
  AdminControl target_admin;
  auto ctx = make_context({.refresh_seconds = 1}, *source, **target, &metrics);
  ctx.tuning.metadata_timeout = 60s;
  ctx.admin_factory = decorated_target(*source, **target, target_admin);
  flow::Flow flow(std::move(ctx));
  start_and_replicate(flow, *source, 200, 2);

  target_admin.stall(true);
  ASSERT_TRUE(wait_until([&] { return target_admin.stalled_calls() > 0; }, 10s))
      << "the control thread made no admin call to the target";
  const auto during = make_records(1000, 2, "during");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", during));
  EXPECT_TRUE(wait_until([&] { return replicated(flow.status()) == 1200; }, 20s))
      << "replicated " << replicated(flow.status()) << " while an admin call hangs";
  EXPECT_TRUE(wait_until([&] { return committed(*source, "mirror-it-flow") == 1200; }, 20s))
      << "committed " << committed(*source, "mirror-it-flow");
  EXPECT_EQ(flow.status().state, flow::State::Running);
  target_admin.stall(false);
  EXPECT_EQ(stop_and_read(flow, **target, 2).size(), 1200u);
}

// A burst of acknowledgements (a target back from an outage delivers everything queued meanwhile
// at once) is committed within a moment, not at the next commit interval, so a crash then does
// not send the burst again; with the early commit off, the interval alone decides.
TEST(LivePath, ABurstOfAcknowledgementsIsCommittedBeforeTheInterval) {
  auto source = rack_source({"orders"}, 2, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  metrics::Metrics metrics;
  const auto records = make_records(1000, 2, "burst");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", records));
  for (const bool early : {true, false}) {
    SCOPED_TRACE(early ? "early commits on" : "early commits off");
    const std::string name = early ? "early" : "late";
    auto ctx = make_context({.name = name}, *source, **target, &metrics);
    ctx.tuning.commit_interval = 60s;
    ctx.tuning.commit_after_records = early ? 100 : std::numeric_limits<size_t>::max();
    flow::Flow flow(std::move(ctx));
    flow.start();
    ASSERT_TRUE(wait_until([&] { return replicated(flow.status()) == records.size(); }, 30s))
        << "replicated " << replicated(flow.status());
    const std::string group = "mirror-" + name;
    if (early) {
      // What is left after the last early commit is less than commit_after_records.
      EXPECT_TRUE(wait_until([&] { return committed(*source, group) > 900; }, 10s))
          << "committed " << committed(*source, group);
    } else {
      std::this_thread::sleep_for(3s);
      EXPECT_LE(committed(*source, group), 0) << "committed before the interval";
    }
    flow.request_stop();
    flow.join();
    EXPECT_EQ(committed(*source, group), 1000) << "a graceful stop commits everything";
  }
}

// The target is down and the producer's queue is full: the loop does not spin on the producer,
// it pauses fetching and keeps serving the consumer (no eviction for max.poll.interval.ms, which
// the test context sets to 10 s), and replicates everything once the target is back.
TEST(LivePath, AFullProducerQueueWithTheTargetDownKeepsTheConsumerServed) {
  auto source = rack_source({"orders"}, 2, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  metrics::Metrics metrics;
  auto ctx = make_context({}, *source, **target, &metrics);
  ctx.spec.producer = {{"queue.buffering.max.messages", "50"}};
  ctx.spec.emit_heartbeats_enabled = false;
  ctx.spec.emit_checkpoints_enabled = false;
  flow::Flow flow(std::move(ctx));
  start_and_replicate(flow, *source, 100, 2);

  (*target)->set_broker_up(1, false);
  const auto during = make_records(3000, 2, "down");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", during));
  bool paused = false;
  bool always_running = true;
  const auto until = Clock::now() + 20s;
  while (Clock::now() < until) {
    const auto s = flow.status();
    paused = paused || s.fetch_paused;
    always_running = always_running && s.state == flow::State::Running && s.partitions.size() == 2;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(paused) << "fetching was not paused while the producer queue was full";
  EXPECT_TRUE(always_running);
  (*target)->set_broker_up(1, true);
  ASSERT_TRUE(wait_until([&] { return replicated(flow.status()) >= 3100; }, 60s))
      << "replicated " << replicated(flow.status());
  const std::string text = metrics.render();
  EXPECT_FALSE(has(text, "kind=\"source\""))
      << "the consumer reported an error (evicted?): " << text;
  EXPECT_GE(stop_and_read(flow, **target, 2).size(), 3100u);
}

// The target topic has 2 partitions and cannot grow (the mock cannot add partitions): the source's
// partitions 2 and 3 are held back, paused; 0 and 1 replicate and commit; the flow keeps running.
TEST(LivePath, APartitionTheTargetLacksIsHeldWhileTheOthersReplicate) {
  auto source = rack_source({"orders"}, 4, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  ASSERT_TRUE((*target)->create_topic("src.orders", 2, 1).ok());
  metrics::Metrics metrics;
  flow::Flow flow(make_context({.refresh_seconds = 1}, *source, **target, &metrics));
  flow.start();
  const auto records = make_records(400, 4, "p");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", records));
  ASSERT_TRUE(wait_until(
      [&] { return replicated(flow.status(), 0) == 100 && replicated(flow.status(), 1) == 100; },
      30s))
      << "replicated " << replicated(flow.status());
  ASSERT_TRUE(wait_until([&] { return committed(*source, "mirror-it-flow") == 200; }, 15s))
      << "committed " << committed(*source, "mirror-it-flow");
  const auto until = Clock::now() + 8s;
  while (Clock::now() < until) {
    const auto s = flow.status();
    ASSERT_EQ(s.state, flow::State::Running) << s.last_error;
    EXPECT_EQ(replicated(s, 2) + replicated(s, 3), 0u);
    std::this_thread::sleep_for(250ms);
  }
  EXPECT_EQ(committed(*source, "mirror-it-flow", 2), -1)
      << "nothing committed for a held partition";
  EXPECT_EQ(committed(*source, "mirror-it-flow", 3), -1);
  EXPECT_TRUE(has(metrics.render(), "mirror_errors_total{flow=\"it-flow\",kind=\"topic_sync\"}"))
      << "the failed growth is counted";
  EXPECT_EQ(stop_and_read(flow, **target, 2).size(), 200u);
}

// Internal topics the target will not create are retried with backoff (not every 200 ms), and
// never hold replication back; refused for lack of permission, they are assumed to exist.
TEST(LivePath, InternalTopicsAreRetriedWithBackoffAndAssumedToExistWithoutPermission) {
  auto source = rack_source({"orders"}, 1, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  ASSERT_TRUE((*target)->create_topic("src.orders", 1, 1).ok());  // no creation needed for it
  ASSERT_TRUE((*target)->create_topic("heartbeats", 1, 1).ok());  // an administrator made it
  metrics::Metrics metrics;
  AdminControl target_admin;
  target_admin.fail("create_topics", make_error("Replication factor larger than brokers", 38));
  auto ctx = make_context({}, *source, **target, &metrics);
  ctx.spec.emit_checkpoints_enabled = false;
  ctx.tuning.retry_backoff_min = 1s;
  ctx.admin_factory = decorated_target(*source, **target, target_admin);
  flow::Flow flow(std::move(ctx));
  start_and_replicate(flow, *source, 50, 1);
  const int at_start = target_admin.calls("create_topics");
  std::this_thread::sleep_for(8s);
  const int tries = target_admin.calls("create_topics") - at_start;
  EXPECT_GE(tries, 1) << "tried again";
  EXPECT_LE(tries, 4) << "backoff 1, 2, 4 s: not every 200 ms";
  EXPECT_TRUE(has(metrics.render(), "kind=\"internal_topics\""));

  // Now the target says the principal may not create topics: assumed to exist, heartbeats flow.
  target_admin.fail("create_topics", make_error("Cluster authorization failed", 31, false));
  ASSERT_TRUE(wait_until(
      [&] { return !read_all((*target)->bootstraps(), "heartbeats", 1, 5s).empty(); }, 30s))
      << "no heartbeats after the permission error";
  for (const auto& r : read_all((*target)->bootstraps(), "heartbeats", 1, 5s)) {
    EXPECT_TRUE(mm2::decode_heartbeat(r.key.value_or(""), r.value.value_or("")).has_value());
  }
  flow.request_stop();
  flow.join();
}

// A target topic whose creation failed (fifty flows starting at once made a one-broker target
// time out CreateTopics) is tried again with backoff, within seconds, not at the refresh interval.
TEST(LivePath, ATargetTopicNotCreatedIsTriedAgainWithinSecondsNotAtTheRefreshInterval) {
  auto source = rack_source({"orders"}, 2, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  metrics::Metrics metrics;
  AdminControl target_admin;
  target_admin.fail("create_topics", make_error("create topics: Local: Timed out", -185));
  auto ctx = make_context({.refresh_seconds = 60}, *source, **target, &metrics);
  ctx.spec.emit_heartbeats_enabled = false;
  ctx.spec.emit_checkpoints_enabled = false;
  ctx.tuning.retry_backoff_min = 1s;
  ctx.admin_factory = decorated_target(*source, **target, target_admin);
  flow::Flow flow(std::move(ctx));
  flow.start();
  ASSERT_TRUE(produce(source->bootstraps(), "orders", make_records(100, 2, "late")));
  ASSERT_TRUE(wait_until([&] { return target_admin.calls("create_topics") >= 1; }, 15s));
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(replicated(flow.status()), 0u) << "nothing can be copied while the topic is missing";
  target_admin.fail("create_topics", std::nullopt);
  const auto healed = Clock::now();
  EXPECT_TRUE(wait_until([&] { return replicated(flow.status()) == 100; }, 20s))
      << "replicated " << replicated(flow.status()) << "; the refresh interval is 60 s";
  EXPECT_LT(Clock::now() - healed, 20s);
  EXPECT_EQ(stop_and_read(flow, **target, 2).size(), 100u);
}

// A session that fails (deliveries time out with the target down) ends without waiting for the
// flush and close timeouts of a graceful stop, and the next session loses nothing.
TEST(LivePath, AFailedSessionEndsWithoutWaitingForTheFlushTimeout) {
  auto source = rack_source({"orders"}, 2, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  metrics::Metrics metrics;
  auto ctx = make_context({}, *source, **target, &metrics);
  ctx.spec.producer = {{"message.timeout.ms", "2000"}};
  ctx.spec.emit_heartbeats_enabled = false;
  ctx.spec.emit_checkpoints_enabled = false;
  ctx.tuning.flush_timeout = 40s;
  ctx.tuning.close_timeout = 40s;
  flow::Flow flow(std::move(ctx));
  const auto first = start_and_replicate(flow, *source, 100, 2);

  (*target)->set_broker_up(1, false);
  const auto down_at = Clock::now();
  const auto during = make_records(200, 2, "down");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", during));
  ASSERT_TRUE(wait_until([&] { return flow.status().state == flow::State::Retrying; }, 60s));
  const auto took = Clock::now() - down_at;
  EXPECT_LT(took, 20s) << "the failed session waited for a flush or close timeout (40 s)";
  EXPECT_NE(flow.status().last_error.find("delivery to src.orders"), std::string::npos)
      << flow.status().last_error;
  (*target)->set_broker_up(1, true);
  ASSERT_TRUE(wait_until(
      [&] { return read_all((*target)->bootstraps(), "src.orders", 2, 5s).size() >= 300; }, 60s));
  std::set<std::string> keys;
  for (const auto& r : stop_and_read(flow, **target, 2)) keys.insert(describe(r));
  for (const auto& r : first) EXPECT_EQ(keys.count(describe(r)), 1u);
  for (const auto& r : during) EXPECT_EQ(keys.count(describe(r)), 1u) << "lost: " << describe(r);
}

// A property librdkafka refuses cannot be cured by retrying: `failed`, with the reason, and no
// retry before the long backoff.
TEST(LivePath, AMistypedLibrdkafkaPropertyFailsTheFlowInsteadOfRetryingIt) {
  auto source = rack_source({"orders"}, 1, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  metrics::Metrics metrics;
  auto ctx = make_context({}, *source, **target, &metrics);
  ctx.spec.consumer["fetch.max.bytez"] = "1048576";
  ctx.tuning.failed_backoff = 60s;
  flow::Flow flow(std::move(ctx));
  flow.start();
  ASSERT_TRUE(wait_until([&] { return flow.status().state == flow::State::Failed; }, 15s))
      << flow::to_string(flow.status().state);
  EXPECT_NE(flow.status().last_error.find("fetch.max.bytez"), std::string::npos)
      << flow.status().last_error;
  EXPECT_STREQ(flow::to_string(flow.status().state), "failed") << "as /flows shows it";
  const auto until = Clock::now() + 4s;
  while (Clock::now() < until) {
    EXPECT_EQ(flow.status().state, flow::State::Failed);
    std::this_thread::sleep_for(200ms);
  }
  flow.request_stop();
  flow.join();
}

}  // namespace
}  // namespace mirror::testing
