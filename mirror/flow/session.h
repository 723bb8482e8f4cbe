// One connected attempt of a flow's record path, on the flow's record thread: it wires the source
// consumer to the pipeline, the pipeline to the target producer, and acknowledgements back to
// source commits. The path of one record:
//
//   consumer.poll -> pipeline.take -> pipeline.pump -> producer.send
//     ... producer.poll -> on_delivery -> pipeline.delivered -> pipeline.take_committable
//     -> consumer.commit_async
//
// What to replicate comes from the control thread's routing snapshots (control.h); nothing here
// waits on an admin call. librdkafka's callbacks arrive through the typed clients from this
// thread's poll calls.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/flow/context.h"
#include "mirror/flow/control.h"
#include "mirror/flow/exactly_once.h"
#include "mirror/flow/fetch_watch.h"
#include "mirror/flow/pipeline.h"
#include "mirror/flow/status_board.h"
#include "mirror/kafka/consumer.h"
#include "mirror/kafka/producer.h"
#include "mirror/kafka/stats.h"
#include "mirror/metrics/flow_probe.h"
#include "mirror/mm2/offset_syncs.h"

namespace mirror::flow {

class Session final : kafka::ConsumerEvents, kafka::ProducerEvents {
 public:
  // `replicated`: the flow's per-partition counts, kept across sessions. `paused`: set by the
  // flow's operator (any thread); followed at every turn of the record loop.
  Session(const FlowContext& context, metrics::FlowProbe& probe, Control& control,
          StatusBoard& board, mm2::OffsetSyncStore* offset_syncs,
          Pipeline::ReplicatedCounts& replicated, const std::atomic<bool>& paused);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs until `stop` or `restart` is set (then drains, commits and returns ok) or a failure that
  // needs a fresh session (returned; what was acknowledged has been committed). A non-retriable
  // error (a property librdkafka refuses, credentials) says so in Error::retriable.
  Status run(const std::atomic<bool>& stop, const std::atomic<bool>& restart);

 private:
  using Clock = std::chrono::steady_clock;
  class ProducerSink;

  Status connect();
  void step(Clock::time_point now);
  void follow_routing();
  void commit(Clock::time_point now);
  void publish_status(Clock::time_point now);
  void finish(bool graceful);
  void fail(const Error& error);

  // Exactly-once (exactly_once.h): the periodic commit, a commit's end, a failed transaction.
  void transact(Clock::time_point now);
  void committed(const Status& result, Clock::time_point now);
  void transaction_failed(const Error& error);
  // What a commit of `offsets` (source) writes on the target: the positions of their target
  // partitions, written by this session's transactional id.
  Result<kafka::Positions> positions_of(const std::vector<kafka::Offset>& offsets) const;
  // After a transaction with these source offsets committed.
  void after_commit(const std::vector<kafka::Offset>& offsets);
  // No commit running, every record sent acknowledged (false: the session fails).
  bool quiesce(kafka::Deadline deadline);
  void release(const std::vector<kafka::TopicPartition>& partitions);
  void finish_exactly_once(bool graceful);

  std::vector<kafka::Offset> start_offsets(
      const std::vector<kafka::TopicPartition>& partitions) override;
  void on_assigned(const std::vector<kafka::TopicPartition>& partitions) override;
  void on_revoked(const std::vector<kafka::TopicPartition>& partitions, bool lost) override;
  void on_statistics(const kafka::ClientStats& stats) override;
  void on_consumer_error(const kafka::ClientError& error) override;
  void on_producer_error(const kafka::ClientError& error) override;
  void client_error(const kafka::ClientError& error, bool source);
  void on_commit_failed(const std::vector<kafka::Offset>& offsets,
                        const kafka::ClientError& error) override;
  void on_delivery(const kafka::Delivery& delivery) override;

  const FlowContext& ctx_;
  metrics::FlowProbe& probe_;
  Control& control_;
  StatusBoard& board_;
  const std::atomic<bool>& paused_;
  std::shared_ptr<const topics::Routing> routing_;  // the snapshot the pipeline follows
  std::vector<kafka::Record> batch_;
  FetchWatch fetch_watch_;
  kafka::ReceivedBytes received_;  // this session's consumer's, for mirror_fetch_bytes_total
  kafka::PartitionBytes partition_bytes_;  // the same, for mirror_fetch_bytes_saved_total
  std::optional<Error> failure_;           // ends the session
  bool aborting_ = false;  // finishing after a failure: nothing waits for the target
  bool fallback_logged_ = false;
  Clock::time_point next_commit_{};
  Clock::time_point next_status_{};
  // Exactly-once: no record is sent while a commit is due or running; the source offsets of the
  // running commit; the last position written per source partition.
  bool draining_ = false;
  std::vector<kafka::Offset> committing_;
  std::map<kafka::TopicPartition, int64_t> stored_;

  // Destroyed bottom-up: the consumer first (closed by finish(); its revocations use the producer,
  // the transactions and the pipeline), then the transactions (on the producer's handle), then
  // the producer (its deliveries name the pipeline's lanes), then the pipeline (emptied of fetched
  // records by finish(), before the consumer goes).
  Pipeline pipeline_;
  std::unique_ptr<kafka::TargetProducer> producer_;
  std::unique_ptr<ExactlyOnce> eos_;  // exactly_once_delivery_enabled only
  std::unique_ptr<ProducerSink> sink_;
  std::unique_ptr<kafka::SourceConsumer> consumer_;
};

}  // namespace mirror::flow
