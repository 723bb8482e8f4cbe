// The topic syncer against in-memory clusters (tests/support/fake_admin.h).
#include "mirror/topics/syncer.h"

#include <gtest/gtest.h>

#include "tests/support/fake_admin.h"

namespace mirror::topics {
namespace {

using namespace std::chrono_literals;
using testing::FakeAdmin;
using testing::FakeCluster;

struct SyncerTest : ::testing::Test {
  FakeCluster source_cluster;
  FakeCluster target_cluster;
  FakeAdmin source{source_cluster};
  FakeAdmin target{target_cluster};
  config::FlowSpec spec;

  TopicSyncer syncer() {
    auto s = TopicSyncer::make(spec, "src", "dst");
    EXPECT_TRUE(s.ok());
    return std::move(s.value());
  }
  static bool has_problem(const TopicSyncer::Round& round, const std::string& text) {
    for (const auto& p : round.problems) {
      if (p.message.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

TEST_F(SyncerTest, CreatesTargetTopicsWithTheSourcePartitionsAndCopiedConfigs) {
  source_cluster.topics["orders"] = {4, {{"retention.ms", "1000"}, {"min.insync.replicas", "2"}}};
  source_cluster.topics["__consumer_offsets"] = {50, {}};
  source_cluster.topics["audit.internal"] = {1, {}};
  auto s = syncer();
  auto round = s.sync(source, target, 1s);
  ASSERT_TRUE(round.ok()) << round.error().message;
  EXPECT_TRUE(round->problems.empty());
  ASSERT_EQ(round->routing.routes.size(), 1u);
  const auto& route = round->routing.routes.at("orders");
  EXPECT_EQ(route.target_topic, "src.orders");
  EXPECT_EQ(route.source_partitions, 4);
  EXPECT_EQ(route.target_partitions, 4);
  ASSERT_EQ(target_cluster.topics.count("src.orders"), 1u);
  EXPECT_EQ(target_cluster.topics["src.orders"].partitions, 4);
  EXPECT_EQ(target_cluster.topics["src.orders"].configs,
            (std::map<std::string, std::string>{{"retention.ms", "1000"}}))
      << "min.insync.replicas is never copied";
  EXPECT_EQ(round->routing.source.rack_of(2), "az-b") << "racks from DescribeCluster";
  EXPECT_EQ(round->routing.topics(), std::vector<std::string>{"orders"});
}

TEST_F(SyncerTest, GrowsTheTargetWhenTheSourceGrows) {
  source_cluster.topics["orders"] = {2, {}};
  auto s = syncer();
  ASSERT_TRUE(s.sync(source, target, 1s).ok());
  source_cluster.topics["orders"].partitions = 5;
  auto round = s.sync(source, target, 1s);
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(target_cluster.topics["src.orders"].partitions, 5);
  EXPECT_EQ(round->routing.routes.at("orders").target_partitions, 5);
}

TEST_F(SyncerTest, AFailedGrowthKeepsTheRouteWithThePartitionsTheTargetHas) {
  source_cluster.topics["orders"] = {2, {}};
  auto s = syncer();
  ASSERT_TRUE(s.sync(source, target, 1s).ok());
  source_cluster.topics["orders"].partitions = 3;
  target_cluster.failing["create_partitions"] = make_error("Policy violation", 44);
  auto round = s.sync(source, target, 1s);
  ASSERT_TRUE(round.ok());
  ASSERT_EQ(round->routing.routes.count("orders"), 1u);
  EXPECT_EQ(round->routing.routes.at("orders").target_partitions, 2);
  EXPECT_EQ(round->routing.routes.at("orders").source_partitions, 3);
  EXPECT_TRUE(has_problem(*round, "cannot add partitions to target topic 'src.orders'"));
}

TEST_F(SyncerTest, ATopicThatCannotBeCreatedStaysOutAndIsTriedAgain) {
  source_cluster.topics["orders"] = {1, {}};
  source_cluster.topics["payments"] = {1, {}};
  target_cluster.failing_topics["src.payments"] =
      make_error("Topic authorization failed", 29, false);
  auto s = syncer();
  auto round = s.sync(source, target, 1s);
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->routing.topics(), std::vector<std::string>{"orders"});
  ASSERT_TRUE(has_problem(*round, "cannot create target topic 'src.payments'"));
  EXPECT_EQ(round->problems.front().kind, metrics::ErrorKind::TopicSync);
  target_cluster.failing_topics.clear();
  round = s.sync(source, target, 1s);
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->routing.topics(), (std::vector<std::string>{"orders", "payments"}));
  EXPECT_TRUE(round->problems.empty());
}

TEST_F(SyncerTest, AConfigTheTargetRefusesDoesNotKeepTheTopicFromBeingCreated) {
  source_cluster.topics["orders"] = {1, {{"retention.ms", "1000"}, {"segment.bytes", "1"}}};
  target_cluster.refused_configs = {"segment.bytes"};
  auto s = syncer();
  auto round = s.sync(source, target, 1s);
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->routing.topics(), std::vector<std::string>{"orders"});
  EXPECT_EQ(target_cluster.topics["src.orders"].configs.count("retention.ms"), 1u)
      << "set one by one after the plain creation";
  EXPECT_TRUE(has_problem(*round, "segment.bytes"));
}

TEST_F(SyncerTest, ConfigsFollowTheSourceOnEveryRound) {
  source_cluster.topics["orders"] = {1, {{"retention.ms", "1000"}}};
  auto s = syncer();
  ASSERT_TRUE(s.sync(source, target, 1s).ok());
  source_cluster.topics["orders"].configs["retention.ms"] = "2000";
  const int alters_before = target_cluster.calls["alter_topic_configs"];
  ASSERT_TRUE(s.sync(source, target, 1s).ok());
  EXPECT_EQ(target_cluster.topics["src.orders"].configs["retention.ms"], "2000");
  EXPECT_EQ(target_cluster.calls["alter_topic_configs"], alters_before + 1);
  ASSERT_TRUE(s.sync(source, target, 1s).ok());
  EXPECT_EQ(target_cluster.calls["alter_topic_configs"], alters_before + 1) << "nothing differs";
}

TEST_F(SyncerTest, ABrokerMissingFromARoundKeepsItsRack) {
  source_cluster.topics["orders"] = {1, {}};
  auto s = syncer();
  ASSERT_TRUE(s.sync(source, target, 1s).ok());
  source_cluster.racks.erase(2);  // down: DescribeCluster leaves it out
  source_cluster.racks[4] = "az-a";
  auto round = s.sync(source, target, 1s);
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->routing.source.rack_of(2), "az-b") << "its bytes once back are not unknown";
  EXPECT_EQ(round->routing.source.rack_of(4), "az-a");
  source_cluster.racks[2] = "az-c";  // back, moved
  round = s.sync(source, target, 1s);
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->routing.source.rack_of(2), "az-c");
}

TEST_F(SyncerTest, UnreadableMetadataFailsTheRoundUnreadableRacksDoNot) {
  source_cluster.topics["orders"] = {1, {}};
  auto s = syncer();
  ASSERT_TRUE(s.sync(source, target, 1s).ok());
  source_cluster.failing["broker_racks"] = make_error("timed out");
  auto round = s.sync(source, target, 1s);
  ASSERT_TRUE(round.ok());
  EXPECT_TRUE(has_problem(*round, "cannot read broker racks"));
  EXPECT_EQ(round->problems.front().kind, metrics::ErrorKind::DescribeCluster);
  EXPECT_EQ(round->routing.source.rack_of(3), "az-c") << "the racks read before are kept";
  source_cluster.failing["metadata"] = make_error("Local: Broker transport failure", -195);
  auto failed = s.sync(source, target, 1s);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("source cluster 'src'"), std::string::npos);
  source_cluster.failing.clear();
  target_cluster.failing["metadata"] = make_error("timed out");
  failed = s.sync(source, target, 1s);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("target cluster 'dst'"), std::string::npos);
}

TEST_F(SyncerTest, TopicsGoneFromTheSourceLeaveTheRouting) {
  source_cluster.topics["orders"] = {1, {}};
  source_cluster.topics["payments"] = {1, {}};
  auto s = syncer();
  ASSERT_TRUE(s.sync(source, target, 1s).ok());
  source_cluster.topics.erase("payments");
  auto round = s.sync(source, target, 1s);
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->routing.topics(), std::vector<std::string>{"orders"});
}

TEST_F(SyncerTest, TheRoutingCarriesBothClusterIds) {
  source_cluster.topics["orders"] = {1, {}};
  auto s = syncer();
  auto round = s.sync(source, target, 1s);
  ASSERT_TRUE(round.ok()) << round.error().message;
  EXPECT_EQ(round->routing.source.cluster_id, source_cluster.id);
  EXPECT_EQ(round->routing.target_cluster_id, target_cluster.id);
}

TEST_F(SyncerTest, AStampingFlowNeedsBothClusterIds) {
  source_cluster.topics["orders"] = {1, {}};
  spec.replication_policy = config::ReplicationPolicy::Identity;  // stamps (auto)
  target_cluster.id.clear();
  auto s = syncer();
  auto round = s.sync(source, target, 1s);
  ASSERT_FALSE(round.ok());
  EXPECT_NE(round.error().message.find("cluster 'dst' reports no cluster id"), std::string::npos)
      << round.error().message;
  EXPECT_TRUE(target_cluster.topics.empty()) << "nothing created for a flow that cannot run";
  spec.provenance_headers_enabled = config::ProvenanceHeaders::Disabled;
  auto unstamped = syncer();
  EXPECT_TRUE(unstamped.sync(source, target, 1s).ok()) << "without headers no id is needed";
}

TEST_F(SyncerTest, NoIdentityFlowCopiesAClusterOntoItself) {
  source_cluster.topics["orders"] = {1, {}};
  target_cluster.id = source_cluster.id;  // two aliases of one cluster
  spec.replication_policy = config::ReplicationPolicy::Identity;
  auto s = syncer();
  auto round = s.sync(source, target, 1s);
  ASSERT_FALSE(round.ok());
  EXPECT_NE(round.error().message.find("are the same cluster"), std::string::npos)
      << round.error().message;
  spec.replication_policy = config::ReplicationPolicy::Default;
  auto prefixed = syncer();
  EXPECT_TRUE(prefixed.sync(source, target, 1s).ok()) << "prefixed names are new topics";
}

}  // namespace
}  // namespace mirror::topics
