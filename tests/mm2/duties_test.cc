#include "mirror/mm2/duties.h"

#include <gtest/gtest.h>

#include "tests/support/fake_admin.h"

namespace mirror::mm2 {
namespace {

using namespace std::chrono_literals;

struct DutiesTest : ::testing::Test {
  metrics::Metrics metrics;
  metrics::FlowProbe probe{metrics, "f", {true, true, true, false}};
  testing::FakeCluster target_cluster;
  testing::FakeAdmin target{target_cluster};
  OffsetSyncStore store;
  config::FlowSpec spec;
  std::unique_ptr<Duties> make() {
    spec.name = "f";
    auto d = Duties::make(spec, "src", "dst", &store, probe, 1s);
    EXPECT_TRUE(d.ok());
    return std::move(d.value());
  }
};

TEST_F(DutiesTest, InternalTopicsAreCreatedOnceCompactedWithOnePartition) {
  auto duties = make();
  ASSERT_TRUE(duties->ensure_topics(target).ok());
  ASSERT_EQ(target_cluster.topics.count("heartbeats"), 1u);
  ASSERT_EQ(target_cluster.topics.count("src.checkpoints.internal"), 1u);
  EXPECT_EQ(target_cluster.topics["heartbeats"].partitions, 1);
  EXPECT_EQ(target_cluster.topics["heartbeats"].configs.at("cleanup.policy"), "compact");
  ASSERT_EQ(target_cluster.topics.count("mm2-offset-syncs.src.internal"), 1u)
      << "MM2's name for a target-located offset-syncs topic";
  EXPECT_EQ(target_cluster.topics["mm2-offset-syncs.src.internal"].partitions, 1);
  EXPECT_EQ(target_cluster.topics["mm2-offset-syncs.src.internal"].configs.at("cleanup.policy"),
            "compact");
  ASSERT_TRUE(duties->ensure_topics(target).ok());
  EXPECT_EQ(target_cluster.calls["create_topics"], 1) << "done once";
}

TEST_F(DutiesTest, WithoutPermissionToCreateTheTopicsAreAssumedToExist) {
  // As Kafka Connect does: an administrator may have created them for a principal that may not.
  target_cluster.failing_topics["heartbeats"] = make_error("Topic authorization failed", 29, false);
  target_cluster.failing_topics["src.checkpoints.internal"] =
      make_error("Cluster authorization failed", 31, false);
  auto duties = make();
  EXPECT_TRUE(duties->ensure_topics(target).ok());
  EXPECT_TRUE(duties->ensure_topics(target).ok());
  EXPECT_EQ(target_cluster.calls["create_topics"], 1);
}

TEST_F(DutiesTest, OtherCreationFailuresAreReportedAndTriedAgain) {
  target_cluster.failing_topics["heartbeats"] =
      make_error("Replication factor too large", 38, false);
  auto duties = make();
  auto st = duties->ensure_topics(target);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("cannot create 'heartbeats' on 'dst'"), std::string::npos);
  target_cluster.failing_topics.clear();
  EXPECT_TRUE(duties->ensure_topics(target).ok());
  EXPECT_EQ(target_cluster.calls["create_topics"], 2);
}

TEST_F(DutiesTest, OffsetSyncsReadBackFeedTheStore) {
  spec.emit_checkpoints_enabled = true;
  auto duties = make();
  const auto parts = duties->read_back_partitions();
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].topic, "mm2-offset-syncs.src.internal");
  EXPECT_EQ(parts[1].topic, "src.checkpoints.internal");
  const auto sync = encode(OffsetSync{"orders", 3, 10, 110});
  duties->read_back("mm2-offset-syncs.src.internal", sync.key, sync.value, nullptr);
  EXPECT_EQ(store.translate("orders", 3, 11), 111) << "a sync of MM2's (no run id): one record";
  duties->read_back("mm2-offset-syncs.src.internal", "junk", "junk", nullptr);
  duties->read_back("elsewhere", sync.key, sync.value, nullptr);
  EXPECT_EQ(store.translate("orders", 3, 11), 111);
}

}  // namespace
}  // namespace mirror::mm2
