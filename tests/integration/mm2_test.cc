// MirrorMaker 2 compatibility on in-process mock clusters: heartbeats, checkpoints, group offset
// sync and topic config sync through a whole Flow. MM2's own client library reading these records
// from real Kafka is proven in tests/e2e/test_mm2.py.
#include <gtest/gtest.h>

#include <set>

#include "mirror/flow/flow.h"
#include "mirror/mm2/records.h"
#include "tests/integration/support.h"

namespace mirror::testing {
namespace {

using namespace std::chrono_literals;

// 200 records in two partitions of "orders" on the source; its target topic "src.orders" holds 10
// unrelated records per partition already, so target offsets are source offsets + 10.
void orders_with_old_target_records(testkit::MockCluster& source, testkit::MockCluster& target) {
  ASSERT_TRUE(source.create_topic("orders", 2, 1).ok());
  ASSERT_TRUE(target.create_topic("src.orders", 2, 1).ok());
  ASSERT_TRUE(produce(target.bootstraps(), "src.orders", make_records(20, 2, "old")));
  ASSERT_TRUE(produce(source.bootstraps(), "orders", make_records(200, 2, "new")));
}

TEST(Mm2, HeartbeatsInMm2FormatOnTheTarget) {
  auto source = testkit::MockCluster::start(1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source.ok() && target.ok());
  metrics::Metrics metrics;
  auto ctx = make_context({}, **source, **target, &metrics);
  ctx.spec.emit_heartbeats_interval_seconds = 1;
  ctx.spec.emit_checkpoints_enabled = false;
  flow::Flow flow(std::move(ctx));
  flow.start();

  std::vector<mm2::Heartbeat> beats;
  ASSERT_TRUE(wait_until(
      [&] {
        beats.clear();
        if (!(*target)->topic_configs("heartbeats")) return false;  // not created yet
        for (const auto& r : read_all((*target)->bootstraps(), "heartbeats", 1, 5s)) {
          auto hb = mm2::decode_heartbeat(r.key.value_or(""), r.value.value_or(""));
          if (!hb) ADD_FAILURE() << "not an MM2 heartbeat: " << describe(r);
          if (hb) beats.push_back(*hb);
        }
        return beats.size() >= 3;
      },
      30s))
      << beats.size() << " heartbeats";
  for (size_t i = 0; i < beats.size(); ++i) {
    EXPECT_EQ(beats[i].source_cluster, "src");
    EXPECT_EQ(beats[i].target_cluster, "dst");
    if (i > 0) {
      EXPECT_GT(beats[i].timestamp_ms, beats[i - 1].timestamp_ms);
    }
  }
  const double age = metric(metrics.render(), "mirror_heartbeat_age_seconds{flow=\"it-flow\"}");
  EXPECT_GE(age, 0);
  EXPECT_LT(age, 10);
  flow.request_stop();
  flow.join();
}

// The target partitions already hold records, so target offsets are source offsets + 10: an
// identity "translation" would be wrong.
TEST(Mm2, CheckpointsAndGroupSyncTranslateCommittedOffsets) {
  auto source = testkit::MockCluster::start(1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source.ok() && target.ok());
  ASSERT_NO_FATAL_FAILURE(orders_with_old_target_records(**source, **target));
  // A consumer group on the source that read 30 and 50 records of the two partitions.
  auto source_admin = (*source)->admin();
  const auto soon = [] { return kafka::deadline_in(10s); };
  ASSERT_TRUE(source_admin
                  ->commit_group_offsets(
                      "billing", {{{"orders", 0}, {30, "m0"}}, {{"orders", 1}, {50, ""}}}, soon())
                  .ok());
  ASSERT_TRUE(
      source_admin->commit_group_offsets("excluded", {{{"orders", 0}, {5, ""}}}, soon()).ok());

  metrics::Metrics metrics;
  auto ctx = make_context({}, **source, **target, &metrics);
  ctx.spec.emit_heartbeats_enabled = false;
  ctx.spec.emit_checkpoints_interval_seconds = 1;
  ctx.spec.sync_group_offsets_enabled = true;
  ctx.spec.sync_group_offsets_interval_seconds = 1;
  ctx.spec.groups_exclude = {"excl.*"};
  flow::Flow flow(std::move(ctx));
  flow.start();

  std::map<std::pair<std::string, int32_t>, mm2::Checkpoint> latest;
  auto checkpoints_arrived = [&] {
    latest.clear();
    if (!(*target)->topic_configs("src.checkpoints.internal")) return false;  // not created yet
    for (const auto& r : read_all((*target)->bootstraps(), "src.checkpoints.internal", 1, 5s)) {
      auto cp = mm2::decode_checkpoint(r.key.value_or(""), r.value.value_or(""));
      if (!cp) ADD_FAILURE() << "not an MM2 checkpoint: " << describe(r);
      if (cp) latest[{cp->group, cp->partition}] = *cp;
    }
    return latest.size() >= 2;
  };
  ASSERT_TRUE(wait_until(checkpoints_arrived, 60s)) << latest.size() << " checkpoints";
  EXPECT_EQ(latest.size(), 2u)
      << "only 'billing': 'excluded' is in groups_exclude, mirror-it-flow is the flow's own";
  EXPECT_EQ(latest[std::make_pair(std::string("billing"), 0)],
            (mm2::Checkpoint{"billing", "src.orders", 0, 30, 40, "m0"}));
  EXPECT_EQ(latest[std::make_pair(std::string("billing"), 1)],
            (mm2::Checkpoint{"billing", "src.orders", 1, 50, 60, ""}));

  auto target_admin = (*target)->admin();
  kafka::GroupOffsets synced;
  ASSERT_TRUE(wait_until(
      [&] {
        auto offsets = target_admin->group_offsets("billing", soon());
        if (offsets.ok()) synced = *offsets;
        return synced.size() == 2;
      },
      30s));
  const kafka::TopicPartitionKey p0{"src.orders", 0}, p1{"src.orders", 1};
  EXPECT_EQ(synced[p0].offset, 40);
  EXPECT_EQ(synced[p1].offset, 60);

  // The group reads on; the checkpoint follows.
  ASSERT_TRUE(
      source_admin->commit_group_offsets("billing", {{{"orders", 0}, {100, ""}}}, soon()).ok());
  ASSERT_TRUE(wait_until(
      [&] {
        return checkpoints_arrived() &&
               latest[std::make_pair(std::string("billing"), 0)].downstream_offset == 110;
      },
      30s))
      << latest[std::make_pair(std::string("billing"), 0)].downstream_offset;
  const std::string text = metrics.render();
  EXPECT_EQ(metric(text, "mirror_checkpoint_groups{flow=\"it-flow\"}"), 1) << text;
  EXPECT_GE(metric(text, "mirror_checkpoints_total{flow=\"it-flow\"}"), 3);
  EXPECT_GE(metric(text, "mirror_checkpoint_latency_seconds{flow=\"it-flow\"}"), 0);
  EXPECT_EQ(metric(text, "mirror_groups_synced{flow=\"it-flow\"}"), 1);
  flow.request_stop();
  flow.join();
}

TEST(Mm2, TopicConfigsFollowTheSourceExceptTheNeverCopiedOnes) {
  auto source = testkit::MockCluster::start(1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source.ok() && target.ok());
  ASSERT_TRUE(
      (*source)
          ->create_topic(
              "orders", 2, 1,
              {{"retention.ms", "3600000"}, {"min.insync.replicas", "2"}, {"segment.ms", "60000"}})
          .ok());
  metrics::Metrics metrics;
  auto ctx = make_context({}, **source, **target, &metrics);
  ctx.spec.config_properties_exclude = {"segment\\..*"};
  flow::Flow flow(std::move(ctx));
  flow.start();

  std::map<std::string, std::string> configs;
  ASSERT_TRUE(wait_until(
      [&] {
        configs =
            (*target)->topic_configs("src.orders").value_or(std::map<std::string, std::string>{});
        return configs.count("retention.ms") != 0;
      },
      30s));
  EXPECT_EQ(configs["retention.ms"], "3600000");
  EXPECT_EQ(configs.count("min.insync.replicas"), 0u) << "never copied";
  EXPECT_EQ(configs.count("segment.ms"), 0u) << "config_properties_exclude";

  ASSERT_TRUE((*source)
                  ->set_topic_configs("orders",
                                      {{"retention.ms", "7200000"}, {"cleanup.policy", "compact"}})
                  .ok());
  ASSERT_TRUE(wait_until(
      [&] {
        configs =
            (*target)->topic_configs("src.orders").value_or(std::map<std::string, std::string>{});
        return configs["retention.ms"] == "7200000" && configs["cleanup.policy"] == "compact";
      },
      30s))
      << "changed at the next refresh (2 s)";
  flow.request_stop();
  flow.join();
}

// The offset syncs outlive the process: a second Flow (a restarted process: a store of its own)
// translates offsets only the first one replicated, from what the first wrote to the target.
TEST(Mm2, OffsetSyncsWrittenByOneProcessTranslateInTheNext) {
  auto source = testkit::MockCluster::start(1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source.ok() && target.ok());
  ASSERT_NO_FATAL_FAILURE(orders_with_old_target_records(**source, **target));
  const auto soon = [] { return kafka::deadline_in(10s); };
  auto copied = [&] {
    return read_all((*target)->bootstraps(), "src.orders", 2, 5s).size() == 220;
  };
  metrics::Metrics metrics;
  auto make = [&] {
    auto ctx = make_context({}, **source, **target, &metrics);
    ctx.spec.emit_heartbeats_enabled = false;
    ctx.spec.emit_checkpoints_interval_seconds = 1;
    return ctx;
  };
  {
    flow::Flow first(make());
    first.start();
    ASSERT_TRUE(wait_until(copied, 60s));
    first.request_stop();
    first.join();
  }
  // What the first wrote: MM2's format, a run id on each, at least the start of each partition's
  // run and its last pair (written on the way out).
  std::map<int32_t, std::set<int64_t>> upstream;
  for (const auto& r : read_all((*target)->bootstraps(), "mm2-offset-syncs.src.internal", 1, 5s)) {
    auto sync = mm2::decode_offset_sync(r.key.value_or(""), r.value.value_or(""));
    ASSERT_TRUE(sync) << "not an MM2 offset sync: " << describe(r);
    EXPECT_EQ(sync->topic, "orders");
    EXPECT_EQ(sync->downstream_offset, sync->upstream_offset + 10);
    upstream[sync->partition].insert(sync->upstream_offset);
    bool has_run = false;
    for (const auto& [name, value] : r.headers) {
      has_run = has_run || (name == mm2::kRunHeader && value && value->size() == 16);
    }
    EXPECT_TRUE(has_run) << describe(r);
  }
  ASSERT_EQ(upstream.size(), 2u);
  for (const auto& [p, offsets] : upstream) {
    EXPECT_EQ(*offsets.begin(), 0) << "partition " << p << ": the run's start";
    EXPECT_EQ(*offsets.rbegin(), 99) << "partition " << p << ": the last pair";
  }

  // A group that read 30 and 70 records; the next process has replicated none of them itself.
  auto source_admin = (*source)->admin();
  ASSERT_TRUE(source_admin
                  ->commit_group_offsets(
                      "billing", {{{"orders", 0}, {30, ""}}, {{"orders", 1}, {70, ""}}}, soon())
                  .ok());
  flow::Flow second(make());
  second.start();
  std::map<int32_t, mm2::Checkpoint> latest;
  ASSERT_TRUE(wait_until(
      [&] {
        latest.clear();
        for (const auto& r : read_all((*target)->bootstraps(), "src.checkpoints.internal", 1, 5s)) {
          auto cp = mm2::decode_checkpoint(r.key.value_or(""), r.value.value_or(""));
          if (cp && cp->group == "billing") latest[cp->partition] = *cp;
        }
        return latest.size() == 2;
      },
      60s))
      << latest.size() << " checkpoints";
  EXPECT_EQ(latest[0].downstream_offset, 40);
  EXPECT_EQ(latest[1].downstream_offset, 80);
  second.request_stop();
  second.join();
}

}  // namespace
}  // namespace mirror::testing
