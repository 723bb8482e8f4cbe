#include "mirror/kafka/stats.h"

#include <gtest/gtest.h>

namespace mirror::kafka {
namespace {

constexpr const char* kStats = R"({
  "name": "c#consumer-1", "type": "consumer",
  "brokers": {
    "127.0.0.1:9092/bootstrap": {"nodeid": -1, "source": "configured", "rxbytes": 500, "state": "UP"},
    "127.0.0.1:9093/2": {"nodeid": 2, "source": "learned", "rxbytes": 123456, "state": "UP"},
    "127.0.0.1:9094/3": {"nodeid": 3, "source": "learned", "rxbytes": 7, "state": "DOWN"},
    "GroupCoordinator": {"nodeid": 1, "source": "logical", "rxbytes": 99, "state": "UP"}
  },
  "topics": {
    "orders": {"topic": "orders", "partitions": {
      "0": {"partition": 0, "broker": 2, "leader": 1, "desired": true, "fetch_state": "active",
            "consumer_lag": 5, "hi_offset": 100, "app_offset": 95, "rxbytes": 4096},
      "1": {"partition": 1, "broker": 3, "leader": 3, "desired": false},
      "-1": {"partition": -1, "broker": -1, "leader": -1, "desired": false}
    }}
  }
})";

TEST(Stats, ParsesFetchBrokerLeaderLagAndBrokerBytes) {
  auto s = parse_stats(kStats);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->partitions.size(), 1u) << "only assigned (desired) partitions";
  const auto& p = s->partitions.at({"orders", 0});
  EXPECT_EQ(p.fetch_broker, 2);
  EXPECT_EQ(p.leader, 1);
  EXPECT_EQ(p.consumer_lag, 5);
  EXPECT_EQ(p.fetch_state, "active");
  EXPECT_EQ(p.rx_bytes, 4096u);
  ASSERT_EQ(s->brokers.size(), 2u) << "bootstrap and logical connections are left out";
  EXPECT_EQ(s->brokers.at(3).state, "DOWN");
}

ClientStats received(std::map<std::string, ClientStats::Received> objects) {
  ClientStats s;
  s.received = std::move(objects);
  return s;
}

TEST(Stats, KeepsEachBrokerObjectsBytes) {
  auto s = parse_stats(kStats);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->received.size(), 2u) << "bootstrap and logical connections are left out";
  EXPECT_EQ(s->received.at("127.0.0.1:9093/2").node_id, 2);
  EXPECT_EQ(s->received.at("127.0.0.1:9093/2").rx_bytes, 123456u);
}

TEST(ReceivedBytes, CountsWhatEachBrokerObjectAddedSinceLastTime) {
  ReceivedBytes r;
  auto d = r.since_last(received({{"a:1/1", {1, 500}}, {"a:2/2", {2, 100}}}));
  EXPECT_EQ(d[1], 500u) << "first statistics: everything so far";
  EXPECT_EQ(d[2], 100u);
  d = r.since_last(received({{"a:1/1", {1, 800}}, {"a:2/2", {2, 100}}}));
  EXPECT_EQ(d[1], 300u);
  EXPECT_EQ(d[2], 0u);
}

TEST(ReceivedBytes, ABrokerObjectGoneOrReplacedDoesNotRecountTheOthers) {
  ReceivedBytes r;
  (void)r.since_last(received({{"a:1/1", {1, 500}}, {"b:1/1", {1, 40}}}));
  // One of node 1's two objects went away: the other's count goes on, nothing is counted again.
  auto d = r.since_last(received({{"a:1/1", {1, 600}}}));
  EXPECT_EQ(d[1], 100u);
  // An object whose count went down was replaced: its new count is new bytes.
  d = r.since_last(received({{"a:1/1", {1, 50}}}));
  EXPECT_EQ(d[1], 50u);
}

ClientStats partitions(std::map<std::pair<std::string, int32_t>, uint64_t> bytes) {
  ClientStats s;
  for (const auto& [key, rx] : bytes) s.partitions[key].rx_bytes = rx;
  return s;
}

TEST(PartitionBytes, CountsWhatEachPartitionReceivedSinceLastTime) {
  PartitionBytes b;
  auto d = b.since_last(partitions({{{"t", 0}, 700}, {{"t", 1}, 0}}));
  EXPECT_EQ((d[{"t", 0}]), 700u) << "first statistics: everything so far";
  EXPECT_EQ((d[{"t", 1}]), 0u);
  d = b.since_last(partitions({{{"t", 0}, 1000}, {{"t", 1}, 50}}));
  EXPECT_EQ((d[{"t", 0}]), 300u);
  EXPECT_EQ((d[{"t", 1}]), 50u);
}

TEST(PartitionBytes, APartitionThatLeavesAndComesBackCountsOnlyWhatIsNew) {
  PartitionBytes b;
  (void)b.since_last(partitions({{{"t", 0}, 700}, {{"t", 1}, 100}}));
  auto d = b.since_last(partitions({{{"t", 1}, 150}}));  // t-0 revoked
  EXPECT_EQ(d.count({"t", 0}), 0u);
  EXPECT_EQ((d[{"t", 1}]), 50u);
  d = b.since_last(partitions({{{"t", 0}, 900}, {{"t", 1}, 150}}));  // t-0 back
  EXPECT_EQ((d[{"t", 0}]), 200u);
  d = b.since_last(partitions({{{"t", 0}, 30}}));  // a count that went down started again
  EXPECT_EQ((d[{"t", 0}]), 30u);
}

TEST(Stats, GarbageIsAnErrorNotACrash) {
  EXPECT_FALSE(parse_stats("").ok());
  EXPECT_FALSE(parse_stats("[1,2]").ok());
  EXPECT_FALSE(parse_stats("{\"brokers\": ").ok());
  auto odd =
      parse_stats(R"({"brokers": {"x": {"nodeid": "two"}}, "topics": {"t": {"partitions": 5}}})");
  ASSERT_TRUE(odd.ok());
  EXPECT_TRUE(odd->brokers.empty());
}

}  // namespace
}  // namespace mirror::kafka
