#include "mirror/kafka/admin.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>
#include <string_view>

#include "mirror/kafka/admin_ops.h"
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
      if (remaining_ms(deadline) == 0)
        return make_error(std::string(what) + ": timed out", RD_KAFKA_RESP_ERR__TIMED_OUT);
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

// One error naming every partition of `list` that carries one (an OK status when none does).
Status partition_errors(const std::string& what, const rd_kafka_topic_partition_list_t* list) {
  std::string failed;
  rd_kafka_resp_err_t first = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int i = 0; list != nullptr && i < list->cnt; ++i) {
    const auto& tp = list->elems[i];
    if (tp.err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    if (first == RD_KAFKA_RESP_ERR_NO_ERROR) first = tp.err;
    failed += (failed.empty() ? "" : "; ") + std::string(tp.topic) + "[" +
              std::to_string(tp.partition) + "]: " + rd_kafka_err2str(tp.err);
  }
  if (failed.empty()) return {};
  return make_error(what + ": " + failed, first);
}

// Kafka's ACL operations as librdkafka numbers them, and back.
constexpr std::pair<AclOperation, rd_kafka_AclOperation_t> kOperations[] = {
    {AclOperation::All, RD_KAFKA_ACL_OPERATION_ALL},
    {AclOperation::Read, RD_KAFKA_ACL_OPERATION_READ},
    {AclOperation::Write, RD_KAFKA_ACL_OPERATION_WRITE},
    {AclOperation::Create, RD_KAFKA_ACL_OPERATION_CREATE},
    {AclOperation::Delete, RD_KAFKA_ACL_OPERATION_DELETE},
    {AclOperation::Alter, RD_KAFKA_ACL_OPERATION_ALTER},
    {AclOperation::Describe, RD_KAFKA_ACL_OPERATION_DESCRIBE},
    {AclOperation::ClusterAction, RD_KAFKA_ACL_OPERATION_CLUSTER_ACTION},
    {AclOperation::DescribeConfigs, RD_KAFKA_ACL_OPERATION_DESCRIBE_CONFIGS},
    {AclOperation::AlterConfigs, RD_KAFKA_ACL_OPERATION_ALTER_CONFIGS},
    {AclOperation::IdempotentWrite, RD_KAFKA_ACL_OPERATION_IDEMPOTENT_WRITE},
};

rd_kafka_AclOperation_t raw_operation(AclOperation op) {
  for (const auto& [ours, raw] : kOperations) {
    if (ours == op) return raw;
  }
  return RD_KAFKA_ACL_OPERATION_UNKNOWN;
}

AclOperation operation_of(rd_kafka_AclOperation_t raw) {
  for (const auto& [ours, theirs] : kOperations) {
    if (theirs == raw) return ours;
  }
  return AclOperation::Unknown;
}

rd_kafka_AclPermissionType_t raw_permission(AclPermission permission) {
  switch (permission) {
    case AclPermission::Allow:
      return RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW;
    case AclPermission::Deny:
      return RD_KAFKA_ACL_PERMISSION_TYPE_DENY;
    case AclPermission::Unknown:
      break;
  }
  return RD_KAFKA_ACL_PERMISSION_TYPE_UNKNOWN;
}

AclPermission permission_of(rd_kafka_AclPermissionType_t raw) {
  if (raw == RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW) return AclPermission::Allow;
  if (raw == RD_KAFKA_ACL_PERMISSION_TYPE_DENY) return AclPermission::Deny;
  return AclPermission::Unknown;
}

// A literal topic ACL as librdkafka's binding (`filter`: as the filter that matches exactly it).
Result<AclBindingPtr> raw_binding(const AclBinding& acl, bool filter) {
  char errstr[512] = "";
  const auto op = raw_operation(acl.operation);
  const auto permission = raw_permission(acl.permission);
  if (op == RD_KAFKA_ACL_OPERATION_UNKNOWN || permission == RD_KAFKA_ACL_PERMISSION_TYPE_UNKNOWN) {
    return make_error(describe(acl) + ": unknown operation or permission", 0, false);
  }
  auto* make = filter ? rd_kafka_AclBindingFilter_new : rd_kafka_AclBinding_new;
  AclBindingPtr raw(make(RD_KAFKA_RESOURCE_TOPIC, acl.topic.c_str(),
                         RD_KAFKA_RESOURCE_PATTERN_LITERAL, acl.principal.c_str(), acl.host.c_str(),
                         op, permission, errstr, sizeof errstr));
  if (!raw) return make_error(describe(acl) + ": " + errstr, 0, false);
  return raw;
}

AclBinding binding_of(const rd_kafka_AclBinding_t* raw) {
  const char* principal = rd_kafka_AclBinding_principal(raw);
  const char* host = rd_kafka_AclBinding_host(raw);
  return {rd_kafka_AclBinding_name(raw), principal != nullptr ? principal : "",
          host != nullptr ? host : "", operation_of(rd_kafka_AclBinding_operation(raw)),
          permission_of(rd_kafka_AclBinding_permission_type(raw))};
}

// The error of an ACL call whose request failed as a whole; a cluster without an authorizer says
// so in plain words.
Error acl_request_error(const std::string& what, const Error& error) {
  if (error.code == RD_KAFKA_RESP_ERR_SECURITY_DISABLED) {
    return make_error(what + ": the cluster has no authorizer (no ACLs to read or write)",
                      error.code, false);
  }
  return error;
}

Error acl_error(const rd_kafka_error_t* error) {
  return make_error(rd_kafka_error_string(error), rd_kafka_error_code(error));
}

}  // namespace

const char* to_string(AclOperation operation) {
  const auto raw = raw_operation(operation);
  return raw == RD_KAFKA_ACL_OPERATION_UNKNOWN ? "UNKNOWN" : rd_kafka_AclOperation_name(raw);
}

const char* to_string(AclPermission permission) {
  const auto raw = raw_permission(permission);
  return raw == RD_KAFKA_ACL_PERMISSION_TYPE_UNKNOWN ? "UNKNOWN"
                                                     : rd_kafka_AclPermissionType_name(raw);
}

std::string describe(const AclBinding& acl) {
  std::string out = to_string(acl.permission);
  out.append(" ")
      .append(to_string(acl.operation))
      .append(" for ")
      .append(acl.principal)
      .append(" from ")
      .append(acl.host)
      .append(" on topic '")
      .append(acl.topic)
      .append("'");
  return out;
}

std::string err_name(rd_kafka_resp_err_t err) {
  return rd_kafka_err2name(err);
}

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
  // The id the answer just carried (librdkafka keeps it from every Metadata response; timeout 0:
  // no request of its own).
  if (char* id = rd_kafka_clusterid(rk, 0); id != nullptr) {
    info.cluster_id = id;
    rd_kafka_mem_free(rk, id);
  }
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

  Result<ClusterInfo> metadata(Deadline deadline) override { return read_metadata(rk_, deadline); }

  Result<std::map<int32_t, std::string>> broker_racks(Deadline deadline) override {
    QueuePtr queue(rd_kafka_queue_new(rk_));
    auto options = admin_options(rk_, RD_KAFKA_ADMIN_OP_DESCRIBECLUSTER, deadline);
    rd_kafka_DescribeCluster(rk_, options.get(), queue.get());
    auto ev = wait_event(queue.get(), RD_KAFKA_EVENT_DESCRIBECLUSTER_RESULT, deadline,
                         "describe cluster");
    if (!ev.ok()) return ev.error();
    size_t count = 0;
    const rd_kafka_Node_t** nodes = rd_kafka_DescribeCluster_result_nodes(
        rd_kafka_event_DescribeCluster_result(ev->get()), &count);
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
      rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(t.name.c_str(), t.partitions,
                                                      t.replication_factor, errstr, sizeof errstr);
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
    auto ev =
        wait_event(queue.get(), RD_KAFKA_EVENT_CREATETOPICS_RESULT, deadline, "create topics");
    if (!ev.ok()) return ev.error();
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev->get()), &count);
    for (size_t i = 0; i < count; ++i) {
      const auto err = rd_kafka_topic_result_error(results[i]);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        continue;
      const char* msg = rd_kafka_topic_result_error_string(results[i]);
      failures[rd_kafka_topic_result_name(results[i])] =
          make_error(msg != nullptr ? msg : rd_kafka_err2str(err), err);
    }
    return failures;
  }

  Status create_partitions(const std::string& topic, int total, Deadline deadline) override {
    char errstr[512];
    rd_kafka_NewPartitions_t* np = rd_kafka_NewPartitions_new(
        topic.c_str(), static_cast<size_t>(total), errstr, sizeof errstr);
    if (np == nullptr) return make_error(errstr, 0, false);
    QueuePtr queue(rd_kafka_queue_new(rk_));
    auto options = admin_options(rk_, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, deadline);
    rd_kafka_CreatePartitions(rk_, &np, 1, options.get(), queue.get());
    rd_kafka_NewPartitions_destroy(np);
    auto ev = wait_event(queue.get(), RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT, deadline,
                         "create partitions");
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

  Result<std::map<std::string, TopicConfigs>> describe_topic_configs(
      const std::vector<std::string>& topics, Deadline deadline) override {
    std::map<std::string, TopicConfigs> out;
    if (topics.empty()) return out;
    std::vector<ConfigResourcePtr> owned;
    std::vector<rd_kafka_ConfigResource_t*> raw;
    for (const auto& t : topics) {
      owned.emplace_back(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, t.c_str()));
      raw.push_back(owned.back().get());
    }
    QueuePtr queue(rd_kafka_queue_new(rk_));
    auto options = admin_options(rk_, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, deadline);
    rd_kafka_DescribeConfigs(rk_, raw.data(), raw.size(), options.get(), queue.get());
    auto ev = wait_event(queue.get(), RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT, deadline,
                         "describe configs");
    if (!ev.ok()) return ev.error();
    size_t count = 0;
    const rd_kafka_ConfigResource_t** resources = rd_kafka_DescribeConfigs_result_resources(
        rd_kafka_event_DescribeConfigs_result(ev->get()), &count);
    for (size_t i = 0; i < count; ++i) {
      if (rd_kafka_ConfigResource_error(resources[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      TopicConfigs& configs = out[rd_kafka_ConfigResource_name(resources[i])];
      size_t entry_count = 0;
      const rd_kafka_ConfigEntry_t** entries =
          rd_kafka_ConfigResource_configs(resources[i], &entry_count);
      for (size_t e = 0; e < entry_count; ++e) {
        const char* value = rd_kafka_ConfigEntry_value(entries[e]);  // NULL for sensitive ones
        ConfigEntry entry;
        entry.value = value != nullptr ? value : "";
        // Only a value set on the topic itself is the topic's own; broker-level values (dynamic or
        // static) and built-in defaults all count as defaults here.
        entry.is_default =
            rd_kafka_ConfigEntry_source(entries[e]) != RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG;
        entry.read_only = rd_kafka_ConfigEntry_is_read_only(entries[e]) != 0;
        entry.sensitive = rd_kafka_ConfigEntry_is_sensitive(entries[e]) != 0;
        configs[rd_kafka_ConfigEntry_name(entries[e])] = std::move(entry);
      }
    }
    return out;
  }

  Status alter_topic_configs(const std::string& topic,
                             const std::map<std::string, std::string>& set,
                             Deadline deadline) override {
    if (set.empty()) return {};
    std::string names;
    for (const auto& [k, v] : set) names += (names.empty() ? "" : ", ") + k;
    const std::string what = "alter configs of topic '" + topic + "' (" + names + ")";
    ConfigResourcePtr resource(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
    for (const auto& [k, v] : set) {
      ErrorPtr error(rd_kafka_ConfigResource_add_incremental_config(
          resource.get(), k.c_str(), RD_KAFKA_ALTER_CONFIG_OP_TYPE_SET, v.c_str()));
      if (error) {
        std::string message = what;
        message.append(": config '")
            .append(k)
            .append("': ")
            .append(rd_kafka_error_string(error.get()));
        return make_error(std::move(message), rd_kafka_error_code(error.get()), false);
      }
    }
    rd_kafka_ConfigResource_t* raw = resource.get();
    QueuePtr queue(rd_kafka_queue_new(rk_));
    auto options = admin_options(rk_, RD_KAFKA_ADMIN_OP_INCREMENTALALTERCONFIGS, deadline);
    rd_kafka_IncrementalAlterConfigs(rk_, &raw, 1, options.get(), queue.get());
    auto ev = wait_event(queue.get(), RD_KAFKA_EVENT_INCREMENTALALTERCONFIGS_RESULT, deadline,
                         what.c_str());
    if (!ev.ok()) return ev.error();
    size_t count = 0;
    const rd_kafka_ConfigResource_t** resources = rd_kafka_IncrementalAlterConfigs_result_resources(
        rd_kafka_event_IncrementalAlterConfigs_result(ev->get()), &count);
    for (size_t i = 0; i < count; ++i) {
      const auto err = rd_kafka_ConfigResource_error(resources[i]);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      const char* msg = rd_kafka_ConfigResource_error_string(resources[i]);
      return make_error(what + ": " + (msg != nullptr && *msg != 0 ? msg : rd_kafka_err2str(err)),
                        err);
    }
    return {};
  }

  Result<std::vector<std::string>> list_groups(Deadline deadline) override {
    QueuePtr queue(rd_kafka_queue_new(rk_));
    auto options = admin_options(rk_, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, deadline);
    rd_kafka_ListConsumerGroups(rk_, options.get(), queue.get());
    auto ev =
        wait_event(queue.get(), RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT, deadline, "list groups");
    if (!ev.ok()) return ev.error();
    const auto* result = rd_kafka_event_ListConsumerGroups_result(ev->get());
    size_t valid_count = 0;
    size_t error_count = 0;
    const rd_kafka_ConsumerGroupListing_t** valid =
        rd_kafka_ListConsumerGroups_result_valid(result, &valid_count);
    const rd_kafka_error_t** errors =
        rd_kafka_ListConsumerGroups_result_errors(result, &error_count);
    // Errors come per broker: what the other brokers listed is still worth having.
    if (valid_count == 0 && error_count > 0) {
      std::string msg = "list groups:";
      for (size_t i = 0; i < error_count; ++i)
        msg += std::string(i == 0 ? " " : "; ") + rd_kafka_error_string(errors[i]);
      return make_error(msg, rd_kafka_error_code(errors[0]));
    }
    std::vector<std::string> ids;
    ids.reserve(valid_count);
    for (size_t i = 0; i < valid_count; ++i)
      ids.emplace_back(rd_kafka_ConsumerGroupListing_group_id(valid[i]));
    // One answer per broker; a group that moved coordinator while they were asked can be in two.
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
  }

  Result<GroupOffsets> group_offsets(const std::string& group, Deadline deadline) override {
    return list_group_offsets(rk_, group, nullptr,
                              deadline);  // every partition the group committed
  }

  Result<GroupState> describe_group(const std::string& group, Deadline deadline) override {
    const std::string what = "describe group '" + group + "'";
    const char* ids[] = {group.c_str()};
    QueuePtr queue(rd_kafka_queue_new(rk_));
    auto options = admin_options(rk_, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, deadline);
    rd_kafka_DescribeConsumerGroups(rk_, ids, 1, options.get(), queue.get());
    auto ev = wait_event(queue.get(), RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT, deadline,
                         what.c_str());
    if (!ev.ok()) return ev.error();
    size_t count = 0;
    const rd_kafka_ConsumerGroupDescription_t** groups =
        rd_kafka_DescribeConsumerGroups_result_groups(
            rd_kafka_event_DescribeConsumerGroups_result(ev->get()), &count);
    if (count == 0) return make_error(what + ": no description in the answer");
    const rd_kafka_ConsumerGroupDescription_t* desc = groups[0];
    GroupState state;
    if (const rd_kafka_error_t* error = rd_kafka_ConsumerGroupDescription_error(desc)) {
      if (rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) {
        state.state = rd_kafka_consumer_group_state_name(RD_KAFKA_CONSUMER_GROUP_STATE_DEAD);
        return state;
      }
      return make_error(what + ": " + rd_kafka_error_string(error), rd_kafka_error_code(error));
    }
    const auto raw_state = rd_kafka_ConsumerGroupDescription_state(desc);
    state.exists = raw_state != RD_KAFKA_CONSUMER_GROUP_STATE_DEAD &&
                   raw_state != RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN;
    state.members =
        state.exists ? static_cast<int>(rd_kafka_ConsumerGroupDescription_member_count(desc)) : 0;
    state.state = rd_kafka_consumer_group_state_name(raw_state);
    return state;
  }

  Status commit_group_offsets(const std::string& group, const GroupOffsets& offsets,
                              Deadline deadline) override {
    return alter_group_offsets(rk_, group, offsets, deadline);
  }

  Result<std::vector<AclBinding>> describe_topic_acls(Deadline deadline) override {
    const std::string what = "describe topic ACLs";
    char errstr[512] = "";
    AclBindingPtr filter(rd_kafka_AclBindingFilter_new(
        RD_KAFKA_RESOURCE_TOPIC, nullptr, RD_KAFKA_RESOURCE_PATTERN_LITERAL, nullptr, nullptr,
        RD_KAFKA_ACL_OPERATION_ANY, RD_KAFKA_ACL_PERMISSION_TYPE_ANY, errstr, sizeof errstr));
    if (!filter) return make_error(what + ": " + errstr, 0, false);
    QueuePtr queue(rd_kafka_queue_new(rk_));
    auto options = admin_options(rk_, RD_KAFKA_ADMIN_OP_DESCRIBEACLS, deadline);
    rd_kafka_DescribeAcls(rk_, filter.get(), options.get(), queue.get());
    auto ev = wait_event(queue.get(), RD_KAFKA_EVENT_DESCRIBEACLS_RESULT, deadline, what.c_str());
    if (!ev.ok()) return acl_request_error(what, ev.error());
    size_t count = 0;
    const rd_kafka_AclBinding_t** acls =
        rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(ev->get()), &count);
    std::vector<AclBinding> out;
    out.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      if (rd_kafka_AclBinding_restype(acls[i]) != RD_KAFKA_RESOURCE_TOPIC ||
          rd_kafka_AclBinding_resource_pattern_type(acls[i]) != RD_KAFKA_RESOURCE_PATTERN_LITERAL) {
        continue;
      }
      out.push_back(binding_of(acls[i]));
    }
    return out;
  }

  Result<std::map<AclBinding, Error>> create_acls(const std::vector<AclBinding>& acls,
                                                  Deadline deadline) override {
    return change_acls(acls, false, deadline);
  }

  Result<std::map<AclBinding, Error>> delete_acls(const std::vector<AclBinding>& acls,
                                                  Deadline deadline) override {
    return change_acls(acls, true, deadline);
  }

 private:
  // One CreateAcls request (`remove` false) or DeleteAcls request with one exact filter per ACL
  // (`remove` true); one error per ACL that failed.
  Result<std::map<AclBinding, Error>> change_acls(const std::vector<AclBinding>& acls, bool remove,
                                                  Deadline deadline) {
    std::map<AclBinding, Error> failures;
    std::vector<AclBindingPtr> owned;
    std::vector<rd_kafka_AclBinding_t*> raw;
    std::vector<const AclBinding*> sent;  // answers come in request order
    for (const auto& acl : acls) {
      auto binding = raw_binding(acl, remove);
      if (!binding.ok()) {
        failures[acl] = binding.error();
        continue;
      }
      owned.push_back(std::move(binding.value()));
      raw.push_back(owned.back().get());
      sent.push_back(&acl);
    }
    if (raw.empty()) return failures;
    const std::string what = remove ? "delete ACLs" : "create ACLs";
    QueuePtr queue(rd_kafka_queue_new(rk_));
    auto options = admin_options(
        rk_, remove ? RD_KAFKA_ADMIN_OP_DELETEACLS : RD_KAFKA_ADMIN_OP_CREATEACLS, deadline);
    if (remove) {
      rd_kafka_DeleteAcls(rk_, raw.data(), raw.size(), options.get(), queue.get());
    } else {
      rd_kafka_CreateAcls(rk_, raw.data(), raw.size(), options.get(), queue.get());
    }
    auto ev = wait_event(
        queue.get(), remove ? RD_KAFKA_EVENT_DELETEACLS_RESULT : RD_KAFKA_EVENT_CREATEACLS_RESULT,
        deadline, what.c_str());
    if (!ev.ok()) return acl_request_error(what, ev.error());
    size_t count = 0;
    std::vector<const rd_kafka_error_t*> errors;  // one per ACL sent, null for success
    if (remove) {
      const rd_kafka_DeleteAcls_result_response_t** responses =
          rd_kafka_DeleteAcls_result_responses(rd_kafka_event_DeleteAcls_result(ev->get()), &count);
      for (size_t i = 0; i < count; ++i)
        errors.push_back(rd_kafka_DeleteAcls_result_response_error(responses[i]));
    } else {
      const rd_kafka_acl_result_t** results =
          rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(ev->get()), &count);
      for (size_t i = 0; i < count; ++i) errors.push_back(rd_kafka_acl_result_error(results[i]));
    }
    for (size_t i = 0; i < sent.size(); ++i) {
      if (i >= errors.size()) {
        failures[*sent[i]] = make_error("no answer for this ACL");
      } else if (errors[i] != nullptr) {
        failures[*sent[i]] = acl_error(errors[i]);
      }
    }
    return failures;
  }

  rd_kafka_t* rk_;
};

}  // namespace

Result<GroupOffsets> list_group_offsets(rd_kafka_t* rk, const std::string& group,
                                        const rd_kafka_topic_partition_list_t* partitions,
                                        Deadline deadline, bool require_stable) {
  const std::string what = "group offsets of '" + group + "'";
  ListGroupOffsetsPtr request(rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), partitions));
  rd_kafka_ListConsumerGroupOffsets_t* raw = request.get();
  QueuePtr queue(rd_kafka_queue_new(rk));
  auto options = admin_options(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, deadline);
  if (require_stable) {
    ErrorPtr error(rd_kafka_AdminOptions_set_require_stable_offsets(options.get(), 1));
    if (error) return make_error(what + ": " + rd_kafka_error_string(error.get()), 0, false);
  }
  rd_kafka_ListConsumerGroupOffsets(rk, &raw, 1, options.get(), queue.get());
  auto ev = wait_event(queue.get(), RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT, deadline,
                       what.c_str());
  if (!ev.ok()) return ev.error();
  size_t count = 0;
  const rd_kafka_group_result_t** groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(ev->get()), &count);
  GroupOffsets out;
  for (size_t i = 0; i < count; ++i) {
    if (const rd_kafka_error_t* error = rd_kafka_group_result_error(groups[i])) {
      return make_error(what + ": " + rd_kafka_error_string(error), rd_kafka_error_code(error));
    }
    const rd_kafka_topic_partition_list_t* list = rd_kafka_group_result_partitions(groups[i]);
    for (int p = 0; list != nullptr && p < list->cnt; ++p) {
      const auto& tp = list->elems[p];
      if (tp.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;  // as good as no commit
      if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return make_error(what + ": " + tp.topic + "[" + std::to_string(tp.partition) +
                              "]: " + rd_kafka_err2str(tp.err),
                          tp.err);
      }
      if (tp.offset < 0) continue;  // no commit
      CommittedOffset committed{tp.offset, {}};
      if (tp.metadata != nullptr && tp.metadata_size > 0) {
        committed.metadata.assign(static_cast<const char*>(tp.metadata), tp.metadata_size);
      }
      out[{tp.topic, tp.partition}] = std::move(committed);
    }
  }
  return out;
}

Status alter_group_offsets(rd_kafka_t* rk, const std::string& group, const GroupOffsets& offsets,
                           Deadline deadline) {
  if (offsets.empty()) return {};
  const std::string what = "commit offsets of group '" + group + "'";
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [tp, committed] : offsets) {
    rd_kafka_topic_partition_t* elem =
        rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second);
    elem->offset = committed.offset;
    if (!committed.metadata.empty()) {
      // Freed by rd_kafka_topic_partition_list_destroy.
      elem->metadata = rd_kafka_mem_malloc(rk, committed.metadata.size());
      std::memcpy(elem->metadata, committed.metadata.data(), committed.metadata.size());
      elem->metadata_size = committed.metadata.size();
    }
  }
  AlterGroupOffsetsPtr request(rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), list.get()));
  rd_kafka_AlterConsumerGroupOffsets_t* raw = request.get();
  QueuePtr queue(rd_kafka_queue_new(rk));
  auto options = admin_options(rk, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, deadline);
  rd_kafka_AlterConsumerGroupOffsets(rk, &raw, 1, options.get(), queue.get());
  auto ev = wait_event(queue.get(), RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT, deadline,
                       what.c_str());
  if (!ev.ok()) return ev.error();
  size_t count = 0;
  const rd_kafka_group_result_t** groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
      rd_kafka_event_AlterConsumerGroupOffsets_result(ev->get()), &count);
  for (size_t i = 0; i < count; ++i) {
    if (const rd_kafka_error_t* error = rd_kafka_group_result_error(groups[i])) {
      return make_error(what + ": " + rd_kafka_error_string(error), rd_kafka_error_code(error));
    }
    if (auto st = partition_errors(what, rd_kafka_group_result_partitions(groups[i])); !st.ok())
      return st;
  }
  return {};
}

std::unique_ptr<ClusterAdmin> make_admin(rd_kafka_t* rk) {
  return std::make_unique<KafkaAdmin>(rk);
}

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
    EventPtr ev(
        rd_kafka_queue_poll(queue.get(), std::min(100, std::max(1, remaining_ms(deadline)))));
    if (!ev || rd_kafka_event_type(ev.get()) != RD_KAFKA_EVENT_REBALANCE) continue;
    auto* partitions = rd_kafka_event_topic_partition_list(ev.get());
    if (on_revoke) {
      on_revoke(rd_kafka_event_error(ev.get()), partitions);
    } else if (std::string_view(rd_kafka_rebalance_protocol(consumer)) == "COOPERATIVE") {
      if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(consumer, partitions))
        rd_kafka_error_destroy(error);
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
