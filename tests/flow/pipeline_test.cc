// The record path's state machine driven by plain calls, with a fake sink: no Kafka anywhere.
#include "mirror/flow/pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/support/fake_sink.h"

namespace mirror::flow {
namespace {

using namespace std::chrono_literals;
using testing::FakeSink;
using Outcome = Sink::Outcome;
using Clock = Pipeline::Clock;

topics::Routing routing_of(std::vector<std::pair<std::string, int32_t>> topics) {
  topics::Routing r;
  for (auto& [name, partitions] : topics) {
    r.routes[name] = topics::Route{name, "src." + name, partitions, partitions};
  }
  return r;
}

kafka::Record record(const char* topic, int32_t partition, int64_t offset, size_t bytes = 10) {
  kafka::Record r;
  r.topic = topic;  // string literals outlive the records
  r.partition = partition;
  r.offset = offset;
  r.bytes = bytes;
  return r;
}

struct PipelineTest : ::testing::Test {
  metrics::Metrics metrics;
  metrics::FlowProbe probe{metrics, "f", {}};
  Limits limits{100, 1u << 20, 1000ms, 1000};
  std::unique_ptr<Pipeline> pipeline;
  FakeSink sink;
  Clock::time_point now = Clock::now();

  void make(Limits l) {
    limits = l;
    pipeline = std::make_unique<Pipeline>(limits, probe, nullptr);
  }
  void SetUp() override { make(limits); }
  void start(std::vector<std::pair<std::string, int32_t>> topics) {
    pipeline->set_routing(routing_of(topics));
    std::vector<kafka::TopicPartition> all;
    for (auto& [name, partitions] : topics) {
      for (int32_t p = 0; p < partitions; ++p) all.push_back({name, p});
    }
    pipeline->assign(all, now);
    (void)pipeline->take_fetch_changes(now);  // the initial "resume" of every new partition
  }
  void take(const char* topic, int32_t partition, int64_t from, int64_t to, size_t bytes = 10) {
    for (int64_t o = from; o < to; ++o) pipeline->take(record(topic, partition, o, bytes));
  }
  Status pump() { return pipeline->pump(sink, now); }
  // Delivers every outstanding record (acknowledged).
  void deliver_all() {
    while (!sink.outstanding.empty()) ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());
  }
  int64_t committed(const std::string& topic, int32_t partition) {
    for (const auto& o : pipeline->take_committable())
      last_commit[{o.topic, o.partition}] = o.offset;
    auto it = last_commit.find({topic, partition});
    return it == last_commit.end() ? -1 : it->second;
  }
  std::map<std::pair<std::string, int32_t>, int64_t> last_commit;
};

TEST_F(PipelineTest, SendsInOffsetOrderAndCommitsBehindAcknowledgements) {
  start({{"orders", 2}});
  take("orders", 0, 0, 5);
  take("orders", 1, 100, 103);
  ASSERT_TRUE(pump().ok());
  ASSERT_EQ(sink.sent.size(), 8u);
  for (size_t i = 1; i < 5; ++i) EXPECT_GT(sink.sent[i].offset, sink.sent[i - 1].offset);
  EXPECT_EQ(committed("orders", 0), -1) << "nothing acknowledged yet";
  ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());  // orders[0]@0
  ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());  // orders[0]@1
  EXPECT_EQ(committed("orders", 0), 2);
  deliver_all();
  EXPECT_EQ(committed("orders", 0), 5);
  EXPECT_EQ(committed("orders", 1), 103);
  EXPECT_EQ(pipeline->in_flight_records(), 0u);
  EXPECT_EQ(pipeline->in_flight_bytes(), 0u);
}

TEST_F(PipelineTest, RecordLimitIsNeverExceeded) {
  make({5, 1u << 20, 1000ms, 1000});
  start({{"orders", 3}});
  for (int32_t p = 0; p < 3; ++p) take("orders", p, 0, 20);
  for (int round = 0; round < 30 && sink.sent.size() < 60; ++round) {
    ASSERT_TRUE(pump().ok());
    EXPECT_LE(pipeline->in_flight_records(), 5u);
    // Deliver some, not all: the pipeline refills up to the limit and never past it.
    for (int i = 0; i < 2 && !sink.outstanding.empty(); ++i) {
      ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());
    }
  }
  deliver_all();
  EXPECT_EQ(sink.sent.size(), 60u);
  EXPECT_LE(sink.max_outstanding, 5u);
  for (int32_t p = 0; p < 3; ++p) EXPECT_EQ(committed("orders", p), 20);
}

TEST_F(PipelineTest, ByteLimitIsNeverExceededAndAnOversizedRecordGoesAlone) {
  make({1000, 250, 1000ms, 1000});
  start({{"orders", 1}});
  take("orders", 0, 0, 3, 100);
  pipeline->take(record("orders", 0, 3, 400));  // above the limit on its own
  take("orders", 0, 4, 6, 100);
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.outstanding.size(), 2u) << "two records of 100 bytes fit in 250";
  EXPECT_LE(pipeline->in_flight_bytes(), 250u);
  deliver_all();
  ASSERT_TRUE(pump().ok());
  ASSERT_EQ(sink.outstanding.size(), 1u) << "the third record; the oversized one waits for it";
  deliver_all();
  ASSERT_TRUE(pump().ok());
  ASSERT_EQ(sink.outstanding.size(), 1u) << "the oversized record, alone";
  EXPECT_EQ(sink.outstanding.front().offset, 3);
  deliver_all();
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.outstanding.size(), 2u);
  deliver_all();
  EXPECT_EQ(committed("orders", 0), 6);
}

TEST_F(PipelineTest, ALowerByteLimitHoldsNewSendsUntilWhatIsInFlightFits) {
  make({1000, 1000, 1000ms, 1000});
  start({{"orders", 1}});
  take("orders", 0, 0, 20, 100);
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.outstanding.size(), 10u);
  pipeline->set_max_in_flight_bytes(300);  // the flow's share shrank (more flows; budget.h)
  EXPECT_EQ(pipeline->max_in_flight_bytes(), 300u);
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.outstanding.size(), 3u) << "two left in flight, one more fits in 300";
  EXPECT_LE(pipeline->in_flight_bytes(), 300u);
  deliver_all();
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.outstanding.size(), 3u);
  pipeline->set_max_in_flight_bytes(1000);  // and grew back
  deliver_all();
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.outstanding.size(), 6u) << "the last six records at once";
  deliver_all();
  EXPECT_EQ(committed("orders", 0), 20);
}

TEST_F(PipelineTest, RoomIsZeroWhileRecordsWaitForTheLimits) {
  make({2, 1u << 20, 1000ms, 1000});
  start({{"orders", 1}});
  EXPECT_EQ(pipeline->room(), 1000u);
  take("orders", 0, 0, 5);
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(pipeline->room(), 0u) << "three records wait: take nothing more from the consumer";
  EXPECT_EQ(pipeline->waiting(), 3u);
  deliver_all();
  ASSERT_TRUE(pump().ok());
  deliver_all();
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(pipeline->waiting(), 0u);
  EXPECT_EQ(pipeline->room(), 1000u);
}

TEST_F(PipelineTest, StopMidBatchCommitsOnlyWhatWasAcknowledged) {
  make({4, 1u << 20, 1000ms, 1000});
  start({{"orders", 1}});
  take("orders", 0, 10, 20);
  ASSERT_TRUE(pump().ok());
  ASSERT_EQ(sink.sent.size(), 4u);
  deliver_all();
  pipeline->drop_unsent();  // stop: six records taken and never sent
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.sent.size(), 4u) << "nothing more is sent after a stop";
  EXPECT_EQ(committed("orders", 0), 14) << "the first record not sent is read again";
  EXPECT_EQ(pipeline->waiting(), 0u);
}

TEST_F(PipelineTest, DeliveryFailureMidBatchEndsTheSessionAndHoldsTheCommit) {
  start({{"orders", 1}});
  take("orders", 0, 0, 6);
  ASSERT_TRUE(pump().ok());
  ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());   // 0
  ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());   // 1
  auto failed = pipeline->delivered(sink.deliver_front(false));  // 2 fails
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(failed.error().retriable);
  EXPECT_NE(failed.error().message.find("src.orders[0]"), std::string::npos)
      << failed.error().message;
  deliver_all();  // 3, 4, 5 acknowledged after it
  EXPECT_EQ(committed("orders", 0), 2) << "never past the failed record";
  EXPECT_EQ(pipeline->in_flight_records(), 0u);
  EXPECT_EQ(probe.errors(metrics::ErrorKind::Delivery), 1u);
}

TEST_F(PipelineTest, RevokedAndReassignedWithRecordsInFlight) {
  start({{"orders", 2}});
  take("orders", 0, 0, 5);
  take("orders", 1, 0, 5);
  ASSERT_TRUE(pump().ok());
  ASSERT_EQ(pipeline->in_flight_records(), 10u);
  // A rebalance takes orders[0] away while its five records are in flight (a lost partition:
  // nothing was waited for), then gives it back; the consumer reads it again from offset 0.
  pipeline->revoke({{"orders", 0}});
  EXPECT_EQ(pipeline->in_flight({{"orders", 0}}), 0u) << "the revoked partition forgot its records";
  pipeline->assign({{"orders", 0}}, now);
  take("orders", 0, 0, 5);
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(pipeline->in_flight_records(), 15u);
  // The old deliveries arrive: they release their share and count as replicated.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());
  EXPECT_EQ(pipeline->in_flight_records(), 10u);
  deliver_all();
  EXPECT_EQ(pipeline->in_flight_records(), 0u);
  EXPECT_EQ(committed("orders", 0), 5);
  EXPECT_EQ(committed("orders", 1), 5);
  probe.publish();  // the record loop does it every turn
  EXPECT_NE(
      metrics.render().find("mirror_records_replicated_total{flow=\"f\",topic=\"orders\"} 15"),
      std::string::npos);
}

TEST_F(PipelineTest, RecordsOfPartitionsNotAssignedHereAndRefetchesAreDropped) {
  start({{"orders", 1}});
  pipeline->take(record("orders", 7, 0));  // not ours
  pipeline->take(record("other", 0, 0));   // not ours either
  take("orders", 0, 0, 3);
  take("orders", 0, 1, 4);  // 1 and 2 again (a refetch after a pause), then 3
  ASSERT_TRUE(pump().ok());
  ASSERT_EQ(sink.sent.size(), 4u);
  for (size_t i = 0; i < sink.sent.size(); ++i)
    EXPECT_EQ(sink.sent[i].offset, static_cast<int64_t>(i));
}

TEST_F(PipelineTest, BackpressurePausesAfterPauseAfterAndResumesAtHalfTheLimits) {
  make({10, 1u << 20, 1000ms, 1000});
  start({{"orders", 2}});
  take("orders", 0, 0, 30);
  ASSERT_TRUE(pump().ok());
  EXPECT_TRUE(pipeline->take_fetch_changes(now).empty()) << "held back, not paused yet";
  now += 500ms;
  ASSERT_TRUE(pump().ok());
  EXPECT_TRUE(pipeline->take_fetch_changes(now).empty());
  now += 600ms;
  ASSERT_TRUE(pump().ok());
  auto paused = pipeline->take_fetch_changes(now);
  EXPECT_EQ(paused.pause.size(), 2u) << "every assigned partition, after a second of no room";
  EXPECT_TRUE(pipeline->backpressure_paused());
  EXPECT_EQ(pipeline->room(), 1000u) << "paused: polling only serves the consumer";
  // Paused, what waits still goes as deliveries make room; fetching resumes once nothing waits
  // and at most half the limit is in flight.
  bool resumed = false;
  while (!resumed && !sink.outstanding.empty()) {
    ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());
    ASSERT_TRUE(pump().ok());
    auto changes = pipeline->take_fetch_changes(now);
    EXPECT_TRUE(changes.pause.empty());
    if (!changes.resume.empty()) {
      resumed = true;
      EXPECT_EQ(changes.resume.size(), 2u);
      EXPECT_EQ(pipeline->waiting(), 0u);
      EXPECT_LE(pipeline->in_flight_records(), 5u);
    } else {
      EXPECT_TRUE(pipeline->waiting() > 0 || pipeline->in_flight_records() > 5);
    }
  }
  EXPECT_TRUE(resumed);
  EXPECT_FALSE(pipeline->backpressure_paused());
  // Resumed, everything goes through in order.
  for (int round = 0; round < 20 && pipeline->waiting() + pipeline->in_flight_records() > 0;
       ++round) {
    ASSERT_TRUE(pump().ok());
    deliver_all();
  }
  EXPECT_EQ(sink.sent.size(), 30u);
  EXPECT_EQ(committed("orders", 0), 30);
}

TEST_F(PipelineTest, APausedFlowFetchesAndSendsNothingAndResumesWhereItWas) {
  start({{"orders", 2}});
  take("orders", 0, 0, 3);
  ASSERT_TRUE(pump().ok());
  pipeline->set_paused(true);
  take("orders", 0, 3, 5);
  auto paused = pipeline->take_fetch_changes(now);
  EXPECT_EQ(paused.pause.size(), 2u) << "every assigned partition";
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.sent.size(), 3u) << "what was sent before the pause only";
  EXPECT_EQ(pipeline->room(), 1000u) << "paused: polling serves the consumer's callbacks";
  deliver_all();
  EXPECT_EQ(committed("orders", 0), 3) << "what was in flight is committed";
  // A record that arrives although paused (the pause raced the fetch start) waits, and its
  // partition is told to pause again.
  take("orders", 1, 0, 1);
  auto again = pipeline->take_fetch_changes(now);
  ASSERT_EQ(again.pause.size(), 1u);
  EXPECT_EQ(again.pause[0].partition, 1);
  pipeline->assign({{"orders", 2}}, now);  // a partition assigned while paused
  pipeline->set_routing(routing_of({{"orders", 3}}));
  auto later = pipeline->take_fetch_changes(now);
  EXPECT_EQ(later.pause.size(), 1u) << "a partition assigned while paused is paused";
  EXPECT_TRUE(later.resume.empty());
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.sent.size(), 3u);
  EXPECT_EQ(pipeline->waiting(), 3u);
  pipeline->set_paused(false);
  auto resumed = pipeline->take_fetch_changes(now);
  EXPECT_EQ(resumed.resume.size(), 3u);
  ASSERT_TRUE(pump().ok());
  deliver_all();
  EXPECT_EQ(committed("orders", 0), 5) << "in order, nothing skipped";
  EXPECT_EQ(committed("orders", 1), 1);
}

TEST_F(PipelineTest, AFullSinkHoldsRecordsUntilDeliveriesMakeRoom) {
  start({{"orders", 1}});
  bool full = false;
  sink.answer = [&full](const Lane&, const kafka::Record&) {
    return full ? Outcome::Full : Outcome::Sent;
  };
  take("orders", 0, 0, 3);
  ASSERT_TRUE(pump().ok());
  full = true;
  take("orders", 0, 3, 6);
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.sent.size(), 3u);
  EXPECT_EQ(pipeline->waiting(), 3u);
  EXPECT_EQ(pipeline->room(), 0u);
  deliver_all();
  full = false;
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.sent.size(), 6u);
  deliver_all();
  EXPECT_EQ(committed("orders", 0), 6);
}

TEST_F(PipelineTest, APartitionTheTargetLacksIsHeldAloneUntilTheTargetHasIt) {
  // The source has 2 partitions, the target only 1 so far.
  topics::Routing r = routing_of({{"orders", 2}});
  r.routes["orders"].target_partitions = 1;
  pipeline->set_routing(r);
  pipeline->assign({{"orders", 0}, {"orders", 1}}, now);
  (void)pipeline->take_fetch_changes(now);
  sink.answer = [](const Lane& lane, const kafka::Record& rec) {
    return rec.partition < lane.route.target_partitions ? Outcome::Sent : Outcome::NoPartition;
  };
  take("orders", 1, 0, 3);
  take("orders", 0, 0, 3);
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.sent.size(), 3u) << "orders[0] goes on";
  auto changes = pipeline->take_fetch_changes(now);
  ASSERT_EQ(changes.pause.size(), 1u);
  EXPECT_EQ(changes.pause[0], (kafka::TopicPartition{"orders", 1}));
  EXPECT_TRUE(pipeline->take_refresh_request()) << "the control thread should grow the target";
  EXPECT_FALSE(pipeline->take_refresh_request()) << "asked once";
  EXPECT_EQ(pipeline->room(), 1000u) << "a held partition does not stop the others' fetching";
  take("orders", 1, 3, 5);  // arrived before the pause took effect: held behind the others
  deliver_all();
  EXPECT_EQ(committed("orders", 0), 3);
  EXPECT_EQ(committed("orders", 1), -1);

  // The control thread grew the target topic.
  r.routes["orders"].target_partitions = 2;
  pipeline->set_routing(r);
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.sent.size(), 3u) << "a held partition is retried after a short pause";
  now += 300ms;
  ASSERT_TRUE(pump().ok());
  ASSERT_EQ(sink.sent.size(), 8u);
  for (size_t i = 3; i < 8; ++i) {
    EXPECT_EQ(sink.sent[i].partition, 1);
    EXPECT_EQ(sink.sent[i].offset, static_cast<int64_t>(i - 3)) << "in offset order";
  }
  auto resumed = pipeline->take_fetch_changes(now);
  ASSERT_EQ(resumed.resume.size(), 1u);
  deliver_all();
  EXPECT_EQ(committed("orders", 1), 5);
}

TEST_F(PipelineTest, ATopicNoLongerRoutedIsHeldAndItsSeriesGoWhenItIsGone) {
  start({{"orders", 1}, {"payments", 1}});
  take("orders", 0, 0, 2);
  take("payments", 0, 0, 2);
  ASSERT_TRUE(pump().ok());
  deliver_all();
  std::string text = metrics.render();
  ASSERT_NE(text.find("topic=\"payments\""), std::string::npos);

  // payments is excluded now: its partition stops fetching and keeps what it has.
  pipeline->set_routing(routing_of({{"orders", 1}}));
  take("payments", 0, 2, 4);
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.sent.size(), 4u) << "nothing of payments is sent without a route";
  auto changes = pipeline->take_fetch_changes(now);
  ASSERT_EQ(changes.pause.size(), 1u);
  EXPECT_EQ(changes.pause[0].topic, "payments");
  EXPECT_EQ(committed("payments", 0), 2) << "commits stop at the first record not sent";

  // The consumer's new subscription revokes it; then the topic is gone from the flow entirely.
  pipeline->revoke({{"payments", 0}});
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.released, std::vector<std::string>{"src.payments"});
  text = metrics.render();
  EXPECT_EQ(text.find("topic=\"payments\""), std::string::npos) << text;
  EXPECT_NE(text.find("topic=\"orders\""), std::string::npos);
}

TEST_F(PipelineTest, ARouteThatComesBackSendsWhatWasHeldInOrder) {
  start({{"orders", 1}});
  pipeline->set_routing(routing_of({}));
  take("orders", 0, 0, 3);
  ASSERT_TRUE(pump().ok());
  EXPECT_TRUE(sink.sent.empty());
  pipeline->set_routing(routing_of({{"orders", 1}}));
  ASSERT_TRUE(pump().ok());
  ASSERT_EQ(sink.sent.size(), 3u);
  EXPECT_EQ(sink.sent[2].offset, 2);
  deliver_all();
  EXPECT_EQ(committed("orders", 0), 3);
}

TEST_F(PipelineTest, ARetiredRouteStaysUntilItsDeliveriesAreIn) {
  start({{"orders", 1}});
  take("orders", 0, 0, 3);
  ASSERT_TRUE(pump().ok());
  pipeline->set_routing(routing_of({}));
  pipeline->revoke({{"orders", 0}});
  ASSERT_TRUE(pump().ok());
  EXPECT_TRUE(sink.released.empty()) << "three deliveries still name the lane";
  deliver_all();
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.released, std::vector<std::string>{"src.orders"});
  EXPECT_EQ(metrics.render().find("topic=\"orders\""), std::string::npos);
}

TEST_F(PipelineTest, ARefusedRecordEndsTheSessionWithoutBeingCounted) {
  start({{"orders", 1}});
  sink.answer = [](const Lane&, const kafka::Record& r) {
    return r.offset == 2 ? Outcome::Refused : Outcome::Sent;
  };
  take("orders", 0, 0, 5);
  auto st = pump();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("produce to src.orders[0]"), std::string::npos);
  EXPECT_EQ(sink.sent.size(), 2u);
  deliver_all();
  EXPECT_EQ(committed("orders", 0), 2);
  EXPECT_EQ(probe.errors(metrics::ErrorKind::Produce), 1u);
}

TEST_F(PipelineTest, AFailedCommitIsCommittedAgain) {
  start({{"orders", 1}});
  take("orders", 0, 0, 3);
  ASSERT_TRUE(pump().ok());
  deliver_all();
  auto first = pipeline->take_committable();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(pipeline->take_committable().empty()) << "committed already";
  pipeline->commit_failed(first);
  auto again = pipeline->take_committable();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].offset, 3);
}

TEST_F(PipelineTest, CountsWhatACrashWouldSendAgainUntilEveryPartitionIsTaken) {
  start({{"orders", 2}});
  take("orders", 0, 0, 3);
  take("orders", 1, 0, 2);
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(pipeline->acknowledged_since_commit(), 0u) << "sent, not acknowledged";
  deliver_all();
  EXPECT_EQ(pipeline->acknowledged_since_commit(), 5u);
  const std::vector<kafka::TopicPartition> one{{"orders", 0}};
  (void)pipeline->take_committable(&one, Pipeline::Scope::All);  // a hand-over of one partition
  EXPECT_EQ(pipeline->acknowledged_since_commit(), 5u) << "the other partition is not committed";
  (void)pipeline->take_committable();
  EXPECT_EQ(pipeline->acknowledged_since_commit(), 0u);
}

TEST_F(PipelineTest, PartitionSeriesExistWhileAssigned) {
  start({{"orders", 2}});
  pipeline->set_placement("orders", 1, {2, 1, 7});
  std::string text = metrics.render();
  EXPECT_NE(
      text.find("mirror_partition_lag_records{flow=\"f\",partition=\"1\",topic=\"orders\"} 7"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          "mirror_partition_fetch_from_follower{flow=\"f\",partition=\"1\",topic=\"orders\"} 1"),
      std::string::npos);
  pipeline->revoke({{"orders", 1}});
  text = metrics.render();
  EXPECT_EQ(text.find("partition=\"1\""), std::string::npos) << text;
  EXPECT_NE(text.find("partition=\"0\""), std::string::npos);
}

TEST_F(PipelineTest, RecordsTheProducerQueuedForAnUnknownPartitionAreFetchedAgain) {
  // A new target topic handle queues records before the producer knows the topic; when it learns
  // the partition is missing, their deliveries fail with "unknown partition".
  start({{"orders", 2}});
  take("orders", 1, 10, 13);
  take("orders", 0, 0, 2);
  ASSERT_TRUE(pump().ok());
  ASSERT_EQ(sink.outstanding.size(), 5u);
  auto unknown = [](FakeSink::Sent sent) {
    auto d = FakeSink::delivery(sent, false);
    d.error = -190;  // RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION
    return d;
  };
  for (int i = 0; i < 3; ++i) {
    auto sent = sink.outstanding.front();
    sink.outstanding.pop_front();
    EXPECT_TRUE(pipeline->delivered(unknown(sent)).ok()) << "not a reason to end the session";
  }
  deliver_all();  // orders[0] goes on
  ASSERT_TRUE(pump().ok());
  auto changes = pipeline->take_fetch_changes(now);
  ASSERT_EQ(changes.pause.size(), 1u);
  EXPECT_EQ(changes.pause[0], (kafka::TopicPartition{"orders", 1}));
  ASSERT_EQ(changes.seek.size(), 1u);
  EXPECT_EQ(changes.seek[0], (kafka::Offset{"orders", 1, 10})) << "back to the first failed record";
  EXPECT_EQ(committed("orders", 1), -1);
  EXPECT_EQ(committed("orders", 0), 2);
  // The target has the partition (the producer knows it now): after a short pause, fetch again.
  now += 300ms;
  ASSERT_TRUE(pump().ok());
  changes = pipeline->take_fetch_changes(now);
  ASSERT_EQ(changes.resume.size(), 1u);
  // The seek was not carried out (nothing comes back from offset 10): told again after 5 s.
  now += 4s;
  ASSERT_TRUE(pump().ok());
  EXPECT_TRUE(pipeline->take_fetch_changes(now).seek.empty());
  now += 2s;
  ASSERT_TRUE(pump().ok());
  changes = pipeline->take_fetch_changes(now);
  ASSERT_EQ(changes.seek.size(), 1u);
  EXPECT_EQ(changes.seek[0], (kafka::Offset{"orders", 1, 10}));
  EXPECT_EQ(probe.errors(metrics::ErrorKind::StuckFetch), 1u);
  take("orders", 1, 10, 13);
  ASSERT_TRUE(pump().ok());
  deliver_all();
  EXPECT_EQ(committed("orders", 1), 13);
  now += 10s;
  ASSERT_TRUE(pump().ok());
  EXPECT_TRUE(pipeline->take_fetch_changes(now).seek.empty()) << "fetched again: no more seeks";
}

// ---- unreplicable records (unreplicable_records) ---------------------------------------------

constexpr int kTooLarge = 10;  // RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE

struct UnreplicableTest : PipelineTest {
  void start_with(config::UnreplicableRecords policy,
                  std::vector<std::pair<std::string, int32_t>> topics,
                  const std::string& dead_letter_topic = "src.mirror.dead-letter") {
    pipeline->set_unreplicable(policy);
    auto r = routing_of(topics);
    r.dead_letter_topic = dead_letter_topic;
    pipeline->set_routing(r);
    start(topics);
  }
  // The sink refuses orders[0] at these offsets as too large; everything else goes.
  void refuse(std::set<int64_t> offsets) {
    sink.refused_code = kTooLarge;
    sink.answer = [offsets](const Lane&, const kafka::Record& r) {
      return r.partition == 0 && offsets.count(r.offset) != 0 ? Outcome::Refused : Outcome::Sent;
    };
  }
  static kafka::Delivery refused(const FakeSink::Sent& sent) {
    auto d = FakeSink::delivery(sent, false);
    d.error = kTooLarge;
    d.reason = "Broker: Message size too large";
    return d;
  }
};

TEST_F(UnreplicableTest, FailStallsThePartitionAtTheRecordAndTheOtherPartitionsGoOn) {
  start_with(config::UnreplicableRecords::Fail, {{"orders", 2}});
  refuse({2});
  take("orders", 0, 0, 5);
  take("orders", 1, 0, 5);
  ASSERT_TRUE(pump().ok()) << "a refused record does not end the session";
  deliver_all();
  auto stalls = pipeline->stalls();
  ASSERT_EQ(stalls.size(), 1u);
  EXPECT_EQ(stalls[0].topic, "orders");
  EXPECT_EQ(stalls[0].partition, 0);
  EXPECT_EQ(stalls[0].offset, 2);
  EXPECT_NE(stalls[0].reason.find("src.orders[0]"), std::string::npos) << stalls[0].reason;
  EXPECT_EQ(committed("orders", 0), 2) << "never past the refused record";
  EXPECT_EQ(committed("orders", 1), 5);
  auto changes = pipeline->take_fetch_changes(now);
  ASSERT_EQ(changes.pause.size(), 1u);
  EXPECT_EQ(changes.pause[0], (kafka::TopicPartition{"orders", 0}));
  // Records fetched after the stall are dropped; the other partition goes on.
  take("orders", 0, 5, 8);
  take("orders", 1, 5, 8);
  now += 1s;
  ASSERT_TRUE(pump().ok());
  deliver_all();
  EXPECT_EQ(committed("orders", 0), 2);
  EXPECT_EQ(committed("orders", 1), 8);
  EXPECT_EQ(pipeline->waiting(), 0u);
  EXPECT_EQ(probe.errors(metrics::ErrorKind::Unreplicable), 1u) << "counted once";
  EXPECT_EQ(probe.errors(metrics::ErrorKind::Produce), 0u);
}

TEST_F(UnreplicableTest, SkipCountsTheRecordAndCommitsPastIt) {
  start_with(config::UnreplicableRecords::Skip, {{"orders", 1}});
  refuse({2, 3});
  take("orders", 0, 0, 6);
  ASSERT_TRUE(pump().ok());
  std::vector<int64_t> sent;
  for (const auto& s : sink.sent) sent.push_back(s.offset);
  EXPECT_EQ(sent, (std::vector<int64_t>{0, 1, 4, 5}));
  deliver_all();
  EXPECT_EQ(committed("orders", 0), 6);
  EXPECT_EQ(probe.skipped_count("orders", "too_large"), 2u);
  EXPECT_TRUE(pipeline->stalls().empty());
  EXPECT_NE(metrics.render().find(
                "mirror_records_skipped_total{flow=\"f\",reason=\"too_large\",topic=\"orders\"} 2"),
            std::string::npos)
      << metrics.render();
}

TEST_F(UnreplicableTest, DeadLetterCountsAsDoneOnceAcknowledged) {
  start_with(config::UnreplicableRecords::DeadLetter, {{"orders", 1}});
  refuse({2});
  take("orders", 0, 0, 5);
  ASSERT_TRUE(pump().ok());
  ASSERT_TRUE(pump().ok());  // the dead letter goes out on the next turn
  ASSERT_EQ(sink.letters.size(), 1u);
  EXPECT_EQ(sink.letters[0].offset, 2);
  EXPECT_TRUE(sink.letters[0].with_value);
  EXPECT_NE(sink.letters[0].error.find("src.orders[0]"), std::string::npos);
  EXPECT_EQ(sink.letter_lane->route.target_topic, "src.mirror.dead-letter");
  deliver_all();  // 0, 1, 3, 4
  EXPECT_EQ(sink.sent.size(), 4u);
  EXPECT_EQ(committed("orders", 0), 2) << "not past the record before its dead letter is in";
  EXPECT_EQ(pipeline->in_flight_records(), 1u);
  ASSERT_TRUE(pipeline->delivered(sink.deliver_letter()).ok());
  EXPECT_EQ(committed("orders", 0), 5);
  EXPECT_EQ(pipeline->in_flight_records(), 0u);
  EXPECT_NE(metrics.render().find("mirror_records_dead_lettered_total{flow=\"f\",reason=\"too_"
                                  "large\",topic=\"orders\"} 1"),
            std::string::npos);
}

TEST_F(UnreplicableTest, ADeadLetterTooLargeForItsTopicGoesWithoutItsValue) {
  start_with(config::UnreplicableRecords::DeadLetter, {{"orders", 1}});
  refuse({1});
  sink.letter_answer = [](const Sink::DeadLetter& l) {
    return l.with_value ? Outcome::Refused : Outcome::Sent;
  };
  take("orders", 0, 0, 3);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pump().ok());
  ASSERT_EQ(sink.letters.size(), 1u);
  EXPECT_FALSE(sink.letters[0].with_value);
  // Refused by the target on delivery rather than by the producer: the same.
  sink.letter_answer = nullptr;
  ASSERT_TRUE(pipeline->delivered(sink.deliver_letter()).ok());
  deliver_all();
  EXPECT_EQ(committed("orders", 0), 3);
}

TEST_F(UnreplicableTest, ARefusedBatchWhileADeadLetterIsResentWaitsForItThenIsFetchedAgain) {
  // Seen on real Kafka: record 1's dead letter went with its value; records 2..4 went after it in
  // a batch; 4 came back refused with its batch (a rewind due), then the dead-letter topic refused
  // the letter's value. The letter must go again (metadata only) and the rewind follow it.
  start_with(config::UnreplicableRecords::DeadLetter, {{"orders", 1}});
  refuse({1});
  take("orders", 0, 0, 5);
  ASSERT_TRUE(pump().ok());  // 0 sent, 1 refused by the producer
  ASSERT_TRUE(pump().ok());  // 1's dead letter with its value; 2..4 sent
  ASSERT_EQ(sink.letters.size(), 1u);
  EXPECT_TRUE(sink.letters[0].with_value);
  ASSERT_EQ(sink.outstanding.size(), 4u);
  ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());  // 0
  ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());  // 2
  ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());  // 3
  auto four = sink.outstanding.front();
  sink.outstanding.pop_front();
  ASSERT_TRUE(pipeline->delivered(refused(four)).ok());  // with its batch: fetched again
  // The dead-letter topic refuses the value.
  ASSERT_TRUE(pipeline->delivered(sink.deliver_letter(false, kTooLarge)).ok());
  ASSERT_TRUE(pump().ok());
  ASSERT_EQ(sink.letters.size(), 2u) << "the letter went again";
  EXPECT_FALSE(sink.letters[1].with_value);
  EXPECT_TRUE(pipeline->take_fetch_changes(now).seek.empty()) << "the rewind waits for it";
  ASSERT_TRUE(pipeline->delivered(sink.deliver_letter()).ok());
  ASSERT_TRUE(pump().ok());
  auto changes = pipeline->take_fetch_changes(now);
  ASSERT_EQ(changes.seek.size(), 1u);
  EXPECT_EQ(changes.seek[0], (kafka::Offset{"orders", 0, 4}));
  EXPECT_EQ(committed("orders", 0), 4);
  now += 300ms;
  ASSERT_TRUE(pump().ok());
  take("orders", 0, 4, 5);
  ASSERT_TRUE(pump().ok());
  ASSERT_EQ(sink.outstanding.size(), 1u);
  ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());  // 4 fits alone
  EXPECT_EQ(committed("orders", 0), 5);
}

TEST_F(UnreplicableTest, ADeadLetterThatCannotBeWrittenStallsThePartition) {
  start_with(config::UnreplicableRecords::DeadLetter, {{"orders", 2}});
  refuse({1});
  take("orders", 0, 0, 4);
  take("orders", 1, 0, 4);
  ASSERT_TRUE(pump().ok());
  ASSERT_TRUE(pump().ok());
  ASSERT_EQ(sink.letters.size(), 1u);
  ASSERT_TRUE(pipeline->delivered(sink.deliver_letter(false)).ok()) << "timed out";
  deliver_all();
  auto stalls = pipeline->stalls();
  ASSERT_EQ(stalls.size(), 1u);
  EXPECT_EQ(stalls[0].offset, 1);
  EXPECT_NE(stalls[0].reason.find("dead letter to src.mirror.dead-letter failed"),
            std::string::npos)
      << stalls[0].reason;
  EXPECT_EQ(committed("orders", 0), 1);
  EXPECT_EQ(committed("orders", 1), 4);
}

TEST_F(UnreplicableTest, WithoutADeadLetterTopicTheRecordStallsItsPartition) {
  start_with(config::UnreplicableRecords::DeadLetter, {{"orders", 1}}, "");
  refuse({0});
  take("orders", 0, 0, 2);
  ASSERT_TRUE(pump().ok());
  ASSERT_TRUE(pump().ok());
  auto stalls = pipeline->stalls();
  ASSERT_EQ(stalls.size(), 1u);
  EXPECT_NE(stalls[0].reason.find("no dead-letter topic"), std::string::npos);
  EXPECT_EQ(committed("orders", 0), -1);
}

TEST_F(UnreplicableTest, ARefusedBatchIsSentAgainOneRecordAtATimeBeforeTheRecordIsUnreplicable) {
  // The target refused records 2 and 3 with their batch (a batch of small records above the
  // topic's limit, or one of them too large): they are read again and go alone.
  start_with(config::UnreplicableRecords::Skip, {{"orders", 1}});
  take("orders", 0, 0, 6);
  ASSERT_TRUE(pump().ok());
  ASSERT_EQ(sink.outstanding.size(), 6u);
  ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());  // 0
  ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());  // 1
  for (int i = 0; i < 2; ++i) {                                 // 2, 3
    auto s = sink.outstanding.front();
    sink.outstanding.pop_front();
    ASSERT_TRUE(pipeline->delivered(refused(s)).ok()) << "not unreplicable yet";
  }
  deliver_all();  // 4, 5 acknowledged
  EXPECT_EQ(probe.skipped_count("orders", "too_large"), 0u);
  ASSERT_TRUE(pump().ok());
  auto changes = pipeline->take_fetch_changes(now);
  ASSERT_EQ(changes.seek.size(), 1u);
  EXPECT_EQ(changes.seek[0], (kafka::Offset{"orders", 0, 2}));
  EXPECT_EQ(committed("orders", 0), 2);
  now += 300ms;
  ASSERT_TRUE(pump().ok());  // released: fetch again
  take("orders", 0, 2, 6);
  sink.sent.clear();
  ASSERT_TRUE(pump().ok());
  ASSERT_EQ(sink.outstanding.size(), 1u) << "record 2 alone";
  EXPECT_EQ(sink.outstanding.front().offset, 2);
  ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());  // 2 fits alone
  ASSERT_TRUE(pump().ok());
  ASSERT_EQ(sink.outstanding.size(), 1u) << "record 3 alone";
  EXPECT_EQ(sink.outstanding.front().offset, 3);
  auto three = sink.outstanding.front();
  sink.outstanding.pop_front();
  ASSERT_TRUE(pipeline->delivered(refused(three)).ok());  // refused alone: unreplicable
  EXPECT_EQ(probe.skipped_count("orders", "too_large"), 1u);
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(sink.outstanding.size(), 2u) << "past the last refused record: together again";
  deliver_all();
  EXPECT_EQ(committed("orders", 0), 6);
}

TEST_F(UnreplicableTest, ARecordRefusedAloneUnderFailStallsAtItsOffset) {
  start_with(config::UnreplicableRecords::Fail, {{"orders", 1}});
  take("orders", 0, 0, 3);
  ASSERT_TRUE(pump().ok());
  ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());  // 0
  auto one = sink.outstanding.front();
  sink.outstanding.pop_front();
  ASSERT_TRUE(pipeline->delivered(refused(one)).ok());
  deliver_all();  // 2
  ASSERT_TRUE(pump().ok());
  (void)pipeline->take_fetch_changes(now);
  now += 300ms;
  ASSERT_TRUE(pump().ok());
  take("orders", 0, 1, 3);
  ASSERT_TRUE(pump().ok());
  ASSERT_EQ(sink.outstanding.size(), 1u);
  one = sink.outstanding.front();
  sink.outstanding.pop_front();
  ASSERT_TRUE(pipeline->delivered(refused(one)).ok());
  auto stalls = pipeline->stalls();
  ASSERT_EQ(stalls.size(), 1u);
  EXPECT_EQ(stalls[0].offset, 1);
  EXPECT_NE(stalls[0].reason.find("Message size too large"), std::string::npos);
  EXPECT_EQ(committed("orders", 0), 1);
  EXPECT_EQ(pipeline->in_flight_records(), 0u);
}

TEST_F(UnreplicableTest, AnErrorThatIsNoRefusalStillEndsTheSession) {
  start_with(config::UnreplicableRecords::Skip, {{"orders", 1}});
  take("orders", 0, 0, 2);
  ASSERT_TRUE(pump().ok());
  EXPECT_FALSE(pipeline->delivered(sink.deliver_front(false)).ok()) << "a timeout is retried";
  EXPECT_EQ(probe.skipped_count("orders", "too_large"), 0u);
}

TEST_F(PipelineTest, RecordsThatLoopAreDoneWithoutBeingSentAndCounted) {
  start({{"orders", 1}});
  sink.answer = [](const Lane&, const kafka::Record& r) {
    return r.offset == 2 || r.offset == 3 || r.offset == 5 ? Outcome::Loop : Outcome::Sent;
  };
  take("orders", 0, 0, 6);
  ASSERT_TRUE(pump().ok());
  std::vector<int64_t> sent;
  for (const auto& s : sink.sent) sent.push_back(s.offset);
  EXPECT_EQ(sent, (std::vector<int64_t>{0, 1, 4}));
  EXPECT_EQ(pipeline->in_flight_records(), 3u);
  EXPECT_EQ(committed("orders", 0), -1) << "a loop does not pass what is in flight before it";
  ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());
  ASSERT_TRUE(pipeline->delivered(sink.deliver_front()).ok());
  EXPECT_EQ(committed("orders", 0), 4) << "0 and 1 acknowledged, 2 and 3 loops";
  deliver_all();
  EXPECT_EQ(committed("orders", 0), 6);
  EXPECT_EQ(probe.skipped_count("orders", "loop"), 3u);
  EXPECT_NE(metrics.render().find(
                "mirror_records_skipped_total{flow=\"f\",reason=\"loop\",topic=\"orders\"} 3"),
            std::string::npos);
}

TEST_F(PipelineTest, BytesASinkAddsAreCountedInFlightAndReturnWithTheDelivery) {
  start({{"orders", 1}});
  sink.added_bytes = 41;  // a provenance header
  take("orders", 0, 0, 3, 100);
  ASSERT_TRUE(pump().ok());
  EXPECT_EQ(pipeline->in_flight_bytes(), 3u * 141);
  deliver_all();
  EXPECT_EQ(pipeline->in_flight_bytes(), 0u);
  EXPECT_EQ(committed("orders", 0), 3);
}

TEST_F(PipelineTest, AHandOverCommitsWhatAnUnansweredPeriodicCommitTookAlready) {
  start({{"orders", 2}});
  take("orders", 0, 0, 5);
  take("orders", 1, 0, 3);
  ASSERT_TRUE(pump().ok());
  deliver_all();
  const auto periodic = pipeline->take_committable();  // sent asynchronously, no answer yet
  ASSERT_EQ(periodic.size(), 2u);
  EXPECT_TRUE(pipeline->take_committable().empty()) << "nothing new for the next period";
  const std::vector<kafka::TopicPartition> revoked{{"orders", 0}};
  const auto hand_over = pipeline->take_committable(&revoked, Pipeline::Scope::All);
  ASSERT_EQ(hand_over.size(), 1u) << "a cooperative hand-over saw the periodic commit fail later";
  EXPECT_EQ(hand_over[0], (kafka::Offset{"orders", 0, 5}));
  EXPECT_EQ(pipeline->take_committable(nullptr, Pipeline::Scope::All).size(), 2u) << "a stop";
}

}  // namespace
}  // namespace mirror::flow
