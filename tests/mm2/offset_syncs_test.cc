#include "mirror/mm2/offset_syncs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

namespace mirror::mm2 {
namespace {

TEST(OffsetSyncs, NothingKnownTranslatesToNothing) {
  PartitionSyncs s(16);
  EXPECT_FALSE(s.translate(0));
  EXPECT_FALSE(s.translate(100));
}

TEST(OffsetSyncs, OneContiguousRunTranslatesExactly) {
  PartitionSyncs s(16);
  for (int64_t u = 100; u < 200; ++u)
    s.record(u, u - 100 + 40);  // target partition had 40 records before
  EXPECT_EQ(s.runs(), 1u);
  EXPECT_FALSE(s.translate(99)) << "before the first known record: unknown";
  EXPECT_EQ(s.translate(100), 40) << "nothing consumed of the known range: its first target record";
  EXPECT_EQ(s.translate(101), 41);
  EXPECT_EQ(s.translate(150), 90);
  EXPECT_EQ(s.translate(200), 140) << "everything replicated consumed: the next target offset";
  EXPECT_EQ(s.translate(250), 140) << "ahead of replication: still the next target offset";
}

TEST(OffsetSyncs, SourceGapsStartNewRunsAndNeverSkipARecord) {
  PartitionSyncs s(16);
  // Source 0..9, a transaction marker at 10, 11..19; target offsets are dense.
  int64_t d = 0;
  for (int64_t u = 0; u < 10; ++u) s.record(u, d++);
  for (int64_t u = 11; u < 20; ++u) s.record(u, d++);
  EXPECT_EQ(s.runs(), 2u);
  EXPECT_EQ(s.translate(10), 10) << "read 0..9: next target record is source 11's";
  EXPECT_EQ(s.translate(11), 10) << "read up to the marker: same place";
  EXPECT_EQ(s.translate(12), 11);
  EXPECT_EQ(s.translate(20), 19);
}

TEST(OffsetSyncs, ReReadAfterRestartPrefersTheNewerCopies) {
  PartitionSyncs s(16);
  for (int64_t u = 0; u < 100; ++u) s.record(u, u);
  // The next session resumed from commit 60 and wrote 60.. again at target 100..
  for (int64_t u = 60; u < 80; ++u) s.record(u, u + 40);
  EXPECT_EQ(s.runs(), 2u);
  EXPECT_EQ(s.translate(30), 30);
  EXPECT_EQ(s.translate(60), 60) << "read 0..59: start at the first copy of 60 or later";
  EXPECT_EQ(s.translate(61), 101);
  EXPECT_EQ(s.translate(80), 120);
}

TEST(OffsetSyncs, BeyondTheLimitOldRunsThinOutAndTranslateConservatively) {
  PartitionSyncs s(4);
  // A transactional source: a commit marker after every record, so every record is its own run.
  for (int64_t u = 0; u < 20; u += 2) s.record(u, u / 2);
  EXPECT_LE(s.runs(), 4u);
  EXPECT_EQ(s.translate(0), 0) << "the first run is kept";
  EXPECT_EQ(s.translate(19), 10) << "recent offsets stay exact";
  auto old = s.translate(7);  // read 0..6 (target 0..3): exact would be 4
  ASSERT_TRUE(old);
  EXPECT_LE(*old, 4) << "never past an unread record";
}

// Against a model: random gaps and re-reads; a translated offset must never skip a record the
// group has not read, and must not re-deliver anything when the source has no gaps or re-reads.
TEST(OffsetSyncs, RandomHistoriesNeverSkip) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    PartitionSyncs s(round % 2 == 0 ? 4096 : 6);  // odd rounds: thinned out all along
    std::vector<int64_t> target;                  // target offset -> source offset
    int64_t u = static_cast<int64_t>(rng() % 5);
    const int64_t first = u;
    std::set<int64_t> gaps;
    int64_t highest = -1;
    // A re-read goes on past everything read before (a session reads on from its commit), so the
    // history ends only once it is beyond the highest offset written.
    for (int i = 0; i < 300 || u <= highest; ++i) {
      if (u > highest && rng() % 20 == 0) {
        const int64_t gap = 1 + static_cast<int64_t>(rng() % 3);  // a gap in the source
        for (int64_t g = 0; g < gap; ++g) gaps.insert(u + g);
        u += gap;
      }
      if (i < 300 && rng() % 50 == 0 && u > first + 5)
        u -= 1 + static_cast<int64_t>(rng() % 5);  // a re-read
      while (gaps.count(u) != 0) ++u;
      s.record(u, static_cast<int64_t>(target.size()));
      target.push_back(u);
      highest = std::max(highest, u);
      ++u;
    }
    // Where each source record last appears on the target.
    std::map<int64_t, int64_t> last_copy;
    for (size_t d = 0; d < target.size(); ++d) last_copy[target[d]] = static_cast<int64_t>(d);
    for (int64_t committed = first; committed <= highest + 2; ++committed) {
      auto t = s.translate(committed);
      if (!t) continue;
      // Every source record >= committed must have a copy at target offset >= *t.
      for (auto it = last_copy.lower_bound(committed); it != last_copy.end(); ++it) {
        ASSERT_GE(it->second, *t) << "round " << round << ": committed " << committed << " -> "
                                  << *t << " skips source record " << it->first;
      }
    }
  }
}

TEST(OffsetSyncStore, PartitionsAreIndependentAndHandlesStable) {
  OffsetSyncStore store;
  auto& a = store.partition("orders", 0);
  auto& b = store.partition("orders", 1);
  EXPECT_EQ(&a, &store.partition("orders", 0));
  a.record(5, 0);
  b.record(5, 100);
  EXPECT_EQ(store.translate("orders", 0, 6), 1);
  EXPECT_EQ(store.translate("orders", 1, 6), 101);
  EXPECT_FALSE(store.translate("orders", 2, 6));
  EXPECT_FALSE(store.translate("payments", 0, 6));
}

}  // namespace
}  // namespace mirror::mm2
