#include "mirror/flow/budget.h"

#include <gtest/gtest.h>

#include "mirror/flow/context.h"

namespace mirror::flow {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

TEST(RecordBudget, UpToEightFlowsGetTheOneFlowValuesUnderTheDefault) {
  RecordBudget budget;  // 512 MiB, one flow
  EXPECT_EQ(budget.in_flight_share(), 32 * kMiB);
  EXPECT_EQ(budget.prefetch_kbytes(), 32768u);
  budget.set_flows(8);
  EXPECT_EQ(budget.in_flight_share(), 32 * kMiB);
  budget.set_flows(9);
  EXPECT_LT(budget.in_flight_share(), 32 * kMiB);
}

TEST(RecordBudget, FiftyFlowsTogetherHoldAtMostTheBudget) {
  RecordBudget budget(512 * kMiB, 50);
  const size_t per_flow = budget.in_flight_share() + budget.prefetch_kbytes() * 1024;
  EXPECT_LE(per_flow * 50, 512 * kMiB);
  EXPECT_GE(per_flow * 50, 511 * kMiB) << "the budget is shared out, not left idle";
  EXPECT_EQ(budget.in_flight_share(), 512 * kMiB / 50 / 2);
}

TEST(RecordBudget, NoFlowGoesBelowTheFloor) {
  RecordBudget budget(16 * kMiB, 1000);
  EXPECT_EQ(budget.in_flight_share(), RecordBudget::kFloor);
  EXPECT_EQ(budget.prefetch_kbytes(), 1024u);
  budget.set_flows(0);
  EXPECT_EQ(budget.in_flight_share(), 8 * kMiB) << "no flow counts as one";
}

TEST(RecordBudget, AChangeIsSeenAtOnce) {
  RecordBudget budget(512 * kMiB, 1);
  budget.set_flows(64);
  EXPECT_EQ(budget.in_flight_share(), 4 * kMiB);
  budget.set_total(1024 * kMiB);
  EXPECT_EQ(budget.in_flight_share(), 8 * kMiB);
}

TEST(RecordBudget, AFlowTakesTheSmallerOfItsTuningAndItsShare) {
  FlowContext ctx;
  ctx.spec.name = "f";
  ctx.tuning.max_in_flight_bytes = 4 * kMiB;
  EXPECT_EQ(ctx.in_flight_bytes_limit(), 4 * kMiB) << "no budget: the tuning";
  auto budget = std::make_shared<RecordBudget>(512 * kMiB, 1);
  ctx.budget = budget;
  EXPECT_EQ(ctx.in_flight_bytes_limit(), 4 * kMiB);
  budget->set_flows(256);
  EXPECT_EQ(ctx.in_flight_bytes_limit(), 1 * kMiB);
}

TEST(RecordBudget, TheConsumerPrefetchesItsShareUnlessTheFlowSaysOtherwise) {
  FlowContext ctx;
  ctx.spec.name = "f";
  ctx.source.name = "a";
  ctx.source.bootstrap_servers = "a:9092";
  EXPECT_EQ(ctx.client(kafka::ClientRole::SourceConsumer).values.at("queued.max.messages.kbytes"),
            "32768")
      << "no budget: mirror's default";
  ctx.budget = std::make_shared<RecordBudget>(512 * kMiB, 50);
  EXPECT_EQ(ctx.client(kafka::ClientRole::SourceConsumer).values.at("queued.max.messages.kbytes"),
            std::to_string(512 * 1024 / 50 / 2));
  ctx.spec.consumer = {{"queued.max.messages.kbytes", "65536"}};
  EXPECT_EQ(ctx.client(kafka::ClientRole::SourceConsumer).values.at("queued.max.messages.kbytes"),
            "65536");
}

}  // namespace
}  // namespace mirror::flow
