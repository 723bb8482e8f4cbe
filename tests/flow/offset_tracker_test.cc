#include "mirror/flow/offset_tracker.h"

#include <gtest/gtest.h>

namespace mirror::flow {
namespace {

TEST(OffsetTracker, NothingCommittableBeforeAnAck) {
  OffsetTracker t;
  EXPECT_EQ(t.committable(), -1);
  t.sent(10);
  t.sent(11);
  EXPECT_EQ(t.committable(), -1);
  EXPECT_EQ(t.in_flight(), 2u);
}

TEST(OffsetTracker, InOrderAcksAdvanceToNextOffset) {
  OffsetTracker t;
  for (int64_t o = 0; o < 5; ++o) t.sent(o);
  t.acked(0);
  EXPECT_EQ(t.committable(), 1);
  t.acked(1);
  t.acked(2);
  EXPECT_EQ(t.committable(), 3);
  EXPECT_EQ(t.in_flight(), 2u);
}

TEST(OffsetTracker, NeverPassesAnUnacknowledgedRecord) {
  OffsetTracker t;
  for (int64_t o = 100; o < 105; ++o) t.sent(o);
  t.acked(101);
  t.acked(103);
  t.acked(104);
  EXPECT_EQ(t.committable(), -1) << "100 is not acknowledged yet";
  t.acked(100);
  EXPECT_EQ(t.committable(), 102) << "102 is still in flight";
  t.acked(102);
  EXPECT_EQ(t.committable(), 105);
  EXPECT_EQ(t.in_flight(), 0u);
}

TEST(OffsetTracker, GapsInSourceOffsetsAreFine) {
  OffsetTracker t;
  t.sent(5);
  t.sent(9);  // compacted or transaction markers in between
  t.acked(5);
  EXPECT_EQ(t.committable(), 6);
  t.acked(9);
  EXPECT_EQ(t.committable(), 10);
}

TEST(OffsetTracker, UnknownAndRepeatedAcksAreIgnored) {
  OffsetTracker t;
  t.sent(1);
  t.acked(7);
  t.acked(1);
  t.acked(1);
  EXPECT_EQ(t.committable(), 2);
  EXPECT_EQ(t.in_flight(), 0u);
}

TEST(OffsetTracker, ResentOffsetIsNotTrackedTwice) {
  OffsetTracker t;
  t.sent(1);
  t.sent(1);
  EXPECT_EQ(t.in_flight(), 1u);
}

TEST(OffsetTracker, AFailedRecordIsNoLongerInFlightButHoldsTheCommitForGood) {
  OffsetTracker t;
  for (int64_t o = 0; o < 4; ++o) t.sent(o);
  t.acked(0);
  t.failed(1);
  t.acked(2);
  t.acked(3);
  EXPECT_EQ(t.in_flight(), 0u);
  EXPECT_EQ(t.committable(), 1) << "1 failed: it is read again, and so is what follows";
  EXPECT_TRUE(t.blocked());
  t.acked(1);  // a late acknowledgement of a failed record changes nothing
  EXPECT_EQ(t.committable(), 1);
}

}  // namespace
}  // namespace mirror::flow
