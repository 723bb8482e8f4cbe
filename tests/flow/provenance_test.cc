// Provenance headers (flow/provenance.h): which records loop, and the header a stamping flow sends.
#include "mirror/flow/provenance.h"

#include <gtest/gtest.h>

namespace mirror::flow {
namespace {

constexpr std::string_view kEast = "MkU3OEVBNTcwNTJENDM2Qg";
constexpr std::string_view kWest = "GGvzxKEQSCmgQDTAuO9Qzg";
constexpr std::string_view kSouth = "3Db5QLSqSZieL3rJBUUegA";

std::string joined(std::initializer_list<std::string_view> ids) {
  std::string out;
  for (auto id : ids) out += (out.empty() ? "" : ",") + std::string(id);
  return out;
}

TEST(Provenance, HoldsNamesWholeIdsOnly) {
  const std::string two = joined({kEast, kWest});
  EXPECT_TRUE(provenance_holds(two, kEast));
  EXPECT_TRUE(provenance_holds(two, kWest));
  EXPECT_FALSE(provenance_holds(two, kSouth));
  EXPECT_FALSE(provenance_holds(two, kEast.substr(0, 10))) << "a prefix is not the id";
  EXPECT_FALSE(provenance_holds(two, "")) << "an unknown cluster is on no record";
  EXPECT_FALSE(provenance_holds("", kEast));
  EXPECT_TRUE(provenance_holds(std::string(kEast), kEast));
}

TEST(Provenance, TheFirstHopStampsTheSourceId) {
  Provenance east_to_west{std::string(kEast), std::string(kWest), true};
  auto d = east_to_west.decide(std::nullopt);
  EXPECT_FALSE(d.loop);
  ASSERT_TRUE(d.stamp);
  EXPECT_STREQ(d.stamp->name, kProvenanceHeader);
  EXPECT_EQ(d.stamp->value, kEast);
  EXPECT_EQ(d.added_bytes, kProvenanceHeaderSize + kEast.size());
}

TEST(Provenance, ARecordBackFromItsTargetIsALoop) {
  Provenance west_to_east{std::string(kWest), std::string(kEast), true};
  auto d = west_to_east.decide(kEast);  // came east -> west
  EXPECT_TRUE(d.loop);
  EXPECT_FALSE(d.stamp);
}

TEST(Provenance, ARingAppendsEachHopAndStopsBeforeTheOrigin) {
  const std::string after_two = joined({kEast, kWest});
  Provenance west_to_south{std::string(kWest), std::string(kSouth), true};
  auto d = west_to_south.decide(std::string_view(kEast));
  ASSERT_TRUE(d.stamp);
  EXPECT_EQ(d.stamp->value, after_two);
  EXPECT_EQ(d.added_bytes, kWest.size() + 1);
  Provenance south_to_east{std::string(kSouth), std::string(kEast), true};
  EXPECT_TRUE(south_to_east.decide(after_two).loop);
  Provenance south_to_north{std::string(kSouth), "north-id", true};
  auto on = south_to_north.decide(after_two);
  ASSERT_TRUE(on.stamp);
  EXPECT_EQ(on.stamp->value, joined({kEast, kWest, kSouth}));
}

TEST(Provenance, AFlowThatDoesNotStampStillStopsLoopsAndSendsTheHeaderAsItIs) {
  Provenance plain{std::string(kWest), std::string(kEast), false};
  EXPECT_FALSE(plain.stamps());
  EXPECT_TRUE(plain.decide(kEast).loop);
  auto d = plain.decide(kSouth);
  EXPECT_FALSE(d.loop);
  EXPECT_FALSE(d.stamp);
  EXPECT_EQ(d.added_bytes, 0u);
  EXPECT_FALSE(plain.decide(std::nullopt).stamp);
}

TEST(Provenance, ASourceIdNamedAlreadyIsNotAddedTwice) {
  Provenance p{std::string(kWest), std::string(kSouth), true};
  auto d = p.decide(joined({kEast, kWest}));
  EXPECT_FALSE(d.loop);
  EXPECT_FALSE(d.stamp) << "sent with the header it has";
}

TEST(Provenance, UnknownClustersNeitherStampNorStop) {
  Provenance none;
  EXPECT_FALSE(none.decide(kEast).loop);
  EXPECT_FALSE(none.decide(std::nullopt).stamp);
  Provenance no_source{"", std::string(kEast), true};
  EXPECT_FALSE(no_source.stamps()) << "stamping needs the source's id";
  EXPECT_TRUE(no_source.decide(kEast).loop);
}

}  // namespace
}  // namespace mirror::flow
