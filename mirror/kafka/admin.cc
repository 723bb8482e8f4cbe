#include "mirror/kafka/admin.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string_view>

#include "mirror/kafka/handles.h"

namespace mirror::kafka {
namespace {

struct AdminOptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* p) const { rd_kafka_AdminOptions_destroy(p); }
};
using AdminOptionsPtr = std::unique_ptr<rd_kafka_AdminOptions_t, AdminOptionsDeleter>;

AdminOptionsPtr admin_options(rd_kafka_t* rk, rd_kafka_admin_op_t op, Deadline deadline) {
  AdminOptionsPtr options(rd_kafka_AdminOptions_new(rk, op));
  char errstr[256];
  const int ms = std::max(1, remaining_ms(deadline));
  rd_kafka_AdminOptions_set_request_timeout(options.get(), ms, errstr, sizeof errstr);
  if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_CREATEPARTITIONS) {
    rd_kafka_AdminOptions_set_operation_timeout(options.get(), ms, errstr, sizeof errstr);
  }
  return options;
}

// Waits for the result event of an admin call on `queue`.
Result<EventPtr> wait_event(rd_kafka_queue_t* queue, rd_kafka_event_type_t type, Deadline deadline,
                            const char* what) {
  while (true) {
    EventPtr ev(rd_kafka_queue_poll(queue, std::max(1, remaining_ms(deadline))));
    if (!ev) {
      if (remaining_ms(deadline) == 0) return make_error(std::string(what) + ": timed out");
      continue;
    }
    if (rd_kafka_event_type(ev.get()) != type) continue;
    if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return make_error(std::string(what) + ": " + rd_kafka_event_error_string(ev.get()),
                        rd_kafka_event_error(ev.get()));
    }
    return ev;
  }
}

}  // namespace

std::string err_name(rd_kafka_resp_err_t err) { return rd_kafka_err2name(err); }

std::string ClusterInfo::rack_of(int32_t broker) const {
  auto it = brokers.find(broker);
  return it == brokers.end() ? std::string() : it->second.rack;
}

Result<ClusterInfo> read_metadata(rd_kafka_t* rk, Deadline deadline) {
  ClusterInfo info;
  const rd_kafka_metadata_t* raw = nullptr;
  // All topics: asking for named topics needs topic handles, which may auto-create them.
  const auto err = rd_kafka_metadata(rk, 1, nullptr, &raw, std::max(1, remaining_ms(deadline)));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error("metadata: " + std::string(rd_kafka_err2str(err)), err);
  }
  MetadataPtr md(raw);
  for (int i = 0; i < md->broker_cnt; ++i) {
    const auto& b = md->brokers[i];
    info.brokers[b.id] = BrokerInfo{b.id, b.host ? b.host : "", b.port, {}};
  }
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR || t.topic == nullptr) continue;
    TopicInfo topic{t.topic, {}};
    topic.partitions.reserve(static_cast<size_t>(t.partition_cnt));
    for (int p = 0; p < t.partition_cnt; ++p) {
      const auto& mp = t.partitions[p];
      PartitionInfo part{mp.id, mp.leader, {}, {}};
      part.replicas.assign(mp.replicas, mp.replicas + mp.replica_cnt);
      part.isr.assign(mp.isrs, mp.isrs + mp.isr_cnt);
      topic.partitions.push_back(std::move(part));
    }
    std::sort(topic.partitions.begin(), topic.partitions.end(),
              [](const PartitionInfo& a, const PartitionInfo& b) { return a.id < b.id; });
    info.topics.emplace(topic.name, std::move(topic));
  }
  return info;
}

namespace {

class KafkaAdmin final : public ClusterAdmin {
 public:
  explicit KafkaAdmin(rd_kafka_t* rk) : rk_(rk) {}

  Result<std::map<int32_t, std::string>> broker_racks(Deadline deadline) override {
    QueuePtr queue(rd_kafka_queue_new(rk_));
    auto options = admin_options(rk_, RD_KAFKA_ADMIN_OP_DESCRIBECLUSTER, deadline);
    rd_kafka_DescribeCluster(rk_, options.get(), queue.get());
    auto ev = wait_event(queue.get(), RD_KAFKA_EVENT_DESCRIBECLUSTER_RESULT, deadline, "describe cluster");
    if (!ev.ok()) return ev.error();
    size_t count = 0;
    const rd_kafka_Node_t** nodes =
        rd_kafka_DescribeCluster_result_nodes(rd_kafka_event_DescribeCluster_result(ev->get()), &count);
    std::map<int32_t, std::string> racks;
    for (size_t i = 0; i < count; ++i) {
      const char* rack = rd_kafka_Node_rack(nodes[i]);
      racks[rd_kafka_Node_id(nodes[i])] = rack != nullptr ? rack : "";
    }
    return racks;
  }

  Result<std::map<std::string, Error>> create_topics(const std::vector<NewTopic>& topics,
                                                     Deadline deadline) override {
    std::map<std::string, Error> failures;
    std::vector<rd_kafka_NewTopic_t*> raw;
    char errstr[512];
    for (const auto& t : topics) {
      rd_kafka_NewTopic_t* nt =
          rd_kafka_NewTopic_new(t.name.c_str(), t.partitions, t.replication_factor, errstr, sizeof errstr);
      if (nt == nullptr) {
        failures[t.name] = make_error(errstr, 0, false);
        continue;
      }
      for (const auto& [k, v] : t.configs) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
      raw.push_back(nt);
    }
    if (raw.empty()) return failures;
    QueuePtr queue(rd_kafka_queue_new(rk_));
    auto options = admin_options(rk_, RD_KAFKA_ADMIN_OP_CREATETOPICS, deadline);
    rd_kafka_CreateTopics(rk_, raw.data(), raw.size(), options.get(), queue.get());
    for (auto* t : raw) rd_kafka_NewTopic_destroy(t);
    auto ev = wait_event(queue.get(), RD_KAFKA_EVENT_CREATETOPICS_RESULT, deadline, "create topics");
    if (!ev.ok()) return ev.error();
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev->get()), &count);
    for (size_t i = 0; i < count; ++i) {
      const auto err = rd_kafka_topic_result_error(results[i]);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) continue;
      const char* msg = rd_kafka_topic_result_error_string(results[i]);
      failures[rd_kafka_topic_result_name(results[i])] =
          make_error(msg != nullptr ? msg : rd_kafka_err2str(err), err);
    }
    return failures;
  }

  Status create_partitions(const std::string& topic, int total, Deadline deadline) override {
    char errstr[512];
    rd_kafka_NewPartitions_t* np = rd_kafka_NewPartitions_new(topic.c_str(), static_cast<size_t>(total), errstr, sizeof errstr);
    if (np == nullptr) return make_error(errstr, 0, false);
    QueuePtr queue(rd_kafka_queue_new(rk_));
    auto options = admin_options(rk_, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, deadline);
    rd_kafka_CreatePartitions(rk_, &np, 1, options.get(), queue.get());
    rd_kafka_NewPartitions_destroy(np);
    auto ev = wait_event(queue.get(), RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT, deadline, "create partitions");
    if (!ev.ok()) return ev.error();
    size_t count = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreatePartitions_result_topics(
        rd_kafka_event_CreatePartitions_result(ev->get()), &count);
    for (size_t i = 0; i < count; ++i) {
      const auto err = rd_kafka_topic_result_error(results[i]);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_INVALID_PARTITIONS) {
        const char* msg = rd_kafka_topic_result_error_string(results[i]);
        return make_error(msg != nullptr ? msg : rd_kafka_err2str(err), err);
      }
    }
    return {};
  }

  // Implemented in a following change (MM2 compatibility).
  Result<std::map<std::string, TopicConfigs>> describe_topic_configs(const std::vector<std::string>&,
                                                                     Deadline) override {
    return make_error("describe configs: not implemented yet", 0, false);
  }
  Status alter_topic_configs(const std::string&, const std::map<std::string, std::string>&, Deadline) override {
    return make_error("alter configs: not implemented yet", 0, false);
  }
  Result<std::vector<std::string>> list_groups(Deadline) override {
    return make_error("list groups: not implemented yet", 0, false);
  }
  Result<GroupOffsets> group_offsets(const std::string&, Deadline) override {
    return make_error("group offsets: not implemented yet", 0, false);
  }
  Result<GroupState> describe_group(const std::string&, Deadline) override {
    return make_error("describe group: not implemented yet", 0, false);
  }
  Status commit_group_offsets(const std::string&, const GroupOffsets&, Deadline) override {
    return make_error("commit group offsets: not implemented yet", 0, false);
  }

 private:
  rd_kafka_t* rk_;
};

}  // namespace

std::unique_ptr<ClusterAdmin> make_admin(rd_kafka_t* rk) { return std::make_unique<KafkaAdmin>(rk); }

Status commit_offsets(rd_kafka_t* consumer, const rd_kafka_topic_partition_list_t* offsets,
                      Deadline deadline) {
  if (offsets == nullptr || offsets->cnt == 0) return {};
  QueuePtr queue(rd_kafka_queue_new(consumer));
  const auto err = rd_kafka_commit_queue(consumer, offsets, queue.get(), nullptr, nullptr);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(std::string("commit: ") + rd_kafka_err2str(err), err);
  }
  auto ev = wait_event(queue.get(), RD_KAFKA_EVENT_OFFSET_COMMIT, deadline, "commit");
  if (!ev.ok()) return ev.error();
  const auto* list = rd_kafka_event_topic_partition_list(ev->get());
  for (int i = 0; list != nullptr && i < list->cnt; ++i) {
    if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return make_error(std::string("commit ") + list->elems[i].topic + "[" +
                            std::to_string(list->elems[i].partition) +
                            "]: " + rd_kafka_err2str(list->elems[i].err),
                        list->elems[i].err);
    }
  }
  return {};
}

Status close_consumer(rd_kafka_t* consumer, Deadline deadline, const RevokeHandler& on_revoke) {
  QueuePtr queue(rd_kafka_queue_new(consumer));
  if (rd_kafka_error_t* error = rd_kafka_consumer_close_queue(consumer, queue.get())) {
    std::string msg = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    return make_error("close consumer: " + msg);
  }
  while (rd_kafka_consumer_closed(consumer) == 0) {
    if (remaining_ms(deadline) == 0) return make_error("close consumer: timed out");
    // The final revocation arrives here as an event (callbacks are not served by queue polls).
    EventPtr ev(rd_kafka_queue_poll(queue.get(), std::min(100, std::max(1, remaining_ms(deadline)))));
    if (!ev || rd_kafka_event_type(ev.get()) != RD_KAFKA_EVENT_REBALANCE) continue;
    auto* partitions = rd_kafka_event_topic_partition_list(ev.get());
    if (on_revoke) {
      on_revoke(rd_kafka_event_error(ev.get()), partitions);
    } else if (std::string_view(rd_kafka_rebalance_protocol(consumer)) == "COOPERATIVE") {
      if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(consumer, partitions)) rd_kafka_error_destroy(error);
    } else {
      rd_kafka_assign(consumer, nullptr);
    }
  }
  return {};
}

Status flush(rd_kafka_t* producer, Deadline deadline) {
  const auto err = rd_kafka_flush(producer, remaining_ms(deadline));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error("flush: " + std::to_string(rd_kafka_outq_len(producer)) +
                          " messages still in flight: " + rd_kafka_err2str(err),
                      err);
  }
  return {};
}

}  // namespace mirror::kafka
