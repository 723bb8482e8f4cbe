// Topic ACL sync: the plan (pure) and the syncer over in-memory clusters (tests/support).
#include "mirror/topics/acl_sync.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/fake_admin.h"

namespace mirror::kafka {
void PrintTo(const AclBinding& acl, std::ostream* out) {
  *out << describe(acl);
}
}  // namespace mirror::kafka

namespace mirror::topics {
namespace {

using namespace std::chrono_literals;
using kafka::AclBinding;
using kafka::AclOperation;
using kafka::AclPermission;
using mirror::testing::FakeAdmin;
using mirror::testing::FakeCluster;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

AclBinding allow(const std::string& topic, AclOperation op, const std::string& who = "User:alice") {
  return {topic, who, "*", op, AclPermission::Allow};
}
AclBinding deny(const std::string& topic, AclOperation op, const std::string& who = "User:alice") {
  return {topic, who, "*", op, AclPermission::Deny};
}

const std::map<std::string, std::string> kRoutes{{"orders", "src.orders"},
                                                 {"payments", "src.payments"}};

TEST(TargetAcl, DropsAllowWriteTurnsAllowAllIntoReadAndKeepsTheRest) {
  EXPECT_EQ(target_acl(allow("orders", AclOperation::Write), "src.orders"), std::nullopt);
  EXPECT_EQ(target_acl(allow("orders", AclOperation::All), "src.orders"),
            allow("src.orders", AclOperation::Read));
  EXPECT_EQ(target_acl(allow("orders", AclOperation::Read), "src.orders"),
            allow("src.orders", AclOperation::Read));
  EXPECT_EQ(target_acl(allow("orders", AclOperation::Describe), "src.orders"),
            allow("src.orders", AclOperation::Describe));
  // DENY entries as they are, WRITE and ALL too (MM2's shouldReplicateAcl / targetAclBinding).
  EXPECT_EQ(target_acl(deny("orders", AclOperation::Write), "src.orders"),
            deny("src.orders", AclOperation::Write));
  EXPECT_EQ(target_acl(deny("orders", AclOperation::All), "src.orders"),
            deny("src.orders", AclOperation::All));
  AclBinding from_host{"orders", "User:bob", "10.0.0.7", AclOperation::Read, AclPermission::Allow};
  EXPECT_EQ(target_acl(from_host, "orders"), from_host) << "principal and host kept";
}

TEST(PlanAclSync, CreatesTheMappedAclsOfReplicatedTopicsOnly) {
  const std::vector<AclBinding> source{
      allow("orders", AclOperation::Read),  allow("orders", AclOperation::Write),
      allow("payments", AclOperation::All), deny("payments", AclOperation::Read, "User:eve"),
      allow("audit", AclOperation::Read),  // not replicated
      allow("*", AclOperation::Read),      // the wildcard topic: not a replicated topic
  };
  auto plan = plan_acl_sync(source, {}, kRoutes, {}, {});
  EXPECT_THAT(plan.create,
              UnorderedElementsAre(allow("src.orders", AclOperation::Read),
                                   allow("src.payments", AclOperation::Read),
                                   deny("src.payments", AclOperation::Read, "User:eve")));
  EXPECT_THAT(plan.remove, IsEmpty());
  EXPECT_EQ(plan.owned.size(), 3u);
  EXPECT_EQ(plan.owned.at(allow("src.payments", AclOperation::Read)), "payments");
  EXPECT_EQ(plan.adopted, 0u);
}

TEST(PlanAclSync, AllowAllAndAllowReadOfOnePrincipalGiveOneTargetAcl) {
  auto plan =
      plan_acl_sync({allow("orders", AclOperation::All), allow("orders", AclOperation::Read)}, {},
                    kRoutes, {}, {});
  EXPECT_THAT(plan.create, ElementsAre(allow("src.orders", AclOperation::Read)));
}

TEST(PlanAclSync, RemovesOwnedAclsGoneFromTheSourceAndLeavesTheOperatorsAlone) {
  const AclBinding ours = allow("src.orders", AclOperation::Read);
  const AclBinding operators = allow("src.orders", AclOperation::Read, "User:ops");
  const OwnedAcls owned{{ours, "orders"}};
  auto plan = plan_acl_sync({}, {ours, operators}, kRoutes, owned, {"orders", "payments"});
  EXPECT_THAT(plan.create, IsEmpty());
  EXPECT_THAT(plan.remove, ElementsAre(ours));
  EXPECT_THAT(plan.owned, IsEmpty());
}

TEST(PlanAclSync, AnOperatorsAclEqualToAWantedOneIsNotTakenOverOnceTheTopicIsKnown) {
  // The topic has been under sync: an equal ACL that appears on the target is someone else's.
  const AclBinding same = allow("src.orders", AclOperation::Read);
  auto plan = plan_acl_sync({allow("orders", AclOperation::Read)}, {same}, kRoutes, {},
                            {"orders", "payments"});
  EXPECT_THAT(plan.create, IsEmpty());
  EXPECT_THAT(plan.owned, IsEmpty());
  // ... so when the source drops it, it stays.
  plan = plan_acl_sync({}, {same}, kRoutes, plan.owned, {"orders", "payments"});
  EXPECT_THAT(plan.remove, IsEmpty());
}

TEST(PlanAclSync, AdoptsEqualTargetAclsOfTopicsNewToTheSync) {
  // A restart: what an earlier run created is there already and becomes this run's.
  const AclBinding earlier = allow("src.orders", AclOperation::Read);
  const AclBinding unrelated = allow("src.orders", AclOperation::Describe, "User:ops");
  auto plan =
      plan_acl_sync({allow("orders", AclOperation::Read)}, {earlier, unrelated}, kRoutes, {}, {});
  EXPECT_THAT(plan.create, IsEmpty());
  EXPECT_EQ(plan.adopted, 1u);
  EXPECT_EQ(plan.owned, (OwnedAcls{{earlier, "orders"}}));
  // Removed on the source later: removed on the target; the unrelated one stays.
  plan = plan_acl_sync({}, {earlier, unrelated}, kRoutes, plan.owned, {"orders", "payments"});
  EXPECT_THAT(plan.remove, ElementsAre(earlier));
}

TEST(PlanAclSync, AnOwnedAclDeletedOnTheTargetIsCreatedAgain) {
  const AclBinding ours = allow("src.orders", AclOperation::Read);
  auto plan = plan_acl_sync({allow("orders", AclOperation::Read)}, {}, kRoutes, {{ours, "orders"}},
                            {"orders"});
  EXPECT_THAT(plan.create, ElementsAre(ours));
}

TEST(PlanAclSync, AclsOfATopicNoLongerReplicatedAreLeftAsTheyAre) {
  const AclBinding ours = allow("src.orders", AclOperation::Read);
  auto plan = plan_acl_sync({}, {ours}, {{"payments", "src.payments"}}, {{ours, "orders"}},
                            {"orders", "payments"});
  EXPECT_THAT(plan.remove, IsEmpty());
  EXPECT_EQ(plan.owned.count(ours), 1u) << "kept: removed once the topic is back and lacks it";
}

TEST(PlanAclSync, AnOwnedAclGoneFromBothSidesIsForgotten) {
  const AclBinding ours = allow("src.orders", AclOperation::Read);
  auto plan = plan_acl_sync({}, {}, kRoutes, {{ours, "orders"}}, {"orders"});
  EXPECT_THAT(plan.remove, IsEmpty());
  EXPECT_THAT(plan.owned, IsEmpty());
}

struct AclSyncerTest : ::testing::Test {
  FakeCluster source_cluster;
  FakeCluster target_cluster;
  FakeAdmin source{source_cluster};
  FakeAdmin target{target_cluster};
  AclSyncer syncer{"f"};
  Routing routing;

  AclSyncerTest() { routing.routes["orders"] = {"orders", "src.orders", 1, 1}; }
  AclSyncer::Round round() {
    auto r = syncer.sync(source, target, routing, 1s);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::move(r.value()) : AclSyncer::Round{};
  }
};

TEST_F(AclSyncerTest, CopiesReadNotWriteAndRemovesWhatTheSourceRemoved) {
  const AclBinding operators = allow("src.orders", AclOperation::Describe, "User:ops");
  target_cluster.acls = {operators};
  source_cluster.acls = {allow("orders", AclOperation::Read), allow("orders", AclOperation::Write),
                         allow("orders", AclOperation::All, "User:bob")};
  auto r = round();
  EXPECT_EQ(r.created, 2u);
  EXPECT_THAT(r.problems, IsEmpty());
  EXPECT_EQ(target_cluster.acls,
            (std::set<AclBinding>{operators, allow("src.orders", AclOperation::Read),
                                  allow("src.orders", AclOperation::Read, "User:bob")}));
  EXPECT_EQ(syncer.owned(), 2u);

  source_cluster.acls.erase(allow("orders", AclOperation::Read));
  r = round();
  EXPECT_EQ(r.removed, 1u);
  EXPECT_EQ(target_cluster.acls,
            (std::set<AclBinding>{operators, allow("src.orders", AclOperation::Read, "User:bob")}));
  EXPECT_EQ(syncer.owned(), 1u);
}

TEST_F(AclSyncerTest, FailedCreationsAreProblemsAndTriedAgain) {
  source_cluster.acls = {allow("orders", AclOperation::Read)};
  target_cluster.failing["create_acls"] = make_error("Cluster authorization failed", 31, false);
  auto r = round();
  EXPECT_EQ(r.created, 0u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].kind, metrics::ErrorKind::AclSync);
  EXPECT_THAT(r.problems[0].message,
              ::testing::HasSubstr("cannot create 1 of 1 ACL(s) on the target, first ALLOW READ "
                                   "for User:alice from * on topic 'src.orders': Cluster "
                                   "authorization failed"));
  EXPECT_EQ(syncer.owned(), 0u);

  target_cluster.failing.clear();
  r = round();
  EXPECT_EQ(r.created, 1u);
  EXPECT_THAT(r.problems, IsEmpty());
  EXPECT_EQ(syncer.owned(), 1u);
}

TEST_F(AclSyncerTest, AFailedRemovalKeepsTheAclOwnedForTheNextRound) {
  source_cluster.acls = {allow("orders", AclOperation::Read)};
  round();
  source_cluster.acls.clear();
  target_cluster.failing_acls[allow("src.orders", AclOperation::Read)] = make_error("timed out");
  auto r = round();
  EXPECT_EQ(r.removed, 0u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_THAT(r.problems[0].message, ::testing::HasSubstr("cannot remove 1 of 1"));
  EXPECT_EQ(syncer.owned(), 1u);
  target_cluster.failing_acls.clear();
  r = round();
  EXPECT_EQ(r.removed, 1u);
  EXPECT_THAT(target_cluster.acls, IsEmpty());
}

TEST_F(AclSyncerTest, UnreadableAclsFailTheRoundAndChangeNothing) {
  source_cluster.acls = {allow("orders", AclOperation::Read)};
  source_cluster.failing["describe_topic_acls"] =
      make_error("the cluster has no authorizer", 54, false);
  auto r = syncer.sync(source, target, routing, 1s);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, ::testing::StartsWith("reading the source's topic ACLs: "));
  EXPECT_FALSE(r.error().retriable);
  EXPECT_THAT(target_cluster.acls, IsEmpty());
  EXPECT_EQ(target_cluster.calls["describe_topic_acls"], 0);
}

}  // namespace
}  // namespace mirror::topics
