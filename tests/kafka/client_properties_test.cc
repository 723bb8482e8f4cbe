#include "mirror/kafka/client_properties.h"

#include <gtest/gtest.h>

namespace mirror::kafka {
namespace {

struct ClientPropertiesTest : ::testing::Test {
  config::ClusterSpec cluster;
  config::FlowSpec flow;
  void SetUp() override {
    cluster.name = "primary";
    cluster.bootstrap_servers = "k:9092";
    flow.name = "a-to-b";
  }
};

TEST_F(ClientPropertiesTest, LayersDefaultsThenClusterThenFlowThenWhatMirrorOwns) {
  cluster.properties = {{"linger.ms", "20"}, {"security.protocol", "SASL_SSL"}};
  flow.producer = {{"linger.ms", "50"}, {"batch.size", "65536"}};
  auto p = client_properties(ClientRole::TargetProducer, cluster, flow, {});
  EXPECT_EQ(p.values.at("linger.ms"), "50") << "the flow overrides the cluster";
  EXPECT_EQ(p.values.at("batch.size"), "65536") << "the flow overrides mirror's default";
  EXPECT_EQ(p.values.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(p.values.at("message.timeout.ms"), "300000") << "mirror's default, not overridden";
  EXPECT_EQ(p.values.at("enable.idempotence"), "true");
  EXPECT_EQ(p.values.at("acks"), "all");
  EXPECT_EQ(p.values.at("bootstrap.servers"), "k:9092");
}

TEST_F(ClientPropertiesTest, TheConsumerGetsItsGroupRackAndStatistics) {
  flow.consumer = {{"fetch.max.bytes", "1048576"}};
  ClientSettings settings{std::string("use1-az1"), std::chrono::milliseconds(2000), {}};
  auto p = client_properties(ClientRole::SourceConsumer, cluster, flow, settings);
  EXPECT_EQ(p.values.at("group.id"), "mirror-a-to-b");
  EXPECT_EQ(p.values.at("client.rack"), "use1-az1");
  EXPECT_EQ(p.values.at("statistics.interval.ms"), "2000");
  EXPECT_EQ(p.values.at("enable.auto.commit"), "false");
  EXPECT_EQ(p.values.at("fetch.max.bytes"), "1048576");
  EXPECT_EQ(p.values.count("enable.idempotence"), 0u) << "producer settings stay on producers";
  auto control = client_properties(ClientRole::SourceControl, cluster, flow, settings);
  EXPECT_EQ(control.values.count("group.id"), 0u) << "the control client joins no group";
  EXPECT_EQ(control.values.count("client.rack"), 0u);
  EXPECT_EQ(control.values.at("fetch.max.bytes"), "1048576") << "flow consumer overrides apply";
}

TEST_F(ClientPropertiesTest, TheRecordProducerCompressesWithLz4UnlessTheFlowSaysOtherwise) {
  auto p = client_properties(ClientRole::TargetProducer, cluster, flow, {});
  EXPECT_EQ(p.values.at("compression.type"), "lz4");
  flow.producer = {{"compression.type", "none"}};
  p = client_properties(ClientRole::TargetProducer, cluster, flow, {});
  EXPECT_EQ(p.values.at("compression.type"), "none");
}

TEST_F(ClientPropertiesTest, TheConsumerReconnectsWithinASecondUnlessTheFlowSaysOtherwise) {
  auto p = client_properties(ClientRole::SourceConsumer, cluster, flow, {});
  EXPECT_EQ(p.values.at("reconnect.backoff.max.ms"), "1000")
      << "a dead follower's partitions go back to their leaders on each failed reconnect";
  flow.consumer = {{"reconnect.backoff.max.ms", "10000"}};
  p = client_properties(ClientRole::SourceConsumer, cluster, flow, {});
  EXPECT_EQ(p.values.at("reconnect.backoff.max.ms"), "10000");
}

TEST_F(ClientPropertiesTest, TheRecordProducerReconnectsWithinASecondUnlessTheFlowSaysOtherwise) {
  auto p = client_properties(ClientRole::TargetProducer, cluster, flow, {});
  EXPECT_EQ(p.values.at("reconnect.backoff.max.ms"), "1000")
      << "nothing is committed until the producer is back on a target broker that returned";
  flow.producer = {{"reconnect.backoff.max.ms", "10000"}};
  p = client_properties(ClientRole::TargetProducer, cluster, flow, {});
  EXPECT_EQ(p.values.at("reconnect.backoff.max.ms"), "10000");
}

TEST_F(ClientPropertiesTest, AnExactlyOnceFlowReadsCommittedAndWritesTransactionally) {
  auto plain = client_properties(ClientRole::TargetProducer, cluster, flow, {});
  EXPECT_EQ(plain.values.count("transactional.id"), 0u);
  EXPECT_EQ(plain.values.count("transaction.timeout.ms"), 0u);
  EXPECT_EQ(plain.values.at("message.timeout.ms"), "300000");
  flow.exactly_once_delivery_enabled = true;
  flow.consumer = {{"isolation.level", "read_uncommitted"}};  // the loader refuses it; owned here
  ClientSettings settings;
  settings.transactional_id = "mirror-a-to-b-x";
  auto producer = client_properties(ClientRole::TargetProducer, cluster, flow, settings);
  EXPECT_EQ(producer.values.at("transactional.id"), "mirror-a-to-b-x");
  EXPECT_EQ(producer.values.at("transaction.timeout.ms"), "10000");
  EXPECT_EQ(producer.values.at("message.timeout.ms"), "10000")
      << "librdkafka refuses a message timeout above the transaction timeout";
  EXPECT_TRUE(producer.conf().ok()) << producer.conf().error().message;
  auto consumer = client_properties(ClientRole::SourceConsumer, cluster, flow, settings);
  EXPECT_EQ(consumer.values.at("isolation.level"), "read_committed");
  EXPECT_EQ(consumer.values.count("transactional.id"), 0u);
  auto control = client_properties(ClientRole::TargetControl, cluster, flow, settings);
  EXPECT_EQ(control.values.count("transactional.id"), 0u) << "only the record path's producer";
}

TEST_F(ClientPropertiesTest, TheControlProducerTakesTheFlowsProducerOverrides) {
  flow.producer = {{"sasl.username", "mm2"}, {"compression.type", "zstd"}};
  auto p = client_properties(ClientRole::TargetControl, cluster, flow, {});
  EXPECT_EQ(p.values.at("sasl.username"), "mm2");
  EXPECT_EQ(p.values.at("compression.type"), "zstd");
  EXPECT_EQ(p.values.at("client.id"), "mirror-a-to-b-control");
  EXPECT_EQ(p.values.at("message.timeout.ms"), "10000") << "bounded like its other calls";
}

TEST_F(ClientPropertiesTest, AStaticMemberGetsItsInstanceIdAndALongerSessionTimeout) {
  auto dynamic = client_properties(ClientRole::SourceConsumer, cluster, flow, {});
  EXPECT_EQ(dynamic.values.count("group.instance.id"), 0u);
  EXPECT_EQ(dynamic.values.at("session.timeout.ms"), "10000");
  ClientSettings settings;
  settings.group_instance_id = "mirror-1";
  auto fixed = client_properties(ClientRole::SourceConsumer, cluster, flow, settings);
  EXPECT_EQ(fixed.values.at("group.instance.id"), "mirror-1");
  EXPECT_EQ(fixed.values.at("session.timeout.ms"), "30000") << "time for a pod to roll";
  flow.consumer = {{"session.timeout.ms", "20000"}};
  fixed = client_properties(ClientRole::SourceConsumer, cluster, flow, settings);
  EXPECT_EQ(fixed.values.at("session.timeout.ms"), "20000") << "the user's choice wins";
  auto control = client_properties(ClientRole::SourceControl, cluster, flow, settings);
  EXPECT_EQ(control.values.count("group.instance.id"), 0u);
}

TEST_F(ClientPropertiesTest, TheTargetReaderTakesTheClustersPropertiesButNoProducerOverrides) {
  cluster.properties = {{"security.protocol", "SSL"}};
  flow.producer = {{"compression.type", "zstd"}};
  auto p = client_properties(ClientRole::TargetReader, cluster, flow, {});
  EXPECT_EQ(p.values.at("security.protocol"), "SSL");
  EXPECT_EQ(p.values.count("compression.type"), 0u);
  EXPECT_EQ(p.values.at("group.id"), "mirror-a-to-b-control") << "never joined, never committed";
  EXPECT_EQ(p.values.at("enable.auto.commit"), "false");
  EXPECT_EQ(p.values.at("enable.partition.eof"), "true");
  EXPECT_TRUE(p.problems().empty());
}

TEST_F(ClientPropertiesTest, ProblemsNameEveryRefusedPropertyAndHideSecretValues) {
  flow.consumer = {{"fetch.max.bytez", "1048576"}, {"fetch.min.bytes", "1"}};
  flow.consumer_locations = {{"fetch.max.bytez", {"f.yaml", 12, 7}}};
  cluster.properties = {{"sasl.password", "hunter2"}, {"linger.ms", "soon"}};
  cluster.secret_properties = {"sasl.password"};
  auto consumer = client_properties(ClientRole::SourceConsumer, cluster, flow, {});
  auto problems = consumer.problems();
  ASSERT_EQ(problems.size(), 2u) << "every refused property, in name order";
  EXPECT_EQ(problems[0].key, "fetch.max.bytez");
  EXPECT_NE(problems[0].message.find("fetch.max.bytez"), std::string::npos);
  EXPECT_EQ(problems[1].key, "linger.ms") << "librdkafka checks values whatever the client type";
  EXPECT_EQ(consumer.locations.at("fetch.max.bytez").line, 12);
  auto producer = client_properties(ClientRole::TargetProducer, cluster, flow, {});
  problems = producer.problems();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].key, "linger.ms");
  auto conf = producer.conf();
  ASSERT_FALSE(conf.ok());
  EXPECT_FALSE(conf.error().retriable);
  EXPECT_NE(conf.error().message.find("target producer"), std::string::npos);
  for (const auto& p : problems) EXPECT_EQ(p.message.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace mirror::kafka
