#include "mirror/metrics/flow_probe.h"

#include <gtest/gtest.h>

#include <chrono>

namespace mirror::metrics {
namespace {

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

TEST(FlowProbe, OwnsEverySeriesOfItsFlowAndRemovesThemWithIt) {
  Metrics metrics;
  {
    FlowProbe probe(metrics, "a", {true, true, true, true});
    auto& topic = probe.add_topic("orders");
    probe.replicated(topic, 100, 0);
    probe.add_partition("orders", 0);
    probe.fetched(2, "same", 1000);
    probe.count(ErrorKind::Commit);
    probe.set_up(true);
    probe.publish();
    const std::string text = metrics.render();
    EXPECT_TRUE(has(text, "mirror_records_replicated_total{flow=\"a\",topic=\"orders\"} 1"));
    EXPECT_TRUE(has(text, "mirror_bytes_replicated_total{flow=\"a\",topic=\"orders\"} 100"));
    EXPECT_TRUE(has(text, "mirror_errors_total{flow=\"a\",kind=\"commit\"} 1"));
    EXPECT_TRUE(has(text, "mirror_fetch_bytes_total{broker=\"2\",flow=\"a\",zone=\"same\"} 1000"));
    EXPECT_TRUE(has(text, "mirror_flow_up{flow=\"a\"} 1"));
    EXPECT_TRUE(has(text, "mirror_heartbeat_age_seconds{flow=\"a\"}"));
    EXPECT_EQ(probe.errors(ErrorKind::Commit), 1u);
  }
  EXPECT_FALSE(has(metrics.render(), "flow=\"a\"")) << metrics.render();
}

TEST(FlowProbe, TopicAndPartitionSeriesGoWhenRemoved) {
  Metrics metrics;
  FlowProbe probe(metrics, "a", {});
  probe.replicated(probe.add_topic("orders"), 1, 0);
  probe.replicated(probe.add_topic("payments"), 1, 0);
  probe.add_partition("payments", 3);
  probe.remove_topic("payments");
  probe.remove_partition("payments", 3);
  const std::string text = metrics.render();
  EXPECT_FALSE(has(text, "payments")) << text;
  EXPECT_TRUE(has(text, "topic=\"orders\""));
}

TEST(FlowProbe, ReplicatedRecordsAndTheirLatencyShowAtPublishAsOneObservationEach) {
  Metrics metrics;
  FlowProbe probe(metrics, "a", {});
  auto& orders = probe.add_topic("orders");
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  for (int i = 0; i < 100; ++i) probe.replicated(orders, 10, now_ms - 3000);  // 3 s old
  probe.replicated(orders, 10, 0);                                            // no timestamp
  EXPECT_FALSE(
      has(metrics.render(), "mirror_records_replicated_total{flow=\"a\",topic=\"orders\"} 1"))
      << "not before publish";
  probe.publish();
  const std::string text = metrics.render();
  EXPECT_TRUE(has(text, "mirror_records_replicated_total{flow=\"a\",topic=\"orders\"} 101"))
      << text;
  EXPECT_TRUE(has(text, "mirror_bytes_replicated_total{flow=\"a\",topic=\"orders\"} 1010")) << text;
  EXPECT_TRUE(has(text, "mirror_replication_latency_seconds_count{flow=\"a\"} 100")) << text;
  // 3 s (a little more by the time it is read) lands in the bucket up to 5 s, as Observe puts it.
  EXPECT_TRUE(has(text, "mirror_replication_latency_seconds_bucket{flow=\"a\",le=\"2.5\"} 0"))
      << text;
  EXPECT_TRUE(has(text, "mirror_replication_latency_seconds_bucket{flow=\"a\",le=\"5\"} 100"))
      << text;
  probe.replicated(probe.add_topic("payments"), 5, 0);
  probe.remove_topic("payments");  // counted, then gone before a publish: nothing left dangling
  probe.publish();                 // nothing new: nothing counted twice
  EXPECT_TRUE(
      has(metrics.render(), "mirror_records_replicated_total{flow=\"a\",topic=\"orders\"} 101"));
}

TEST(FlowProbe, FetchedBytesAddUp) {
  Metrics metrics;
  FlowProbe probe(metrics, "a", {});
  probe.fetched(1, "cross", 500);
  probe.fetched(1, "cross", 300);
  probe.fetched(1, "cross", 0);
  EXPECT_TRUE(has(metrics.render(),
                  "mirror_fetch_bytes_total{broker=\"1\",flow=\"a\",zone=\"cross\"} 800"));
}

TEST(FlowProbe, FetchedBytesFollowABrokersZoneOnceItIsKnown) {
  Metrics metrics;
  FlowProbe probe(metrics, "a", {});
  probe.fetched(2, "unknown", 100);  // before the broker's rack is known
  probe.fetched(2, "same", 300);
  probe.fetched(2, "same", 600);
  const std::string text = metrics.render();
  EXPECT_TRUE(has(text, "mirror_fetch_bytes_total{broker=\"2\",flow=\"a\",zone=\"unknown\"} 100"));
  EXPECT_TRUE(has(text, "mirror_fetch_bytes_total{broker=\"2\",flow=\"a\",zone=\"same\"} 900"));
}

TEST(FlowProbe, OneFetchModeIsOneTheOthersZeroAndNoneBeforeItIsKnown) {
  Metrics metrics;
  FlowProbe probe(metrics, "a", {});
  std::string text = metrics.render();
  for (const char* mode : {"follower", "leader-fallback", "leader"}) {
    EXPECT_TRUE(
        has(text, std::string("mirror_flow_fetch_mode{flow=\"a\",mode=\"") + mode + "\"} 0"))
        << text;
  }
  probe.fetch_mode("follower");
  probe.fetch_mode("leader-fallback");
  text = metrics.render();
  EXPECT_TRUE(has(text, "mirror_flow_fetch_mode{flow=\"a\",mode=\"leader-fallback\"} 1")) << text;
  EXPECT_TRUE(has(text, "mirror_flow_fetch_mode{flow=\"a\",mode=\"follower\"} 0")) << text;
  EXPECT_TRUE(has(text, "mirror_flow_fetch_mode{flow=\"a\",mode=\"leader\"} 0")) << text;
}

TEST(FlowProbe, SavedCrossZoneBytesAddUpAndGoWithTheFlow) {
  Metrics metrics;
  {
    FlowProbe probe(metrics, "a", {});
    EXPECT_TRUE(has(metrics.render(), "mirror_fetch_bytes_saved_total{flow=\"a\"} 0"));
    probe.saved_cross_zone(1000);
    probe.saved_cross_zone(24);
    EXPECT_TRUE(has(metrics.render(), "mirror_fetch_bytes_saved_total{flow=\"a\"} 1024"));
  }
  EXPECT_FALSE(has(metrics.render(), "flow=\"a\"")) << metrics.render();
}

}  // namespace
}  // namespace mirror::metrics
