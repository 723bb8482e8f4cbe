#include "mirror/kafka/shared_clients.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <string>

namespace mirror::kafka {
namespace {

// Nothing listens on the bootstrap address: creating a client connects in the background only.
struct SharedClientsTest : ::testing::Test {
  config::ClusterSpec cluster;
  SharedClients clients;
  void SetUp() override {
    cluster.name = "primary";
    cluster.bootstrap_servers = "127.0.0.1:1";
  }
  ClientProperties of(const std::string& flow_name,
                      const std::map<std::string, std::string>& consumer = {}) {
    config::FlowSpec flow;
    flow.name = flow_name;
    flow.consumer = consumer;
    return client_properties(ClientRole::SourceControl, cluster, flow, {});
  }
  static std::string client_id(const SourceControlClient& client) {
    char value[256];
    size_t size = sizeof value;
    EXPECT_EQ(rd_kafka_conf_get(rd_kafka_conf(client.handle()), "client.id", value, &size),
              RD_KAFKA_CONF_OK);
    return value;
  }
};

TEST_F(SharedClientsTest, FlowsOfOneSourceWithTheSamePropertiesLeaseOneClient) {
  auto a = clients.source_control("primary", of("a-to-b"));
  auto b = clients.source_control("primary", of("a-to-c"));
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(a.value().get(), b.value().get()) << "client.id of mirror's choosing does not count";
  EXPECT_EQ(clients.alive(), 1u);
  EXPECT_EQ(client_id(*a.value()), "mirror-primary-control") << "named after the cluster";
  EXPECT_EQ(&a.value()->security(), &b.value()->security()) << "security errors are the cluster's";
}

TEST_F(SharedClientsTest, OtherPropertiesMakeAnotherClient) {
  auto a = clients.source_control("primary", of("a-to-b"));
  auto b = clients.source_control("primary", of("a-to-c", {{"socket.timeout.ms", "20000"}}));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a.value().get(), b.value().get());
  EXPECT_EQ(clients.alive(), 2u);
}

TEST_F(SharedClientsTest, AClientIdTheUserSetIsKeptAndTellsClientsApart) {
  auto mine = of("a-to-b", {{"client.id", "team-x"}});
  mine.locations["client.id"] = config::Location{"flows.yaml", 3, 5};
  auto theirs = of("a-to-c", {{"client.id", "team-y"}});
  theirs.locations["client.id"] = config::Location{"flows.yaml", 9, 5};
  auto a = clients.source_control("primary", mine);
  auto b = clients.source_control("primary", theirs);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a.value().get(), b.value().get());
  EXPECT_EQ(client_id(*a.value()), "team-x");
  EXPECT_EQ(client_id(*b.value()), "team-y");
}

TEST_F(SharedClientsTest, TheLastLeaseToGoDestroysTheClientAndTheNextLeaseMakesANewOne) {
  auto a = clients.source_control("primary", of("a-to-b"));
  ASSERT_TRUE(a.ok());
  {
    auto b = clients.source_control("primary", of("a-to-c"));
    ASSERT_TRUE(b.ok());
  }
  EXPECT_EQ(clients.alive(), 1u) << "a still holds it";
  a = clients.source_control("primary", of("a-to-d", {{"socket.timeout.ms", "20000"}}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(clients.alive(), 1u) << "the first client went with its last lease";
  std::weak_ptr<SourceControlClient> gone = a.value();
  a = clients.source_control("primary", of("a-to-b"));
  EXPECT_TRUE(gone.expired());
  EXPECT_EQ(clients.alive(), 1u);
}

TEST_F(SharedClientsTest, APropertyLibrdkafkaRefusesIsAnErrorAndNothingIsKept) {
  auto bad = clients.source_control("primary", of("a-to-b", {{"socket.timeout.ms", "many"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("socket.timeout.ms"), std::string::npos)
      << bad.error().message;
  EXPECT_FALSE(bad.error().retriable);
  EXPECT_EQ(clients.alive(), 0u);
}

TEST_F(SharedClientsTest, AClientOfItsOwnKeepsTheFlowsClientId) {
  auto own = SourceControlClient::create(of("a-to-b"));
  ASSERT_TRUE(own.ok()) << own.error().message;
  EXPECT_EQ(client_id(*own.value()), "mirror-a-to-b-control");
  EXPECT_EQ(clients.alive(), 0u) << "not in any registry";
}

}  // namespace
}  // namespace mirror::kafka
