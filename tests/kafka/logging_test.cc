// librdkafka's log lines name the flow whose client wrote them; a shared client's name none.
#include "mirror/kafka/logging.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "mirror/common/log.h"
#include "mirror/kafka/client_properties.h"
#include "mirror/kafka/shared_clients.h"

namespace mirror::kafka {
namespace {

TEST(ClientLogs, AClientIdNamesItsFlowUnlessClientsOfSeveralFlowsShareIt) {
  name_flow_of_client("mirror-orders-consumer", "orders");
  name_flow_of_client("mirror-orders-consumer", "orders");
  EXPECT_EQ(flow_of_client("mirror-orders-consumer#consumer-3"), "orders");
  EXPECT_EQ(flow_of_client("mirror-orders-consumer"), "orders");
  EXPECT_EQ(flow_of_client("mirror-unknown-producer#producer-1"), "");

  name_flow_of_client("team-client", "a");
  name_flow_of_client("team-client", "b");  // a client.id the user set for two flows
  EXPECT_EQ(flow_of_client("team-client#consumer-1"), "") << "ambiguous: none";
  name_flow_of_client("mirror-primary-control", "");
  EXPECT_EQ(flow_of_client("mirror-primary-control#consumer-9"), "");
}

// Nothing listens on 127.0.0.1:1: each client logs its failed connection (librdkafka, level 3).
TEST(ClientLogs, ARealClientsLinesCarryItsFlowInJson) {
  config::ClusterSpec cluster;
  cluster.name = "primary";
  cluster.bootstrap_servers = "127.0.0.1:1";
  config::FlowSpec flow;
  flow.name = "payments";
  SharedClients shared;

  log::set_format(log::Format::Json);
  ::testing::internal::CaptureStderr();
  {
    auto own = client_properties(ClientRole::TargetProducer, cluster, flow, {})
                   .create(ClientType::Producer, nullptr, nullptr);
    ASSERT_TRUE(own.ok()) << own.error().message;
    auto lease = shared.source_control(
        "primary", client_properties(ClientRole::SourceControl, cluster, flow, {}));
    ASSERT_TRUE(lease.ok()) << lease.error().message;
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  }
  const std::string text = ::testing::internal::GetCapturedStderr();
  log::set_format(log::Format::Text);

  int own_lines = 0;
  int shared_lines = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto doc = nlohmann::json::parse(line);  // every line is JSON
    if (doc["component"] != "rdkafka") continue;
    const std::string message = doc["message"];
    if (message.rfind("mirror-payments-producer#", 0) == 0) {
      EXPECT_EQ(doc.value("flow", ""), "payments") << line;
      ++own_lines;
    } else if (message.rfind("mirror-primary-control#", 0) == 0) {
      EXPECT_FALSE(doc.contains("flow")) << "the cluster's shared client: " << line;
      ++shared_lines;
    }
  }
  EXPECT_GT(own_lines, 0) << text;
  EXPECT_GT(shared_lines, 0) << text;
}

}  // namespace
}  // namespace mirror::kafka
