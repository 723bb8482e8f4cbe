// The admin of the in-process mock cluster (mock_cluster.h): the topic-config store, the group
// registry, and group offsets through the mock's own group coordinator.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "mirror/kafka/admin.h"
#include "mirror/kafka/handles.h"
#include "mirror/testkit/mock_cluster.h"

namespace mirror::testkit {
namespace {

using namespace mirror::kafka;  // NOLINT(google-build-using-namespace)

using namespace std::chrono_literals;

std::unique_ptr<MockCluster> start_mock() {
  auto mc = MockCluster::start(1);
  EXPECT_TRUE(mc.ok()) << mc.error().message;
  return std::move(mc.value());
}

TEST(MockAdmin, DescribeReturnsCreationConfigsAndWhatWasAltered) {
  auto mc = start_mock();
  auto admin = mc->admin();
  auto created = admin->create_topics(
      {NewTopic{"orders", 2, 1, {{"cleanup.policy", "compact"}, {"retention.ms", "1000"}}},
       NewTopic{"plain", 1, 1, {}}},
      deadline_in(5s));
  ASSERT_TRUE(created.ok()) << created.error().message;
  ASSERT_TRUE(created->empty());

  auto st = admin->alter_topic_configs(
      "orders", {{"retention.ms", "2000"}, {"max.message.bytes", "500"}}, deadline_in(5s));
  ASSERT_TRUE(st.ok()) << st.error().message;

  auto described = admin->describe_topic_configs({"orders", "plain", "missing"}, deadline_in(5s));
  ASSERT_TRUE(described.ok()) << described.error().message;
  EXPECT_EQ(described->count("missing"), 0u) << "an unknown topic is left out";
  ASSERT_EQ(described->count("plain"), 1u);
  EXPECT_TRUE(described->at("plain").empty());
  const TopicConfigs& orders = described->at("orders");
  ASSERT_EQ(orders.size(), 3u);
  EXPECT_EQ(orders.at("cleanup.policy").value, "compact") << "kept: not part of the SET";
  EXPECT_EQ(orders.at("retention.ms").value, "2000");
  EXPECT_EQ(orders.at("max.message.bytes").value, "500");
  for (const auto& [name, entry] : orders) {
    EXPECT_FALSE(entry.is_default) << name;
    EXPECT_FALSE(entry.read_only) << name;
    EXPECT_FALSE(entry.sensitive) << name;
  }
}

TEST(MockAdmin, CreatingAnExistingTopicKeepsItsConfigs) {
  auto mc = start_mock();
  ASSERT_TRUE(mc->create_topic("t", 1, 1, {{"retention.ms", "1"}}).ok());
  ASSERT_TRUE(mc->create_topic("t", 1, 1, {{"retention.ms", "2"}}).ok());
  auto configs = mc->topic_configs("t");
  ASSERT_TRUE(configs.has_value());
  EXPECT_EQ(configs->at("retention.ms"), "1");
}

TEST(MockAdmin, AlteringAnUnknownTopicNamesTopicAndConfig) {
  auto mc = start_mock();
  auto st = mc->admin()->alter_topic_configs("nope", {{"retention.ms", "5"}}, deadline_in(5s));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("'nope'"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("retention.ms"), std::string::npos) << st.error().message;
  EXPECT_EQ(st.error().code, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
}

TEST(MockAdmin, GroupRegistryAnswersListAndDescribe) {
  auto mc = start_mock();
  auto admin = mc->admin();
  auto listed = admin->list_groups(deadline_in(5s));
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  EXPECT_TRUE(listed->empty());

  mc->register_group("busy", 2);
  mc->register_group("idle");
  listed = admin->list_groups(deadline_in(5s));
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, (std::vector<std::string>{"busy", "idle"}));

  auto busy = admin->describe_group("busy", deadline_in(5s));
  ASSERT_TRUE(busy.ok()) << busy.error().message;
  EXPECT_TRUE(busy->exists);
  EXPECT_EQ(busy->members, 2);
  EXPECT_EQ(busy->state, "Stable");
  auto idle = admin->describe_group("idle", deadline_in(5s));
  ASSERT_TRUE(idle.ok());
  EXPECT_TRUE(idle->exists);
  EXPECT_EQ(idle->members, 0);
  EXPECT_EQ(idle->state, "Empty");

  mc->forget_group("busy");
  busy = admin->describe_group("busy", deadline_in(5s));
  ASSERT_TRUE(busy.ok());
  EXPECT_FALSE(busy->exists);
  EXPECT_EQ(busy->members, 0);
  EXPECT_EQ(busy->state, "Dead");
}

TEST(MockAdmin, CommittedOffsetsRoundTripThroughTheMockCoordinator) {
  auto mc = start_mock();
  auto admin = mc->admin();
  ASSERT_TRUE(mc->create_topic("a", 3, 1).ok());
  ASSERT_TRUE(mc->create_topic("b", 1, 1).ok());

  GroupOffsets offsets;
  offsets[{"a", 0}] = CommittedOffset{5, "meta-0"};
  offsets[{"a", 2}] = CommittedOffset{7, ""};
  auto st = admin->commit_group_offsets("g", offsets, deadline_in(10s));
  ASSERT_TRUE(st.ok()) << st.error().message;

  auto read = admin->group_offsets("g", deadline_in(10s));
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->size(), 2u) << "a[1] and b[0] have no commit";
  EXPECT_EQ(read->at({"a", 0}).offset, 5);
  EXPECT_EQ(read->at({"a", 0}).metadata, "meta-0");
  EXPECT_EQ(read->at({"a", 2}).offset, 7);
  EXPECT_EQ(read->at({"a", 2}).metadata, "");

  // Committing created the group, as on a real broker (Empty, listed).
  auto state = admin->describe_group("g", deadline_in(5s));
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->exists);
  EXPECT_EQ(state->state, "Empty");

  // Another group sees none of it.
  auto other = admin->group_offsets("other", deadline_in(10s));
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_TRUE(other->empty());

  // A second commit moves one partition and leaves the other.
  st = admin->commit_group_offsets("g", {{{"a", 0}, CommittedOffset{9, "m"}}}, deadline_in(10s));
  ASSERT_TRUE(st.ok()) << st.error().message;
  read = admin->group_offsets("g", deadline_in(10s));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->at({"a", 0}).offset, 9);
  EXPECT_EQ(read->at({"a", 2}).offset, 7);
}

TEST(MockAdmin, CommitIntoAGroupWithMembersIsRefused) {
  auto mc = start_mock();
  ASSERT_TRUE(mc->create_topic("a", 1, 1).ok());
  mc->register_group("busy", 1);
  auto admin = mc->admin();
  auto st =
      admin->commit_group_offsets("busy", {{{"a", 0}, CommittedOffset{3, ""}}}, deadline_in(5s));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID);
  auto read = admin->group_offsets("busy", deadline_in(10s));
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_TRUE(read->empty()) << "nothing was committed";
}

TEST(MockAdmin, CommitToAnUnknownPartitionReportsThePartition) {
  auto mc = start_mock();
  ASSERT_TRUE(mc->create_topic("a", 1, 1).ok());
  auto st = mc->admin()->commit_group_offsets("g", {{{"a", 4}, CommittedOffset{3, ""}}},
                                              deadline_in(10s));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("a[4]"), std::string::npos) << st.error().message;
}

// Offsets a real consumer of the mock commits are what group_offsets reads, and the mock keeps a
// group a consumer joined: a later commit from outside the group is refused even once it is empty
// (the documented difference from a real broker; this test notices if the mock changes).
TEST(MockAdmin, SeesOffsetsOfARealConsumerAndKeepsJoinedGroups) {
  auto mc = start_mock();
  rd_kafka_mock_group_initial_rebalance_delay_ms(mc->raw(), 0);
  ASSERT_TRUE(mc->create_topic("t", 1, 1).ok());

  auto pconf = make_conf({{"bootstrap.servers", mc->bootstraps()}, {"log_level", "3"}}, {});
  ASSERT_TRUE(pconf.ok());
  auto producer = make_client(ClientType::Producer, std::move(pconf.value()));
  ASSERT_TRUE(producer.ok()) << producer.error().message;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(rd_kafka_producev(producer->get(), RD_KAFKA_V_TOPIC("t"), RD_KAFKA_V_PARTITION(0),
                                RD_KAFKA_V_VALUE(const_cast<char*>("v"), 1), RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  ASSERT_TRUE(flush(producer->get(), deadline_in(10s)).ok());

  auto cconf = make_conf({{"bootstrap.servers", mc->bootstraps()},
                          {"group.id", "joined"},
                          {"auto.offset.reset", "earliest"},
                          {"enable.auto.commit", "false"},
                          {"log_level", "3"}},
                         {});
  ASSERT_TRUE(cconf.ok());
  auto consumer = make_client(ClientType::Consumer, std::move(cconf.value()));
  ASSERT_TRUE(consumer.ok()) << consumer.error().message;
  rd_kafka_poll_set_consumer(consumer->get());
  PartitionListPtr topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), "t", RD_KAFKA_PARTITION_UA);
  ASSERT_EQ(rd_kafka_subscribe(consumer->get(), topics.get()), RD_KAFKA_RESP_ERR_NO_ERROR);
  int consumed = 0;
  const auto until = deadline_in(20s);
  while (consumed < 3 && remaining_ms(until) > 0) {
    MessagePtr msg(rd_kafka_consumer_poll(consumer->get(), 100));
    if (msg && msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) ++consumed;
  }
  ASSERT_EQ(consumed, 3);
  PartitionListPtr commit(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(commit.get(), "t", 0)->offset = 3;
  auto st = commit_offsets(consumer->get(), commit.get(), deadline_in(10s));
  ASSERT_TRUE(st.ok()) << st.error().message;

  auto admin = mc->admin();
  auto read = admin->group_offsets("joined", deadline_in(10s));
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ(read->at({"t", 0}).offset, 3);

  ASSERT_TRUE(close_consumer(consumer->get(), deadline_in(10s)).ok());
  consumer->reset();
  st =
      admin->commit_group_offsets("joined", {{{"t", 0}, CommittedOffset{1, ""}}}, deadline_in(10s));
  ASSERT_FALSE(st.ok())
      << "the 2.8.0 mock keeps joined groups; if this changed, update mock_cluster.h";
  EXPECT_NE(st.error().message.find("t[0]"), std::string::npos) << st.error().message;
}

TEST(MockAdmin, GroupCallsKeepTheirDeadlineWhenTheBrokerIsDown) {
  auto mc = start_mock();
  ASSERT_TRUE(mc->create_topic("a", 1, 1).ok());
  mc->set_broker_up(1, false);
  auto admin = mc->admin();
  auto start = std::chrono::steady_clock::now();
  auto read = admin->group_offsets("g", deadline_in(500ms));
  EXPECT_FALSE(read.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  start = std::chrono::steady_clock::now();
  auto st =
      admin->commit_group_offsets("g", {{{"a", 0}, CommittedOffset{1, ""}}}, deadline_in(500ms));
  EXPECT_FALSE(st.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

}  // namespace
}  // namespace mirror::testkit
