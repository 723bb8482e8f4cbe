#include "mirror/mm2/offset_syncs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

namespace mirror::mm2 {
namespace {

TEST(OffsetSyncs, NothingKnownTranslatesToNothing) {
  PartitionSyncs s(16, 1);
  EXPECT_FALSE(s.translate(0));
  EXPECT_FALSE(s.translate(100));
}

TEST(OffsetSyncs, OneContiguousRunTranslatesExactly) {
  PartitionSyncs s(16, 1);
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
  PartitionSyncs s(16, 1);
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
  PartitionSyncs s(16, 1);
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
  PartitionSyncs s(4, 1);
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
    PartitionSyncs s(round % 2 == 0 ? 4096 : 6, 1);  // odd rounds: thinned out all along
    std::vector<int64_t> target;                     // target offset -> source offset
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

// The offset-syncs topic as a test sees it: what writers handed out, in the order they wrote it.
using Topic = std::vector<PartitionSyncs::Taken>;

void write(PartitionSyncs& s, bool latest, Topic& topic) {
  s.take_syncs(latest, topic);
}

void read(PartitionSyncs& s, const Topic& topic) {
  for (const auto& t : topic) s.load(t.run, t.upstream, t.downstream);
}

TEST(OffsetSyncs, RunsAreRebuiltExactlyFromTheSyncsWritten) {
  PartitionSyncs a(4096, 1);
  Topic topic;
  int64_t d = 0;
  for (int64_t u = 0; u < 50; ++u) a.record(u, d++);
  write(a, false, topic);
  EXPECT_EQ(topic.size(), 1u) << "only the run's start so far";
  for (int64_t u = 52; u < 80; ++u) a.record(u, d++);  // a gap at 50, 51
  write(a, true, topic);
  // Start of run 1, end of run 1, start of run 2, the newest pair.
  ASSERT_EQ(topic.size(), 4u);
  EXPECT_EQ(topic[1].upstream, 49);
  EXPECT_EQ(topic[2].upstream, 52);
  EXPECT_EQ(topic[3].upstream, 79);
  write(a, true, topic);
  EXPECT_EQ(topic.size(), 4u) << "the newest pair is written once";

  PartitionSyncs b(4096, 2);
  read(b, topic);
  for (int64_t c = 0; c <= 82; ++c) EXPECT_EQ(b.translate(c), a.translate(c)) << "committed " << c;
}

TEST(OffsetSyncs, OwnSyncsReadBackChangeNothingAndOrderDoesNotMatter) {
  PartitionSyncs a(4096, 1);
  Topic topic;
  for (int64_t u = 0; u < 100; ++u) a.record(u, u);
  for (int64_t u = 60; u < 120; ++u) a.record(u, u + 40);  // a re-read
  write(a, true, topic);
  read(a, topic);
  EXPECT_EQ(a.runs(), 2u);
  PartitionSyncs forward(4096, 2);
  PartitionSyncs backward(4096, 3);
  read(forward, topic);
  read(backward, Topic(topic.rbegin(), topic.rend()));
  for (int64_t c = 0; c <= 125; ++c) {
    EXPECT_EQ(forward.translate(c), a.translate(c)) << "committed " << c;
    EXPECT_EQ(backward.translate(c), a.translate(c)) << "committed " << c;
  }
}

TEST(OffsetSyncs, EqualDistancesOfDifferentRunsAreNotJoined) {
  // Writer 1 wrote source 0..9 at 0..9 and its sync of the end was lost (SIGKILL); writer 2 wrote
  // source 20.. at 20.. (same distance, by chance). 10..19 are unknown, never "contiguous".
  PartitionSyncs s(4096, 9);
  s.load(RunId{1, 1}, 0, 0);
  s.load(RunId{1, 1}, 5, 5);
  s.load(RunId{2, 1}, 20, 20);
  EXPECT_EQ(s.translate(6), 6);
  EXPECT_EQ(s.translate(15), 6) << "after the last record known of run 1";
  EXPECT_EQ(s.translate(21), 21);
}

TEST(OffsetSyncs, RevocationHandsTheNewestPairOut) {
  PartitionSyncs s(4096, 1);
  Topic topic;
  s.set_owned(true);
  EXPECT_TRUE(s.owned());
  for (int64_t u = 0; u < 10; ++u) s.record(u, u);
  write(s, false, topic);
  EXPECT_EQ(topic.size(), 1u);
  s.set_owned(false);
  EXPECT_FALSE(s.owned());
  write(s, false, topic);
  ASSERT_EQ(topic.size(), 2u);
  EXPECT_EQ(topic[1].upstream, 9);
}

// Several writers one after the other, as partitions move and instances die: each reads the topic,
// goes on from a commit at or before where the last one got, writes its syncs from time to time and
// may die before writing the last ones. A reader of the topic never skips a record; and when every
// writer stopped cleanly, it translates exactly as a writer that saw every record would.
TEST(OffsetSyncs, WritersTakingTurnsNeverSkipAndCleanHandoversStayExact) {
  std::mt19937 rng(11);
  for (int round = 0; round < 200; ++round) {
    const bool clean = round % 2 == 0;
    const size_t max_runs = round % 4 < 2 ? 4096 : 8;
    Topic topic;
    std::vector<int64_t> target;            // target offset -> source offset
    PartitionSyncs everything(4096, 1000);  // sees every record (exactness reference)
    int64_t u = 0;
    int64_t highest = -1;
    std::set<int64_t> gaps;
    for (uint64_t writer = 1; writer <= 4; ++writer) {
      PartitionSyncs w(max_runs, writer);
      read(w, topic);
      if (writer > 1) u = std::max<int64_t>(0, highest + 1 - static_cast<int64_t>(rng() % 6));
      const int steps = 50 + static_cast<int>(rng() % 100);
      for (int i = 0; i < steps || u <= highest; ++i) {
        if (u > highest && rng() % 15 == 0) {
          const int64_t gap = 1 + static_cast<int64_t>(rng() % 3);
          for (int64_t g = 0; g < gap; ++g) gaps.insert(u + g);
          u += gap;
        }
        while (gaps.count(u) != 0) ++u;
        const auto d = static_cast<int64_t>(target.size());
        w.record(u, d);
        everything.record(u, d);
        target.push_back(u);
        highest = std::max(highest, u);
        ++u;
        if (rng() % 10 == 0) write(w, rng() % 2 == 0, topic);
      }
      if (clean) {
        w.set_owned(true);
        w.set_owned(false);
        write(w, false, topic);
      }
    }
    PartitionSyncs reader(max_runs, 999);
    read(reader, topic);
    std::map<int64_t, int64_t> last_copy;
    for (size_t d = 0; d < target.size(); ++d) last_copy[target[d]] = static_cast<int64_t>(d);
    for (int64_t committed = 0; committed <= highest + 2; ++committed) {
      auto t = reader.translate(committed);
      if (clean && max_runs == 4096) {
        ASSERT_EQ(t, everything.translate(committed))
            << "round " << round << ": committed " << committed;
      }
      if (!t) continue;
      for (auto it = last_copy.lower_bound(committed); it != last_copy.end(); ++it) {
        ASSERT_GE(it->second, *t) << "round " << round << ": committed " << committed << " -> "
                                  << *t << " skips source record " << it->first;
      }
    }
  }
}

TEST(OffsetSyncs, RunIdsRoundTrip) {
  const RunId id{0x0102030405060708ULL, 42};
  const std::string bytes = encode_run(id);
  ASSERT_EQ(bytes.size(), 16u);
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x01);
  EXPECT_EQ(decode_run(bytes.data(), bytes.size()), id);
  EXPECT_FALSE(decode_run(bytes.data(), 15));
  EXPECT_FALSE(decode_run(nullptr, 0));
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
  EXPECT_NE(store.writer(), 0u);
  EXPECT_FALSE(store.owned("orders", 0));
  a.set_owned(true);
  EXPECT_TRUE(store.owned("orders", 0));
  a.record(6, 1);
  auto syncs = store.take_syncs(true);
  ASSERT_EQ(syncs.size(), 3u) << "orders-0: start and newest pair; orders-1: start";
  EXPECT_EQ(syncs[0].run.writer, store.writer());
}

}  // namespace
}  // namespace mirror::mm2
