#include "mirror/flow/fetch_mode.h"

#include <gtest/gtest.h>

#include <map>

namespace mirror::flow {
namespace {

// Brokers 1, 2, 3 in az-a, az-b, az-c.
const RackOf kRacks = [](int32_t b) {
  static const std::map<int32_t, std::string> racks{{1, "az-a"}, {2, "az-b"}, {3, "az-c"}};
  auto it = racks.find(b);
  return it == racks.end() ? std::string() : it->second;
};

PartitionPlacement placement(int32_t leader, int32_t fetch, bool settled = true) {
  return PartitionPlacement{leader, {1, 2, 3}, fetch, settled};
}

TEST(FetchMode, NoRackMeansLeader) {
  EXPECT_EQ(classify_fetch_mode(std::nullopt, {placement(1, 1)}, kRacks), FetchMode::Leader);
  EXPECT_EQ(classify_fetch_mode(std::string(), {placement(1, 1)}, kRacks), FetchMode::Leader);
}

TEST(FetchMode, ReadsFromLocalFollowerAreFollower) {
  EXPECT_EQ(classify_fetch_mode("az-b", {placement(1, 2), placement(3, 2)}, kRacks),
            FetchMode::Follower);
}

TEST(FetchMode, LeadersServingDespiteLocalReplicaIsFallback) {
  EXPECT_EQ(classify_fetch_mode("az-b", {placement(1, 1), placement(3, 3)}, kRacks),
            FetchMode::LeaderFallback);
}

TEST(FetchMode, NotProvenBeforeTheGraceEnds) {
  EXPECT_EQ(classify_fetch_mode("az-b", {placement(1, 1, false)}, kRacks), FetchMode::Leader);
  EXPECT_EQ(classify_fetch_mode("az-b", {placement(1, -1, true)}, kRacks), FetchMode::Leader);
}

TEST(FetchMode, NoReplicaInTheRackIsLeader) {
  EXPECT_EQ(classify_fetch_mode("az-x", {placement(1, 1), placement(3, 3)}, kRacks),
            FetchMode::Leader);
  PartitionPlacement outside{1, {1, 3}, 1, true};
  EXPECT_EQ(classify_fetch_mode("az-b", {outside}, kRacks), FetchMode::Leader);
}

TEST(FetchMode, LocalLeadersAreAlreadyInTheRack) {
  EXPECT_EQ(classify_fetch_mode("az-b", {placement(2, 2)}, kRacks), FetchMode::Follower);
}

TEST(FetchMode, OneFollowerReadIsEnoughWhenAReplicaIsOut) {
  // Partition 2's az-b replica fell out of the ISR (broker down): its leader serves it.
  PartitionPlacement out_of_sync{3, {1, 3}, 3, true};
  EXPECT_EQ(classify_fetch_mode("az-b", {placement(1, 2), out_of_sync}, kRacks),
            FetchMode::Follower);
}

}  // namespace
}  // namespace mirror::flow
