#include "mirror/mm2/checkpointer.h"

#include <gtest/gtest.h>

namespace mirror::mm2 {
namespace {

using config::ReplicationPolicy;

// Groups and their offsets in memory; records the commits it is asked for.
class FakeAdmin final : public kafka::ClusterAdmin {
 public:
  std::map<std::string, kafka::GroupOffsets> groups;
  std::map<std::string, int> members;
  std::map<std::string, kafka::GroupOffsets> commits;
  bool list_fails = false;
  std::set<std::string> offsets_fail;

  Result<kafka::ClusterInfo> metadata(kafka::Deadline) override { return kafka::ClusterInfo{}; }
  Result<std::map<int32_t, std::string>> broker_racks(kafka::Deadline) override {
    return std::map<int32_t, std::string>{};
  }
  Result<std::map<std::string, Error>> create_topics(const std::vector<kafka::NewTopic>&,
                                                     kafka::Deadline) override {
    return std::map<std::string, Error>{};
  }
  Status create_partitions(const std::string&, int, kafka::Deadline) override { return {}; }
  Result<std::map<std::string, kafka::TopicConfigs>> describe_topic_configs(
      const std::vector<std::string>&, kafka::Deadline) override {
    return std::map<std::string, kafka::TopicConfigs>{};
  }
  Status alter_topic_configs(const std::string&, const std::map<std::string, std::string>&,
                             kafka::Deadline) override {
    return {};
  }
  Result<std::vector<std::string>> list_groups(kafka::Deadline) override {
    if (list_fails) return make_error("list groups: broker down");
    std::vector<std::string> ids;
    for (const auto& [id, offsets] : groups) ids.push_back(id);
    return ids;
  }
  Result<kafka::GroupOffsets> group_offsets(const std::string& group, kafka::Deadline) override {
    if (offsets_fail.count(group) != 0)
      return make_error("offsets of " + group + ": coordinator moved");
    auto it = groups.find(group);
    return it == groups.end() ? kafka::GroupOffsets{} : it->second;
  }
  Result<kafka::GroupState> describe_group(const std::string& group, kafka::Deadline) override {
    kafka::GroupState st;
    st.exists = groups.count(group) != 0 || members.count(group) != 0;
    st.members = members.count(group) != 0 ? members[group] : 0;
    st.state = st.members > 0 ? "Stable" : (st.exists ? "Empty" : "Dead");
    return st;
  }
  Status commit_group_offsets(const std::string& group, const kafka::GroupOffsets& offsets,
                              kafka::Deadline) override {
    for (const auto& [tp, o] : offsets) {
      commits[group][tp] = o;
      groups[group][tp] = o;
    }
    return {};
  }
  Result<std::vector<kafka::AclBinding>> describe_topic_acls(kafka::Deadline) override {
    return make_error("no ACLs here");
  }
  Result<std::map<kafka::AclBinding, Error>> create_acls(const std::vector<kafka::AclBinding>&,
                                                         kafka::Deadline) override {
    return make_error("no ACLs here");
  }
  Result<std::map<kafka::AclBinding, Error>> delete_acls(const std::vector<kafka::AclBinding>&,
                                                         kafka::Deadline) override {
    return make_error("no ACLs here");
  }
};

kafka::Deadline soon() {
  return kafka::deadline_in(std::chrono::seconds(1));
}

struct Fixture : ::testing::Test {
  OffsetSyncStore store;
  FakeAdmin source;
  FakeAdmin target;

  Checkpointer make(std::vector<std::string> include = {".*"},
                    std::vector<std::string> exclude = {}) {
    auto filter = GroupFilter::make(include, exclude, "mirror-a-to-b");
    EXPECT_TRUE(filter.ok());
    return Checkpointer(topics::NamingPolicy(ReplicationPolicy::Default, "a", "b", "."),
                        std::move(filter.value()), store);
  }
  void replicate(const std::string& topic, int32_t p, int64_t from, int64_t to, int64_t shift) {
    auto& syncs = store.partition(topic, p);
    syncs.set_owned(true);
    for (int64_t u = from; u < to; ++u) syncs.record(u, u + shift);
  }
};

TEST_F(Fixture, OnlyPartitionsOwnedHereAreTranslated) {
  replicate("orders", 0, 0, 100, 0);
  replicate("orders", 1, 0, 100, 0);
  store.partition("orders", 1).set_owned(false);  // moved to another instance
  source.groups["billing"] = {{{"orders", 0}, {40, ""}}, {{"orders", 1}, {40, ""}}};
  auto round = make().translate(source, soon());
  ASSERT_TRUE(round.ok());
  ASSERT_EQ(round->groups.size(), 1u);
  ASSERT_EQ(round->groups[0].checkpoints.size(), 1u) << "the owner of orders-1 checkpoints it";
  EXPECT_EQ(round->groups[0].checkpoints[0].partition, 0);
}

TEST_F(Fixture, TranslatesEveryReplicatedPartitionOfMatchingGroups) {
  replicate("orders", 0, 0, 100, 10);
  replicate("orders", 1, 0, 50, 0);
  source.groups["billing"] = {
      {{"orders", 0}, {40, "meta"}}, {{"orders", 1}, {50, ""}}, {{"other", 0}, {7, ""}}};
  source.groups["mirror-a-to-b"] = {{{"orders", 0}, {100, ""}}};  // the replicator itself
  // An exactly-once flow's positions (of a flow writing to this flow's source): not a consumer.
  source.groups["mirror-c-to-a-exactly-once"] = {{{"orders", 0}, {90, "mirror-c-to-a-x-1"}}};
  auto round = make().translate(source, soon());
  ASSERT_TRUE(round.ok()) << round.error().message;
  ASSERT_EQ(round->groups.size(), 1u);
  const auto& g = round->groups[0];
  EXPECT_EQ(g.group, "billing");
  ASSERT_EQ(g.checkpoints.size(), 2u) << "'other' is not replicated by this flow";
  EXPECT_EQ(g.checkpoints[0], (Checkpoint{"billing", "a.orders", 0, 40, 50, "meta"}));
  EXPECT_EQ(g.checkpoints[1], (Checkpoint{"billing", "a.orders", 1, 50, 50, ""}));
}

TEST(GroupFilter, PositionGroupsOfExactlyOnceFlowsAreNeverCheckpointed) {
  EXPECT_TRUE(GroupFilter::is_position_group("mirror-a-to-b-exactly-once"));
  EXPECT_FALSE(GroupFilter::is_position_group("mirror-exactly-once"));
  EXPECT_FALSE(GroupFilter::is_position_group("app-exactly-once"));
  EXPECT_FALSE(GroupFilter::is_position_group("mirror-a-to-b"));
}

TEST_F(Fixture, GroupsAndGroupsExcludeAreFullMatches) {
  replicate("t", 0, 0, 10, 0);
  for (const char* g : {"app-1", "app-2", "app-test", "xapp-1", "console-consumer-1"})
    source.groups[g] = {{{"t", 0}, {5, ""}}};
  auto round =
      make({"app-.*", "console-consumer-.*"}, {".*-test", "console-.*"}).translate(source, soon());
  ASSERT_TRUE(round.ok());
  std::vector<std::string> ids;
  for (const auto& g : round->groups) ids.push_back(g.group);
  EXPECT_EQ(ids, (std::vector<std::string>{"app-1", "app-2"}));
}

TEST_F(Fixture, ListingFailureFailsTheRoundOneGroupFailureDoesNot) {
  replicate("t", 0, 0, 10, 0);
  source.groups["g1"] = {{{"t", 0}, {5, ""}}};
  source.groups["g2"] = {{{"t", 0}, {6, ""}}};
  source.offsets_fail = {"g1"};
  auto round = make().translate(source, soon());
  ASSERT_TRUE(round.ok());
  ASSERT_EQ(round->groups.size(), 1u);
  EXPECT_EQ(round->groups[0].group, "g2");
  ASSERT_EQ(round->problems.size(), 1u);
  EXPECT_NE(round->problems[0].find("g1"), std::string::npos);
  source.list_fails = true;
  EXPECT_FALSE(make().translate(source, soon()).ok());
}

TEST_F(Fixture, UntranslatableOffsetsAreLeftOut) {
  replicate("t", 0, 100, 200, 0);  // e.g. after a restart: only 100.. is known
  source.groups["behind"] = {{{"t", 0}, {50, ""}}};
  auto round = make().translate(source, soon());
  ASSERT_TRUE(round.ok());
  EXPECT_TRUE(round->groups.empty())
      << "a checkpoint never points past a record the group has not read";
}

TEST_F(Fixture, SyncCommitsToIdleGroupsOnlyForward) {
  replicate("t", 0, 0, 100, 0);
  replicate("t", 1, 0, 100, 0);
  source.groups["idle"] = {{{"t", 0}, {40, ""}}, {{"t", 1}, {40, ""}}};
  source.groups["busy"] = {{{"t", 0}, {40, ""}}};
  source.groups["new"] = {{{"t", 0}, {10, ""}}};
  target.groups["idle"] = {{{"a.t", 0}, {60, ""}}};  // a target consumer already went further
  target.members["busy"] = 2;
  auto cp = make();
  auto round = cp.translate(source, soon());
  ASSERT_TRUE(round.ok());
  auto report = cp.sync(target, round->groups, soon());
  EXPECT_EQ(report.in_sync, 2);
  EXPECT_EQ(report.skipped_active, 1);
  EXPECT_TRUE(report.problems.empty());
  EXPECT_EQ(target.commits.count("busy"), 0u) << "a group with members on the target is left alone";
  ASSERT_EQ(target.commits.count("idle"), 1u);
  EXPECT_EQ(target.commits["idle"].count({"a.t", 0}), 0u) << "never moved backwards";
  EXPECT_EQ(target.commits["idle"].at({"a.t", 1}).offset, 40);
  EXPECT_EQ(target.commits["new"].at({"a.t", 0}).offset, 10);

  target.commits.clear();
  report = cp.sync(target, round->groups, soon());
  EXPECT_TRUE(target.commits.empty()) << "nothing to move: nothing committed";
  EXPECT_EQ(report.in_sync, 2);
}

}  // namespace
}  // namespace mirror::mm2
