// A flow whose cluster refuses its login, on in-process mock clusters. The mock speaks no SASL:
// a client with security.protocol SASL_PLAINTEXT fails to log in to it exactly as to a broker
// that refuses its password. librdkafka reports RD_KAFKA_RESP_ERR__AUTHENTICATION to the error
// callback alone while the calls that waited for the connection fail with "Local: Broker
// transport failure". The flow must read `failed` with the authentication error from its first
// failure on, through every retry, and the flow beside it must go on replicating.
#include <gtest/gtest.h>

#include <thread>

#include "mirror/flow/flow.h"
#include "tests/integration/support.h"

namespace mirror::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const char* const kPassword = "pw-never-shown-7f3a9c";

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

uint64_t replicated(const flow::FlowStatus& s) {
  uint64_t n = 0;
  for (const auto& p : s.partitions) n += p.replicated;
  return n;
}

// SASL/PLAIN with kPassword on `cluster`.
void with_login(config::ClusterSpec& cluster) {
  cluster.properties = {{"security.protocol", "SASL_PLAINTEXT"},
                        {"sasl.mechanism", "PLAIN"},
                        {"sasl.username", "mirror"},
                        {"sasl.password", kPassword}};
  cluster.secret_properties = {"sasl.password"};
}

struct Sample {
  flow::State state;
  std::string last_error;
  uint64_t restarts;
};

// Samples the flow's status every 50 ms for `how_long`.
std::vector<Sample> watch(const flow::Flow& flow, std::chrono::milliseconds how_long) {
  std::vector<Sample> out;
  const auto until = Clock::now() + how_long;
  while (Clock::now() < until) {
    const auto s = flow.status();
    out.push_back({s.state, s.last_error, s.restarts});
    std::this_thread::sleep_for(50ms);
  }
  return out;
}

// From the first `failed` on, every sample is `failed` with the authentication error; returns
// the index of the first one (samples.size() when there is none).
size_t expect_failed_throughout(const std::vector<Sample>& samples) {
  size_t first = 0;
  while (first < samples.size() && samples[first].state != flow::State::Failed) ++first;
  for (size_t i = first; i < samples.size(); ++i) {
    const auto& s = samples[i];
    EXPECT_EQ(s.state, flow::State::Failed)
        << "sample " << i << " (" << i * 50 << " ms): " << flow::to_string(s.state) << " '"
        << s.last_error << "'";
    EXPECT_TRUE(has(s.last_error, "SASL authentication") || has(s.last_error, "authentication"))
        << "sample " << i << ": " << s.last_error;
    EXPECT_FALSE(has(s.last_error, kPassword));
    if (s.state != flow::State::Failed) break;  // one report is enough
  }
  return first;
}

// The source refuses the login; the control thread's admin calls run on its own clients (the
// Admin API of librdkafka, not the mock's administration), as in the service.
TEST(Security, AFlowWhoseSourceRefusesItsLoginIsFailedWithTheReasonWhileTheOtherFlowRuns) {
  auto source = rack_source({"orders"}, 2, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  metrics::Metrics metrics;
  flow::Flow good(make_context({.name = "good"}, *source, **target, &metrics));

  auto ctx = make_context({.name = "locked"}, *source, **target, &metrics);
  ctx.spec.source = ctx.source.name = "locked";
  with_login(ctx.source);
  ctx.tuning.failed_backoff = 2s;  // several retries within the test
  ctx.tuning.metadata_timeout = 3s;
  ctx.admin_factory = [&target](
                          rd_kafka_t* rk,
                          const std::string& cluster) -> std::unique_ptr<kafka::ClusterAdmin> {
    return cluster == "dst" ? (*target)->admin() : kafka::make_admin(rk);
  };
  flow::Flow locked(std::move(ctx));

  good.start();
  locked.start();
  ASSERT_TRUE(produce(source->bootstraps(), "orders", make_records(200, 2, "first")));
  const auto samples = watch(locked, 9s);
  const size_t first = expect_failed_throughout(samples);
  ASSERT_LT(first, samples.size())
      << "never failed; last: " << flow::to_string(samples.back().state) << " '"
      << samples.back().last_error << "'";
  EXPECT_LT(first * 50, 6000u) << "failed only after " << first * 50 << " ms";
  EXPECT_GE(samples.back().restarts, 1u) << "no retry within the watch";
  for (size_t i = 0; i < first; ++i) {
    EXPECT_NE(samples[i].state, flow::State::Retrying)
        << "before it failed, sample " << i << ": retrying '" << samples[i].last_error << "'";
  }
  EXPECT_TRUE(wait_until([&] { return replicated(good.status()) == 200; }, 30s))
      << "the other flow replicated " << replicated(good.status());
  EXPECT_FALSE(has(metrics.render(), kPassword));
  locked.request_stop();
  good.request_stop();
  locked.join();
  good.join();
}

// The target refuses the login: the record path's producer and the control thread's target
// client both see it.
TEST(Security, AFlowWhoseTargetRefusesItsLoginIsFailedWithTheReason) {
  auto source = rack_source({"orders"}, 1, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  metrics::Metrics metrics;
  auto ctx = make_context({.name = "locked-target"}, *source, **target, &metrics);
  with_login(ctx.target);
  ctx.tuning.failed_backoff = 2s;
  ctx.tuning.metadata_timeout = 3s;
  ctx.admin_factory = [&source](
                          rd_kafka_t* rk,
                          const std::string& cluster) -> std::unique_ptr<kafka::ClusterAdmin> {
    return cluster == "dst" ? kafka::make_admin(rk) : source->admin();
  };
  flow::Flow locked(std::move(ctx));
  locked.start();
  const auto samples = watch(locked, 8s);
  const size_t first = expect_failed_throughout(samples);
  ASSERT_LT(first, samples.size())
      << "never failed; last: " << flow::to_string(samples.back().state) << " '"
      << samples.back().last_error << "'";
  EXPECT_GE(samples.back().restarts, 1u) << "no retry within the watch";
  EXPECT_FALSE(has(metrics.render(), kPassword));
  locked.request_stop();
  locked.join();
}

}  // namespace
}  // namespace mirror::testing
