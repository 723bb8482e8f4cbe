// The aws, gcp and azure sources against fake metadata services on loopback.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "mirror/az/http.h"
#include "mirror/az/resolver.h"
#include "tests/az/metadata_fakes.h"

namespace mirror::az {
namespace {

using namespace std::chrono_literals;
using testing::AwsImdsFake;
using testing::AzureImdsFake;
using testing::env_from;
using testing::FakeHttpServer;
using testing::GcpMetadataFake;

Options fast(std::map<std::string, std::string> env) {
  Options options;
  options.connect_timeout = 300ms;
  options.total_timeout = 1000ms;
  options.env = env_from(std::move(env));
  return options;
}

// A raw request through the same client, without the headers the services require.
Result<detail::HttpResponse> raw(const std::string& method, const std::string& url) {
  detail::HttpRequest request;
  request.method = method;
  request.url = url;
  request.deadline = std::chrono::steady_clock::now() + 1s;
  return detail::http_fetch(request);
}

// ---- aws -----------------------------------------------------------------------------------

TEST(Aws, AnswersZoneIdAndNameThroughIMDSv2) {
  FakeHttpServer server(AwsImdsFake{});
  Resolution r =
      resolve(config::NodeSpec{.availability_zone = "auto", .availability_zone_sources = {"aws"}},
              std::nullopt, fast({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()}}));
  ASSERT_TRUE(r.zone) << (r.failures.empty() ? "" : r.failures[0]);
  EXPECT_EQ(r.zone->id, "use1-az1");
  EXPECT_EQ(r.zone->name, "us-east-1a");
  EXPECT_EQ(r.source, "aws");
  EXPECT_EQ(r.display(), "use1-az1");
  EXPECT_EQ(rack_for(*r.zone, config::RackIdFormat::ZoneId), "use1-az1");
  EXPECT_EQ(rack_for(*r.zone, config::RackIdFormat::ZoneName), "us-east-1a");

  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].target, "/latest/api/token");
  EXPECT_EQ(requests[0].header("x-aws-ec2-metadata-token-ttl-seconds"), "60");
  EXPECT_FALSE(requests[0].has_header("x-aws-ec2-metadata-token"));
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(requests[i].method, "GET");
    EXPECT_EQ(requests[i].header("x-aws-ec2-metadata-token"), AwsImdsFake{}.token);
  }
  EXPECT_EQ(requests[1].target, "/latest/meta-data/placement/availability-zone-id");
  EXPECT_EQ(requests[2].target, "/latest/meta-data/placement/availability-zone");
}

TEST(Aws, FakeRejectsRequestsWithoutTheIMDSv2Protocol) {
  FakeHttpServer server(AwsImdsFake{});
  auto get_token = raw("GET", server.url() + "/latest/api/token");
  ASSERT_FALSE(get_token.ok());
  EXPECT_EQ(get_token.error().code, 405);
  auto put_without_ttl = raw("PUT", server.url() + "/latest/api/token");
  ASSERT_FALSE(put_without_ttl.ok());
  EXPECT_EQ(put_without_ttl.error().code, 400);
  EXPECT_EQ(put_without_ttl.error().message, "HTTP 400");
  auto v1_get = raw("GET", server.url() + "/latest/meta-data/placement/availability-zone");
  ASSERT_FALSE(v1_get.ok());
  EXPECT_EQ(v1_get.error().code, 401);
}

TEST(Aws, RejectedTokenIsAFailureWithoutTheToken) {
  AwsImdsFake fake;
  fake.accept_token = "a-different-token";
  FakeHttpServer server(fake);
  auto zone =
      make_source("aws")->lookup(fast({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()}}));
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().message, "placement/availability-zone-id: HTTP 401");
  EXPECT_EQ(zone.error().message.find(fake.token), std::string::npos);
}

TEST(Aws, ZoneIdNotFoundGivesTheNameOnly) {
  AwsImdsFake fake;
  fake.zone_id_not_found = true;
  FakeHttpServer server(fake);
  auto zone =
      make_source("aws")->lookup(fast({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url() + "/"}}));
  ASSERT_TRUE(zone.ok()) << zone.error().message;
  EXPECT_EQ(zone->id, "");
  EXPECT_EQ(zone->name, "us-east-1a");
  EXPECT_EQ(rack_for(*zone, config::RackIdFormat::ZoneId), "us-east-1a");
}

TEST(Aws, InvalidTokenAnswerIsNotEchoed) {
  FakeHttpServer server([](const testing::FakeRequest&) {
    return testing::FakeResponse::text(200, "token with spaces SECRETPART\n\n");
  });
  auto zone =
      make_source("aws")->lookup(fast({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()}}));
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().message, "IMDSv2 token request: invalid answer");
}

TEST(Aws, EndpointMustBeAnHttpUrl) {
  for (const char* bad : {"169.254.169.254", "file:///etc/passwd", "http://user:pw@127.0.0.1"}) {
    auto zone = make_source("aws")->lookup(fast({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", bad}}));
    ASSERT_FALSE(zone.ok());
    EXPECT_EQ(zone.error().message, "AWS_EC2_METADATA_SERVICE_ENDPOINT is not an http:// URL")
        << bad;
  }
}

TEST(Aws, ConcurrentResolvesAreSafe) {
  FakeHttpServer server(AwsImdsFake{});
  std::vector<std::thread> threads;
  std::atomic<int> answered{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto zone =
          make_source("aws")->lookup(fast({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()}}));
      if (zone.ok() && zone->id == "use1-az1") ++answered;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(answered.load(), 4);
}

// ---- gcp -----------------------------------------------------------------------------------

TEST(Gcp, AnswersTheZoneName) {
  FakeHttpServer server(GcpMetadataFake{});
  auto zone = make_source("gcp")->lookup(fast({{"GCE_METADATA_HOST", server.host_port()}}));
  ASSERT_TRUE(zone.ok()) << zone.error().message;
  EXPECT_EQ(zone->id, "us-central1-b");
  EXPECT_EQ(zone->name, "us-central1-b");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/computeMetadata/v1/instance/zone");
  EXPECT_EQ(requests[0].header("metadata-flavor"), "Google");
}

TEST(Gcp, FakeRejectsRequestsWithoutMetadataFlavor) {
  FakeHttpServer server(GcpMetadataFake{});
  auto response = raw("GET", server.url() + "/computeMetadata/v1/instance/zone");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, 403);
}

TEST(Gcp, AnswerWithoutMetadataFlavorIsNotTrusted) {
  GcpMetadataFake fake;
  fake.flavor_in_answer = false;
  FakeHttpServer server(fake);
  auto zone = make_source("gcp")->lookup(fast({{"GCE_METADATA_HOST", server.host_port()}}));
  ASSERT_FALSE(zone.ok());
  EXPECT_NE(zone.error().message.find("Metadata-Flavor"), std::string::npos);
}

TEST(Gcp, AnswerInAnotherFormatIsInvalid) {
  for (const char* answer :
       {"us-central1-b", "projects/123/zones/", "projects/123/zones/a b", "{}"}) {
    GcpMetadataFake fake;
    fake.answer = answer;
    FakeHttpServer server(fake);
    auto zone = make_source("gcp")->lookup(fast({{"GCE_METADATA_HOST", server.host_port()}}));
    ASSERT_FALSE(zone.ok()) << answer;
    EXPECT_EQ(zone.error().message.rfind("invalid answer: ", 0), 0u) << zone.error().message;
  }
}

TEST(Gcp, HostMustBeHostAndPort) {
  auto zone = make_source("gcp")->lookup(fast({{"GCE_METADATA_HOST", "http://127.0.0.1/x"}}));
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().message, "GCE_METADATA_HOST is not a host[:port]");
}

// ---- azure ---------------------------------------------------------------------------------

TEST(Azure, AnswersLocationDashZone) {
  FakeHttpServer server(AzureImdsFake{});
  auto zone = make_source("azure")->lookup(fast({{"MIRROR_AZURE_IMDS_ENDPOINT", server.url()}}));
  ASSERT_TRUE(zone.ok()) << zone.error().message;
  EXPECT_EQ(zone->id, "westeurope-2");
  EXPECT_EQ(zone->name, "westeurope-2");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].target,
            "/metadata/instance/compute/zone?api-version=2021-02-01&format=text");
  EXPECT_EQ(requests[1].target,
            "/metadata/instance/compute/location?api-version=2021-02-01&format=text");
  for (const auto& request : requests) {
    EXPECT_EQ(request.method, "GET");
    EXPECT_EQ(request.header("metadata"), "true");
  }
}

TEST(Azure, FakeRejectsRequestsWithoutMetadataTrue) {
  FakeHttpServer server(AzureImdsFake{});
  auto response = raw(
      "GET", server.url() + "/metadata/instance/compute/zone?api-version=2021-02-01&format=text");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, 400);
}

TEST(Azure, NonZonalVmIsNoAnswer) {
  AzureImdsFake fake;
  fake.zone = "";
  FakeHttpServer server(fake);
  auto zone = make_source("azure")->lookup(fast({{"MIRROR_AZURE_IMDS_ENDPOINT", server.url()}}));
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().message, "the VM is not in an availability zone (compute/zone is empty)");
  EXPECT_EQ(server.requests().size(), 1u);  // no need to ask for the location
}

TEST(Azure, InvalidLocationIsRejected) {
  AzureImdsFake fake;
  fake.location = "<html>";
  FakeHttpServer server(fake);
  auto zone = make_source("azure")->lookup(fast({{"MIRROR_AZURE_IMDS_ENDPOINT", server.url()}}));
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().message, "invalid answer for compute/location: \"?html?\"");
}

}  // namespace
}  // namespace mirror::az
