// Every network source (aws, gcp, azure) against broken endpoints: 500, garbage, oversized,
// accepted-but-silent, never-accepted, refused, and connect timeout. Each must fail with a clear,
// short line, and within its time budget.
#include <gtest/gtest.h>

#include "mirror/az/resolver.h"
#include "tests/az/fake_http.h"

namespace mirror::az {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::FakeHttpServer;
using testing::FakeRequest;
using testing::FakeResponse;

constexpr auto kConnect = 250ms;
constexpr auto kTotal = 600ms;

// The env that points a source at 127.0.0.1:port.
std::map<std::string, std::string> endpoint_env(const std::string& source, int port) {
  const std::string host_port = "127.0.0.1:" + std::to_string(port);
  if (source == "aws") return {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://" + host_port}};
  if (source == "gcp") return {{"GCE_METADATA_HOST", host_port}};
  return {{"MIRROR_AZURE_IMDS_ENDPOINT", "http://" + host_port}};
}

struct Outcome {
  Resolution resolution;
  std::chrono::milliseconds elapsed;
  std::string failure() const {
    return resolution.failures.empty() ? "" : resolution.failures.front();
  }
};

class NetworkSourceFailures : public ::testing::TestWithParam<std::string> {
 protected:
  Outcome run(int port, std::chrono::milliseconds connect = kConnect,
              std::chrono::milliseconds total = kTotal) {
    Options options;
    options.connect_timeout = connect;
    options.total_timeout = total;
    options.env = testing::env_from(endpoint_env(GetParam(), port));
    config::NodeSpec node;
    node.availability_zone_sources = {GetParam()};
    auto start = Clock::now();
    Outcome out{resolve(node, std::nullopt, options), {}};
    out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    EXPECT_FALSE(out.resolution.zone);
    EXPECT_EQ(out.resolution.failures.size(), 1u);
    EXPECT_EQ(out.failure().rfind(GetParam() + ": ", 0), 0u) << out.failure();
    EXPECT_LT(out.failure().size(), 200u) << out.failure();
    return out;
  }
};

// GCP trusts only answers carrying Metadata-Flavor: Google; give it that so the body is judged.
FakeResponse with_flavor(FakeResponse response) {
  response.headers.push_back({"Metadata-Flavor", "Google"});
  return response;
}

TEST_P(NetworkSourceFailures, ServerError) {
  FakeHttpServer server(
      [](const FakeRequest&) { return with_flavor(FakeResponse::text(500, "boom")); });
  auto out = run(server.port());
  EXPECT_NE(out.failure().find("HTTP 500"), std::string::npos) << out.failure();
}

TEST_P(NetworkSourceFailures, GarbageAnswer) {
  const std::string garbage =
      "<html><body>Welcome to nginx!\x01\x02 SECRET-LOOKING-TAIL " + std::string(4000, 'g');
  FakeHttpServer server(
      [&](const FakeRequest&) { return with_flavor(FakeResponse::text(200, garbage)); });
  auto out = run(server.port());
  EXPECT_NE(out.failure().find("invalid answer"), std::string::npos) << out.failure();
  EXPECT_EQ(out.failure().find("SECRET-LOOKING-TAIL"), std::string::npos) << out.failure();
  EXPECT_EQ(out.failure().find('\x01'), std::string::npos);
}

TEST_P(NetworkSourceFailures, OversizedAnswer) {
  FakeHttpServer server([](const FakeRequest&) {
    return with_flavor(FakeResponse::text(200, std::string(512 * 1024, 'a')));
  });
  auto out = run(server.port());
  EXPECT_NE(out.failure().find("answer larger than "), std::string::npos) << out.failure();
}

TEST_P(NetworkSourceFailures, AcceptsButNeverAnswers) {
  FakeHttpServer server([](const FakeRequest&) { return FakeResponse::hanging(); });
  auto out = run(server.port());
  EXPECT_NE(out.failure().find("no answer within"), std::string::npos) << out.failure();
  EXPECT_GE(out.elapsed, kTotal - 50ms);
  EXPECT_LT(out.elapsed, kTotal + 1500ms);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_P(NetworkSourceFailures, ListensButNeverAccepts) {
  testing::SilentListener listener;
  auto out = run(listener.port());
  EXPECT_NE(out.failure().find("no answer within"), std::string::npos) << out.failure();
  EXPECT_LT(out.elapsed, kTotal + 1500ms);
}

TEST_P(NetworkSourceFailures, ConnectionRefused) {
  testing::RefusingPort port;
  auto out = run(port.port());
  EXPECT_NE(out.failure().find("cannot connect"), std::string::npos) << out.failure();
  EXPECT_LT(out.elapsed, 500ms);
}

TEST_P(NetworkSourceFailures, ConnectTimeout) {
  testing::BlackholeListener blackhole;
  auto out = run(blackhole.port());
  EXPECT_NE(out.failure().find("connect timeout after 250 ms"), std::string::npos) << out.failure();
  EXPECT_GE(out.elapsed, kConnect - 20ms);
  EXPECT_LT(out.elapsed, kConnect + 1500ms);
}

INSTANTIATE_TEST_SUITE_P(Sources, NetworkSourceFailures, ::testing::Values("aws", "gcp", "azure"),
                         [](const auto& info) { return info.param; });

// One source's budget covers all its requests: AWS makes three, the last one hangs.
TEST(Budget, AwsBudgetCoversAllThreeRequests) {
  FakeHttpServer server([](const FakeRequest& r) {
    if (r.method == "PUT") return FakeResponse::text(200, "tok");
    if (r.target.ends_with("/availability-zone")) return FakeResponse::hanging();
    return FakeResponse::text(200, "use1-az1");
  });
  Options options;
  options.connect_timeout = kConnect;
  options.total_timeout = kTotal;
  options.env = testing::env_from(endpoint_env("aws", server.port()));
  auto start = Clock::now();
  auto zone = make_source("aws")->lookup(options);
  auto elapsed = Clock::now() - start;
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().message.rfind("placement/availability-zone: no answer within", 0), 0u)
      << zone.error().message;
  EXPECT_LT(elapsed, kTotal + 1000ms);
}

// The default timeouts (500 ms connect, 1500 ms per source) bound a silent metadata server.
TEST(Budget, DefaultTimeoutsBoundASilentSource) {
  testing::SilentListener listener;
  Options options;
  options.env = testing::env_from(endpoint_env("azure", listener.port()));
  config::NodeSpec node;
  node.availability_zone_sources = {"azure"};
  auto start = Clock::now();
  Resolution r = resolve(node, std::nullopt, options);
  auto elapsed = Clock::now() - start;
  EXPECT_FALSE(r.zone);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0], "azure: compute/zone: no answer within 1500 ms");
  EXPECT_GE(elapsed, 1400ms);
  EXPECT_LT(elapsed, 3000ms);
}

}  // namespace
}  // namespace mirror::az
