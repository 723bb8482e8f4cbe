#include "mirror/topics/config_sync.h"

#include <gtest/gtest.h>

namespace mirror::topics {
namespace {

kafka::ConfigEntry set(std::string v) {
  return {std::move(v), false, false, false};
}
kafka::ConfigEntry dflt(std::string v) {
  return {std::move(v), true, false, false};
}

TEST(ConfigSync, CopiesOnlyWhatIsSetOnTheSourceTopic) {
  auto policy = ConfigSyncPolicy::make({});
  ASSERT_TRUE(policy.ok());
  kafka::TopicConfigs source{{"retention.ms", set("3600000")},
                             {"cleanup.policy", set("compact")},
                             {"segment.bytes", dflt("1073741824")},
                             {"max.message.bytes", {"2000000", false, true, false}},  // read-only
                             {"some.password", {"", false, false, true}}};            // sensitive
  auto wanted = policy->wanted(source);
  EXPECT_EQ(wanted, (std::map<std::string, std::string>{{"cleanup.policy", "compact"},
                                                        {"retention.ms", "3600000"}}));
}

TEST(ConfigSync, TheTargetFollowsTheSourcesMaxMessageBytesEvenWhenItIsADefault) {
  // A source broker with message.max.bytes raised accepts large records on every topic without a
  // topic-level setting: the target topic must accept them too.
  auto policy = ConfigSyncPolicy::make({});
  ASSERT_TRUE(policy.ok());
  kafka::TopicConfigs source{{"max.message.bytes", dflt("8388608")},
                             {"segment.bytes", dflt("1073741824")}};
  EXPECT_EQ(policy->wanted(source),
            (std::map<std::string, std::string>{{"max.message.bytes", "8388608"}}));
  EXPECT_EQ(policy->changes(source, {{"max.message.bytes", dflt("1048588")}}),
            (std::map<std::string, std::string>{{"max.message.bytes", "8388608"}}))
      << "a later sync brings a target topic in line";
  EXPECT_TRUE(policy->changes(source, {{"max.message.bytes", set("8388608")}}).empty());

  auto excluded = ConfigSyncPolicy::make({"max\\.message\\.bytes"});
  ASSERT_TRUE(excluded.ok());
  EXPECT_TRUE(excluded->wanted(source).empty()) << "config_properties_exclude still wins";
}

TEST(ConfigSync, NeverCopiesSettingsThatBreakOrWeakenTheTarget) {
  auto policy = ConfigSyncPolicy::make({});
  ASSERT_TRUE(policy.ok());
  for (const char* name :
       {"min.insync.replicas", "leader.replication.throttled.replicas",
        "follower.replication.throttled.replicas", "message.timestamp.type",
        "message.timestamp.difference.max.ms", "message.timestamp.before.max.ms",
        "message.timestamp.after.max.ms", "unclean.leader.election.enable", "remote.storage.enable",
        "local.retention.ms", "local.retention.bytes", "confluent.placement.constraints"}) {
    EXPECT_FALSE(policy->copies(name)) << name;
  }
  EXPECT_TRUE(policy->copies("retention.ms"));
  EXPECT_TRUE(policy->copies("min.compaction.lag.ms"));
}

TEST(ConfigSync, FlowExclusionsAddToTheBuiltIns) {
  auto policy = ConfigSyncPolicy::make({"retention\\..*"});
  ASSERT_TRUE(policy.ok());
  EXPECT_FALSE(policy->copies("retention.ms"));
  EXPECT_FALSE(policy->copies("retention.bytes"));
  EXPECT_FALSE(policy->copies("min.insync.replicas"));
  EXPECT_TRUE(policy->copies("cleanup.policy"));
  EXPECT_TRUE(policy->copies("xretention.ms")) << "full match";
}

TEST(ConfigSync, BadExclusionRegexIsAnError) {
  auto policy = ConfigSyncPolicy::make({"("});
  ASSERT_FALSE(policy.ok());
  EXPECT_NE(policy.error().message.find("config_properties_exclude"), std::string::npos);
}

TEST(ConfigSync, ChangesAreWhatTheTargetLacksOrHasDifferently) {
  auto policy = ConfigSyncPolicy::make({});
  ASSERT_TRUE(policy.ok());
  kafka::TopicConfigs source{{"retention.ms", set("1000")},
                             {"cleanup.policy", set("compact")},
                             {"max.message.bytes", set("2000000")}};
  kafka::TopicConfigs target{
      {"retention.ms", set("1000")}, {"cleanup.policy", dflt("delete")}, {"segment.ms", set("5")}};
  auto changes = policy->changes(source, target);
  EXPECT_EQ(changes, (std::map<std::string, std::string>{{"cleanup.policy", "compact"},
                                                         {"max.message.bytes", "2000000"}}));
  EXPECT_TRUE(policy
                  ->changes(source, {{"retention.ms", set("1000")},
                                     {"cleanup.policy", set("compact")},
                                     {"max.message.bytes", set("2000000")}})
                  .empty());
}

}  // namespace
}  // namespace mirror::topics
