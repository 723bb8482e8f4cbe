// The /flows document before any flow connects: shape and values per product.md.
#include "mirror/service/service.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace mirror::service {
namespace {

config::ServiceSpec two_flows() {
  config::ServiceSpec spec;
  for (const char* name : {"a", "b"}) {
    auto& c = spec.clusters[name];
    c.name = name;
    c.bootstrap_servers = "127.0.0.1:1";
  }
  spec.clusters["a"].rack_id_format = config::RackIdFormat::ZoneName;
  config::FlowSpec on;
  on.name = "a-to-b";
  on.source = "a";
  on.target = "b";
  config::FlowSpec off = on;
  off.name = "b-to-a";
  off.source = "b";
  off.target = "a";
  off.follower_fetching_enabled = false;
  config::FlowSpec disabled = on;
  disabled.name = "idle";
  disabled.enabled = false;
  spec.flows = {on, off, disabled};
  return spec;
}

TEST(Service, FlowsJsonFollowsTheContract) {
  az::Resolution zone;
  zone.zone = az::Zone{"use1-az2", "us-east-1b"};
  zone.source = "aws";
  Service service(two_flows(), zone, ServiceOptions{});
  const auto doc = nlohmann::json::parse(service.flows_json());
  EXPECT_EQ(doc["availability_zone"], "use1-az2");
  EXPECT_EQ(doc["availability_zone_source"], "aws");
  ASSERT_EQ(doc["flows"].size(), 3u);
  const auto& a = doc["flows"][0];
  EXPECT_EQ(a["name"], "a-to-b");
  EXPECT_EQ(a["source"], "a");
  EXPECT_EQ(a["target"], "b");
  EXPECT_EQ(a["follower_fetching_enabled"], true);
  EXPECT_EQ(a["client_rack"], "us-east-1b") << "cluster a names racks by zone name";
  EXPECT_EQ(a["fetch_mode"], "leader");
  EXPECT_TRUE(a["partitions"].is_array());
  const auto& b = doc["flows"][1];
  EXPECT_TRUE(b["client_rack"].is_null()) << "follower fetching off: no client.rack";
  EXPECT_EQ(doc["flows"][2]["state"], "disabled");
  EXPECT_FALSE(service.ready()) << "enabled flows are not running";
  const std::string metrics = service.metrics().render();
  EXPECT_NE(metrics.find("mirror_node_info{availability_zone=\"use1-az2\",source=\"aws\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("mirror_flow_follower_fetching_enabled{flow=\"b-to-a\"} 0"),
            std::string::npos);
}

TEST(Service, NoZoneMeansNoClientRack) {
  Service service(two_flows(), az::Resolution{}, ServiceOptions{});
  const auto doc = nlohmann::json::parse(service.flows_json());
  EXPECT_TRUE(doc["availability_zone"].is_null());
  EXPECT_TRUE(doc["flows"][0]["client_rack"].is_null());
  EXPECT_NE(
      service.metrics().render().find("mirror_node_info{availability_zone=\"\",source=\"none\"} 1"),
      std::string::npos);
}

}  // namespace
}  // namespace mirror::service
