#include "mirror/flow/exactly_once.h"

#include <gtest/gtest.h>

#include "tests/support/fake_transactions.h"

namespace mirror::flow {
namespace {

using namespace std::chrono_literals;
using testing::FakeTransactions;

const std::string kSelf = "mirror-f-b-1";

kafka::Deadline soon() {
  return kafka::deadline_in(5s);
}

Claim claim_of(int32_t partition) {
  return {{"orders", partition}, {"src.orders", partition}};
}

// An ExactlyOnce over a fake the test keeps a view of.
struct Bench {
  FakeTransactions* fake;
  ExactlyOnce eos;
  Bench() : Bench(std::make_unique<FakeTransactions>()) {}
  explicit Bench(std::unique_ptr<FakeTransactions> f)
      : fake(f.get()), eos("f", std::move(f), kSelf) {}
};

SourceStart source_start(int64_t offset, std::vector<kafka::TopicPartition>* asked = nullptr) {
  return [offset, asked](const std::vector<kafka::TopicPartition>& parts, kafka::Deadline) {
    std::map<kafka::TopicPartition, int64_t> out;
    for (const auto& tp : parts) {
      out[tp] = offset;
      if (asked != nullptr) asked->push_back(tp);
    }
    return Result<std::map<kafka::TopicPartition, int64_t>>(out);
  };
}

TEST(ExactlyOnce, APartitionWithoutAPositionStartsWhereTheSourceSaysAndIsClaimedBeforeItsRecords) {
  Bench b;
  std::vector<kafka::TopicPartition> asked;
  auto started = b.eos.claim({claim_of(0)}, {}, source_start(42, &asked), soon());
  ASSERT_TRUE(started.ok()) << started.error().message;
  ASSERT_EQ(started->size(), 1u);
  EXPECT_EQ(started->at(0), (kafka::Offset{"orders", 0, 42}));
  EXPECT_EQ(asked, (std::vector<kafka::TopicPartition>{{"orders", 0}}));
  ASSERT_EQ(b.fake->commits.size(), 1u);  // the claim is committed before anything is sent
  const auto& claim = b.fake->commits[0].at({"src.orders", 0});
  EXPECT_EQ(claim.offset, 42);
  EXPECT_EQ(claim.metadata, kSelf);
  EXPECT_TRUE(b.fake->fenced.empty());
}

TEST(ExactlyOnce, TheLastWriterIsFencedAndItsPositionIsWhereTheNewOwnerStarts) {
  Bench b;
  b.fake->stored[{"src.orders", 1}] = {100, "mirror-f-a-3"};
  auto started = b.eos.claim({claim_of(1)}, {}, source_start(0), soon());
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_EQ(started->at(0).offset, 100);
  EXPECT_EQ(b.fake->fenced, (std::vector<std::string>{"mirror-f-a-3"}));
  EXPECT_EQ(b.fake->stored.at({"src.orders", 1}).metadata, kSelf);
}

TEST(ExactlyOnce, ACommitOfTheWriterBeforeItsFenceIsReadAgainAfterIt) {
  Bench b;
  b.fake->stored[{"src.orders", 0}] = {100, "zombie"};
  // The zombie commits 50 more records after the first read, just before the fence lands.
  b.fake->before_fence = [&](const std::string&) {
    b.fake->stored[{"src.orders", 0}] = {150, "zombie"};
  };
  auto started = b.eos.claim({claim_of(0)}, {}, source_start(0), soon());
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(started->at(0).offset, 150);  // not 100: those 50 would be copied twice
  EXPECT_EQ(b.fake->fenced, (std::vector<std::string>{"zombie"}));
}

TEST(ExactlyOnce, AWriterThatClaimedBetweenTheReadAndTheFenceIsFencedToo) {
  Bench b;
  b.fake->stored[{"src.orders", 0}] = {100, "first"};
  b.fake->before_fence = [&](const std::string& id) {
    if (id == "first") b.fake->stored[{"src.orders", 0}] = {120, "second"};
  };
  auto started = b.eos.claim({claim_of(0)}, {}, source_start(0), soon());
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(b.fake->fenced, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(started->at(0).offset, 120);
}

TEST(ExactlyOnce, AReleasedPartitionAndOneOfItsOwnAreTakenWithoutFencing) {
  Bench b;
  b.fake->stored[{"src.orders", 0}] = {7, ""};     // handed over by its last owner
  b.fake->stored[{"src.orders", 1}] = {9, kSelf};  // claimed by this session before
  auto started = b.eos.claim({claim_of(0), claim_of(1)}, {}, source_start(0), soon());
  ASSERT_TRUE(started.ok());
  EXPECT_TRUE(b.fake->fenced.empty());
  EXPECT_EQ(started->at(0).offset, 7);
  EXPECT_EQ(started->at(1).offset, 9);
}

TEST(ExactlyOnce, AnOpenTransactionOnAPositionIsWaitedFor) {
  Bench b;
  b.fake->unstable_reads = 2;
  b.fake->stored[{"src.orders", 0}] = {5, ""};
  auto started = b.eos.claim({claim_of(0)}, {}, source_start(0), soon());
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_EQ(b.fake->reads, 3);
  EXPECT_EQ(started->at(0).offset, 5);
}

TEST(ExactlyOnce, AnOpenTransactionThatOutlastsTheDeadlineFailsTheClaim) {
  Bench b;
  b.fake->unstable_reads = 1000;
  auto started = b.eos.claim({claim_of(0)}, {}, source_start(0), kafka::deadline_in(500ms));
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, 88);
  EXPECT_TRUE(b.fake->commits.empty());
}

TEST(ExactlyOnce, AFenceThatFailsLeavesThePartitionUnclaimed) {
  Bench b;
  b.fake->stored[{"src.orders", 0}] = {100, "other"};
  b.fake->refuse_fence.insert("other");
  auto started = b.eos.claim({claim_of(0)}, {}, source_start(0), soon());
  ASSERT_FALSE(started.ok());
  EXPECT_TRUE(b.fake->commits.empty());
  EXPECT_EQ(b.fake->stored.at({"src.orders", 0}).metadata, "other");
}

TEST(ExactlyOnce, TheClaimCommitsWithTheOpenTransactionsPositions) {
  Bench b;
  kafka::Positions pending{{{"src.orders", 3}, {500, kSelf}}};
  auto started = b.eos.claim({claim_of(0)}, pending, source_start(10), soon());
  ASSERT_TRUE(started.ok());
  ASSERT_EQ(b.fake->commits.size(), 1u);
  EXPECT_EQ(b.fake->commits[0].size(), 2u);
  EXPECT_EQ(b.fake->commits[0].at({"src.orders", 3}).offset, 500);
}

TEST(ExactlyOnce, APeriodicCommitRunsOffTheCallersThreadAndReportsOnce) {
  Bench b;
  b.eos.start_commit({{{"src.orders", 0}, {3, kSelf}}}, soon());
  EXPECT_TRUE(b.eos.busy());
  auto st = b.eos.settle(soon());
  EXPECT_TRUE(st.ok());
  EXPECT_FALSE(b.eos.busy());
  EXPECT_FALSE(b.eos.take_result());
  EXPECT_EQ(b.fake->stored.at({"src.orders", 0}).offset, 3);

  b.fake->commit_result = make_error("fenced", -144);
  b.eos.start_commit({{{"src.orders", 0}, {4, kSelf}}}, soon());
  std::optional<Status> result;
  while (!(result = b.eos.take_result())) std::this_thread::sleep_for(1ms);
  EXPECT_FALSE(result->ok());
  EXPECT_TRUE(kafka::is_fenced(result->error().code));
  EXPECT_EQ(b.fake->stored.at({"src.orders", 0}).offset, 3);
}

}  // namespace
}  // namespace mirror::flow
