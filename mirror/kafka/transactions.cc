#include "mirror/kafka/transactions.h"

#include <librdkafka/rdkafka.h>

#include <cstdlib>
#include <cstring>

#include "mirror/kafka/admin_ops.h"
#include "mirror/kafka/errors.h"
#include "mirror/kafka/handles.h"

namespace mirror::kafka {
namespace {

struct GroupMetadataDeleter {
  void operator()(rd_kafka_consumer_group_metadata_t* p) const {
    rd_kafka_consumer_group_metadata_destroy(p);
  }
};

// A transactional call's error: fenced or otherwise fatal errors end the session (a new one
// registers the id again); the ones no retry cures (no transactions on the target, no right to
// the id) are not retriable.
Error error_of(const char* what, rd_kafka_error_t* raw) {
  ErrorPtr error(raw);
  const int code = rd_kafka_error_code(error.get());
  std::string message = std::string(what) + ": " + rd_kafka_error_string(error.get());
  if (code == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE ||
      code == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION || code == RD_KAFKA_RESP_ERR__NOT_CONFIGURED) {
    return make_error(message + " (the target cluster does not support transactions)", code, false);
  }
  return make_error(std::move(message), code, is_retriable(code));
}

class KafkaTransactions final : public TransactionalTarget {
 public:
  KafkaTransactions(rd_kafka_t* producer, ClientProperties properties, std::string group)
      : rk_(producer), properties_(std::move(properties)), group_(std::move(group)) {}

  Status init(Deadline deadline) override {
    if (auto* e = rd_kafka_init_transactions(rk_, std::max(1, remaining_ms(deadline)))) {
      return error_of("initializing transactions", e);
    }
    if (auto* e = rd_kafka_begin_transaction(rk_)) return error_of("beginning a transaction", e);
    return {};
  }

  Status commit(const Positions& positions, Deadline deadline) override {
    if (!positions.empty()) {
      PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(positions.size())));
      for (const auto& [key, position] : positions) {
        auto* tp = rd_kafka_topic_partition_list_add(list.get(), key.first.c_str(), key.second);
        tp->offset = position.offset;
        if (!position.metadata.empty()) {
          // Freed by the list (librdkafka frees a partition's metadata with free()).
          tp->metadata = std::malloc(position.metadata.size());
          std::memcpy(tp->metadata, position.metadata.data(), position.metadata.size());
          tp->metadata_size = position.metadata.size();
        }
      }
      std::unique_ptr<rd_kafka_consumer_group_metadata_t, GroupMetadataDeleter> group(
          rd_kafka_consumer_group_metadata_new(group_.c_str()));
      if (auto* e = rd_kafka_send_offsets_to_transaction(rk_, list.get(), group.get(),
                                                         std::max(1, remaining_ms(deadline)))) {
        return error_of("adding the flow's position to the transaction", e);
      }
    }
    if (auto* e = rd_kafka_commit_transaction(rk_, std::max(1, remaining_ms(deadline)))) {
      return error_of("committing a transaction", e);
    }
    if (auto* e = rd_kafka_begin_transaction(rk_)) return error_of("beginning a transaction", e);
    return {};
  }

  Status abort(Deadline deadline) override {
    if (auto* e = rd_kafka_abort_transaction(rk_, std::max(1, remaining_ms(deadline)))) {
      return error_of("aborting a transaction", e);
    }
    return {};
  }

  Result<Positions> positions(const std::vector<TopicPartition>& partitions,
                              Deadline deadline) override {
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
    for (const auto& tp : partitions) {
      rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
    }
    return list_group_offsets(rk_, group_, list.get(), deadline, true);
  }

  Status fence(const std::string& transactional_id, Deadline deadline) override {
    ClientProperties other = properties_;
    other.values["transactional.id"] = transactional_id;
    other.values["client.id"] = other.values["client.id"] + "-fence";
    auto handle = other.create(ClientType::Producer, nullptr, {});
    if (!handle.ok()) return handle.error();
    if (auto* e = rd_kafka_init_transactions(handle->get(), std::max(1, remaining_ms(deadline)))) {
      return error_of(("fencing transactional id '" + transactional_id + "'").c_str(), e);
    }
    return {};
  }

 private:
  rd_kafka_t* rk_;
  ClientProperties properties_;
  std::string group_;
};

}  // namespace

std::string position_group(const config::FlowSpec& flow) {
  return group_id(flow) + "-exactly-once";
}

std::unique_ptr<TransactionalTarget> make_transactional_target(rd_kafka_t* producer,
                                                               ClientProperties properties,
                                                               std::string group) {
  return std::make_unique<KafkaTransactions>(producer, std::move(properties), std::move(group));
}

bool is_fenced(int rd_kafka_err) {
  switch (static_cast<rd_kafka_resp_err_t>(rd_kafka_err)) {
    case RD_KAFKA_RESP_ERR__FENCED:
    case RD_KAFKA_RESP_ERR_PRODUCER_FENCED:
    case RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH:
    case RD_KAFKA_RESP_ERR_INVALID_PRODUCER_ID_MAPPING:
      return true;
    default:
      return false;
  }
}

}  // namespace mirror::kafka
