// The transactional side of an exactly-once flow's target (flow/exactly_once.h): librdkafka's
// transactional producer API and the target group that holds the flow's source position, behind
// calls with deadlines. Every call blocks (librdkafka's transactional calls cannot be polled), so
// the flow makes them on its transaction thread, never on the record thread.
#pragma once

#include <string>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/kafka/admin.h"
#include "mirror/kafka/client_properties.h"
#include "mirror/kafka/record.h"

namespace mirror::kafka {

// Where the flow stands on one target partition: the next source offset to copy, and who wrote it
// (`metadata`: a transactional id, or empty once its writer handed the partition over).
using Positions = GroupOffsets;  // keyed by target topic and partition

class TransactionalTarget {
 public:
  virtual ~TransactionalTarget() = default;
  // Registers the producer's transactional id with the coordinator: an earlier producer of the
  // same id is fenced and its open transaction aborted. Then opens the first transaction.
  virtual Status init(Deadline deadline) = 0;
  // Adds `positions` to the open transaction, commits it and opens the next one. An error
  // leaves no transaction that can go on: the flow starts a new session.
  virtual Status commit(const Positions& positions, Deadline deadline) = 0;
  // Aborts the open transaction (what it wrote is never visible to read_committed readers).
  virtual Status abort(Deadline deadline) = 0;
  // The positions stored for `partitions` (target topic and partition); partitions without one
  // are left out. An open transaction that wrote one of them fails the call with
  // UNSTABLE_OFFSET_COMMIT (the error's code) until it ends.
  virtual Result<Positions> positions(const std::vector<TopicPartition>& partitions,
                                      Deadline deadline) = 0;
  // Fences `transactional_id`: a producer that holds it can no longer commit, and its open
  // transaction is aborted.
  virtual Status fence(const std::string& transactional_id, Deadline deadline) = 0;
};

// The group on the target that holds an exactly-once flow's positions.
std::string position_group(const config::FlowSpec& flow);

// On librdkafka: `producer` is the flow's transactional producer (not owned; it outlives this);
// `properties` are its properties, from which fence() builds a short-lived producer with the
// other id.
std::unique_ptr<TransactionalTarget> make_transactional_target(rd_kafka_t* producer,
                                                               ClientProperties properties,
                                                               std::string group);

// Whether an error of a transactional call means this producer was fenced (another producer
// registered its transactional id, or the coordinator aborted its transaction for running too
// long).
bool is_fenced(int rd_kafka_err);

}  // namespace mirror::kafka
