#include "mirror/flow/fetch_watch.h"

#include <gtest/gtest.h>

namespace mirror::flow {
namespace {

using namespace std::chrono_literals;

kafka::ClientStats stats(int32_t fetch_broker, const std::string& broker_state,
                         const std::string& fetch_state = "active") {
  kafka::ClientStats s;
  kafka::PartitionStats p;
  p.fetch_broker = fetch_broker;
  p.leader = 1;
  p.fetch_state = fetch_state;
  s.partitions[{"orders", 2}] = p;
  s.brokers[1] = {1, "UP"};
  s.brokers[2] = {2, broker_state};
  return s;
}

TEST(FetchWatch, APartitionOnADownFollowerIsReportedAfterTheGrace) {
  FetchWatch watch(10s);
  const auto t0 = FetchWatch::Clock::now();
  EXPECT_FALSE(watch.observe(stats(2, "TRY_CONNECT"), t0));
  EXPECT_FALSE(watch.observe(stats(2, "DOWN"), t0 + 9s));
  auto stuck = watch.observe(stats(2, "CONNECT"), t0 + 10s);
  ASSERT_TRUE(stuck);
  EXPECT_NE(stuck->find("orders[2] has been fetched from broker 2"), std::string::npos) << *stuck;
}

TEST(FetchWatch, AFollowerThatIsUpTheLeaderOrAPausedPartitionAreFine) {
  FetchWatch watch(10s);
  const auto t0 = FetchWatch::Clock::now();
  EXPECT_FALSE(watch.observe(stats(2, "DOWN"), t0));
  EXPECT_FALSE(watch.observe(stats(2, "UP"), t0 + 5s)) << "back up: the clock starts again";
  EXPECT_FALSE(watch.observe(stats(2, "DOWN"), t0 + 12s));
  EXPECT_FALSE(watch.observe(stats(1, "DOWN"), t0 + 30s)) << "on its leader";
  EXPECT_FALSE(watch.observe(stats(2, "DOWN", "stopped"), t0 + 60s)) << "paused by mirror";
  EXPECT_FALSE(watch.observe(stats(2, "DOWN"), t0 + 61s));
}

}  // namespace
}  // namespace mirror::flow
