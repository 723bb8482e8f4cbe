#include "mirror/topics/naming.h"

#include <gtest/gtest.h>

namespace mirror::topics {
namespace {

using config::ReplicationPolicy;

TEST(NamingPolicy, DefaultPrefixesTheSourceCluster) {
  NamingPolicy p(ReplicationPolicy::Default, "primary", "backup", ".");
  EXPECT_EQ(p.target_topic("orders"), "primary.orders");
  NamingPolicy dash(ReplicationPolicy::Default, "primary", "backup", "--");
  EXPECT_EQ(dash.target_topic("orders"), "primary--orders");
}

TEST(NamingPolicy, IdentityKeepsTheName) {
  NamingPolicy p(ReplicationPolicy::Identity, "primary", "backup", ".");
  EXPECT_EQ(p.target_topic("orders"), "orders");
  EXPECT_FALSE(p.is_from_target("backup.orders"));
}

TEST(NamingPolicy, ReplicasFromTheTargetAreNotSentBack) {
  NamingPolicy p(ReplicationPolicy::Default, "primary", "backup", ".");
  EXPECT_TRUE(p.is_from_target("backup.orders"));
  EXPECT_TRUE(p.is_from_target("backup.primary.orders"));
  EXPECT_FALSE(p.is_from_target("backup"));
  EXPECT_FALSE(p.is_from_target("backups.orders"));
  EXPECT_FALSE(p.is_from_target("orders"));
  EXPECT_FALSE(p.is_from_target("primary.orders"))
      << "a replica of ourselves is not from the target";
}

TEST(NamingPolicy, ATopicThatWentThroughTheTargetAnywhereInItsChainIsNotSentThere) {
  NamingPolicy us(ReplicationPolicy::Default, "eu", "us", ".");
  EXPECT_TRUE(us.is_from_target("us.eu.orders")) << "us -> eu, now eu -> us";
  EXPECT_TRUE(us.is_from_target("eu.us.orders")) << "us -> eu -> ... -> eu, then to us";
  EXPECT_TRUE(us.is_from_target("ap.eu.us.orders")) << "a ring us -> ... -> ap -> eu";
  EXPECT_FALSE(us.is_from_target("ap.eu.orders"));
  EXPECT_FALSE(us.is_from_target("eu.orders.us")) << "the last part is the topic's own name";
  EXPECT_FALSE(us.is_from_target("usa.orders"));
  EXPECT_FALSE(us.is_from_target("eu..orders"));
  NamingPolicy dashed(ReplicationPolicy::Default, "eu", "us", "--");
  EXPECT_TRUE(dashed.is_from_target("ap--us--orders"));
  EXPECT_FALSE(dashed.is_from_target("ap.us.orders")) << "another separator";
  EXPECT_FALSE(dashed.is_from_target("ap--us"));
  auto all = TopicFilter::make({".*"}, {});
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(should_replicate("ap.us.orders", *all, us));
  EXPECT_TRUE(should_replicate("ap.orders", *all, us));
}

TEST(NamingPolicy, HeartbeatsTopicsAreAlwaysReplicatedAndPrefixed) {
  NamingPolicy p(ReplicationPolicy::Default, "primary", "backup", ".");
  auto only_orders = TopicFilter::make({"orders"}, {});
  ASSERT_TRUE(only_orders.ok());
  EXPECT_TRUE(p.is_heartbeats("heartbeats"));
  EXPECT_TRUE(p.is_heartbeats("third.heartbeats"));
  EXPECT_FALSE(p.is_heartbeats("myheartbeats"));
  EXPECT_FALSE(p.is_heartbeats("heartbeats.x"));
  EXPECT_TRUE(should_replicate("heartbeats", *only_orders, p)) << "whatever the filter says";
  EXPECT_TRUE(should_replicate("third.heartbeats", *only_orders, p));
  EXPECT_FALSE(should_replicate("backup.heartbeats", *only_orders, p))
      << "came from the target: a cycle";
  EXPECT_FALSE(should_replicate("other", *only_orders, p));

  NamingPolicy identity(ReplicationPolicy::Identity, "primary", "backup", ".");
  EXPECT_EQ(identity.target_topic("orders"), "orders");
  EXPECT_EQ(identity.target_topic("heartbeats"), "primary.heartbeats")
      << "as MM2's IdentityReplicationPolicy";
  EXPECT_TRUE(identity.is_from_target("backup.heartbeats"));
  EXPECT_FALSE(should_replicate("primary.checkpoints.internal", *only_orders, p));
}

TEST(TopicFilter, FullMatchIncludeThenExclude) {
  auto f = TopicFilter::make({"orders\\..*", "payments"}, {".*\\.internal"});
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->matches("orders.eu"));
  EXPECT_TRUE(f->matches("payments"));
  EXPECT_FALSE(f->matches("payments2")) << "full match, not search";
  EXPECT_FALSE(f->matches("xorders.eu"));
  EXPECT_FALSE(f->matches("orders.x.internal"));
}

TEST(TopicFilter, BadRegexIsAnError) {
  auto f = TopicFilter::make({"("}, {});
  EXPECT_FALSE(f.ok());
}

TEST(ShouldReplicate, InternalAndLoopingTopicsNeverReplicate) {
  auto f = TopicFilter::make({".*"}, {});
  ASSERT_TRUE(f.ok());
  NamingPolicy p(ReplicationPolicy::Default, "a", "b", ".");
  EXPECT_TRUE(should_replicate("orders", *f, p));
  EXPECT_FALSE(should_replicate("__consumer_offsets", *f, p));
  EXPECT_FALSE(should_replicate("b.orders", *f, p));
  EXPECT_FALSE(should_replicate("b.checkpoints.internal", *f, p));
  EXPECT_FALSE(should_replicate("mm2-offset-syncs.b.internal", *f, p));
  EXPECT_TRUE(should_replicate("heartbeats", *f, p));
}

}  // namespace
}  // namespace mirror::topics
