#include "mirror/mm2/duties.h"

#include <librdkafka/rdkafka.h>

#include "mirror/common/log.h"

namespace mirror::mm2 {
namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The first problem of a round (and how many more), or ok.
Status summarise(const std::vector<std::string>& problems) {
  if (problems.empty()) return {};
  std::string more =
      problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : "";
  return make_error(problems.front() + more);
}

// Kafka Connect's TopicAdmin falls back to "assume the topic exists" on these.
bool assume_exists(int code) {
  return code == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
         code == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED ||
         code == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION;
}

Status send(kafka::TargetProducer& producer, const std::string& topic, const EncodedRecord& record,
            int64_t tag) {
  auto& handle = producer.topic(topic, nullptr);
  auto sent = producer.send(handle, -1, record.key, record.value, tag);
  if (sent.outcome == kafka::TargetProducer::Outcome::Sent) return {};
  return make_error("produce to " + topic + ": " + std::string(sent.reason), sent.error);
}

}  // namespace

bool Duties::wanted(const config::FlowSpec& spec) {
  return spec.emit_heartbeats_enabled || spec.emit_checkpoints_enabled ||
         spec.sync_group_offsets_enabled;
}

Result<std::unique_ptr<Duties>> Duties::make(const config::FlowSpec& spec,
                                             const std::string& source_cluster,
                                             const std::string& target_cluster,
                                             OffsetSyncStore* offset_syncs,
                                             metrics::FlowProbe& probe,
                                             std::chrono::milliseconds timeout) {
  std::unique_ptr<Duties> duties(new Duties(spec, source_cluster, target_cluster, probe, timeout));
  if ((spec.emit_checkpoints_enabled || spec.sync_group_offsets_enabled) &&
      offset_syncs != nullptr) {
    duties->offset_syncs_ = offset_syncs;
    auto groups = GroupFilter::make(spec.groups, spec.groups_exclude, "mirror-" + spec.name);
    if (!groups.ok()) return groups.error();
    topics::NamingPolicy naming(spec.replication_policy, source_cluster, target_cluster,
                                spec.replication_policy_separator);
    duties->checkpointer_.emplace(std::move(naming), std::move(groups.value()), *offset_syncs);
  }
  return duties;
}

Status Duties::ensure_topics(kafka::ClusterAdmin& target) {
  if (topics_ready_) return {};
  std::vector<kafka::NewTopic> topics;
  const std::map<std::string, std::string> compact{{"cleanup.policy", "compact"}};
  if (spec_.emit_heartbeats_enabled) {
    topics.push_back({kHeartbeatsTopic, 1, spec_.replication_factor, compact});
  }
  if (spec_.emit_checkpoints_enabled) {
    topics.push_back({checkpoints_topic_, 1, spec_.replication_factor, compact});
  }
  if (offset_syncs_ != nullptr) {
    topics.push_back({offset_syncs_topic_, 1, spec_.replication_factor, compact});
  }
  auto failures = target.create_topics(topics, kafka::deadline_in(timeout_));
  if (!failures.ok()) {
    if (!assume_exists(failures.error().code)) return failures.error();
    log::warn("mm2", log::Flow{spec_.name}, "cannot create internal topics on '", target_cluster_,
              "' (", failures.error().message, "); assuming they exist");
    topics_ready_ = true;
    return {};
  }
  for (const auto& [name, error] : *failures) {
    if (!assume_exists(error.code)) {
      return make_error(
          "cannot create '" + name + "' on '" + target_cluster_ + "': " + error.message, error.code,
          error.retriable);
    }
    log::warn("mm2", log::Flow{spec_.name}, "cannot create '", name, "' on '", target_cluster_,
              "' (", error.message, "); assuming it exists");
  }
  topics_ready_ = true;
  return {};
}

Status Duties::heartbeat(kafka::TargetProducer& producer) {
  return send(producer, kHeartbeatsTopic,
              encode(Heartbeat{source_cluster_, target_cluster_, wall_ms()}), kHeartbeatTag);
}

Duties::RoundResult Duties::checkpoint_round(bool emit, bool sync_groups,
                                             kafka::ClusterAdmin& source,
                                             kafka::ClusterAdmin& target,
                                             kafka::TargetProducer& producer) {
  RoundResult result;
  if (!checkpointer_) return result;
  const auto started = Clock::now();
  const auto deadline = kafka::deadline_in(timeout_);
  auto round = checkpointer_->translate(source, deadline);
  if (!round.ok()) {
    result.checkpoints = round.error();
    return result;
  }
  // Only what changed since it was last acknowledged: the topic is compacted, the latest per
  // (group, partition) is what counts.
  // Never below the last one while the group's source offset did not go back: a partition that
  // just moved here may translate more conservatively until its syncs are all read back.
  std::vector<Checkpoint> changed;
  held_back_ = 0;
  for (const auto& g : emit ? round->groups : std::vector<GroupTranslation>{}) {
    for (const auto& c : g.checkpoints) {
      auto it = emitted_.find({c.group, {c.topic, c.partition}});
      if (it != emitted_.end() && it->second == c) continue;
      if (it != emitted_.end() && c.downstream_offset < it->second.downstream_offset &&
          c.upstream_offset >= it->second.upstream_offset) {
        ++held_back_;
        continue;
      }
      changed.push_back(c);
    }
  }
  const std::string& topic = checkpoints_topic_;
  checkpoints_acked_ = 0;
  checkpoints_failed_ = 0;
  Status produced;
  for (const auto& c : changed) {
    produced = send(producer, topic, encode(c), kCheckpointTag);
    if (!produced.ok()) break;
  }
  auto flushed = producer.flush(deadline);
  if (produced.ok() && !flushed.ok()) produced = flushed;
  if (produced.ok() && checkpoints_failed_ > 0) {
    produced = make_error(std::to_string(checkpoints_failed_) +
                          " checkpoint(s) not acknowledged by '" + target_cluster_ + "'");
  }
  if (produced.ok()) {
    for (const auto& c : changed) emitted_[{c.group, {c.topic, c.partition}}] = c;
    if (emit)
      probe_.checkpoint_latency(std::chrono::duration<double>(Clock::now() - started).count());
  }
  if (emit) {
    probe_.checkpoints_acknowledged(checkpoints_acked_);
    probe_.checkpoint_groups(round->groups.size());
  }
  result.checkpoints = produced.ok() ? summarise(round->problems) : produced;

  if (!sync_groups || !produced.ok()) return result;
  auto synced = checkpointer_->sync(target, round->groups, kafka::deadline_in(timeout_));
  probe_.groups_synced(synced.in_sync);
  result.group_sync = summarise(synced.problems);
  return result;
}

Status Duties::write_syncs(kafka::TargetProducer& producer, bool latest) {
  if (offset_syncs_ == nullptr) return {};
  const std::string& topic = offset_syncs_topic_;
  const auto syncs = offset_syncs_->take_syncs(latest);
  Status produced;
  if (!syncs.empty()) {
    auto& handle = producer.topic(topic, nullptr);
    for (const auto& s : syncs) {
      const auto record = encode(OffsetSync{s.topic, s.partition, s.upstream, s.downstream});
      auto sent = producer.send(handle, 0, record.key, record.value, kOffsetSyncTag, kRunHeader,
                                encode_run(s.run));
      if (sent.outcome != kafka::TargetProducer::Outcome::Sent && produced.ok()) {
        // Lost for the topic (translation after a failover is then more conservative, never
        // wrong); this process still knows it.
        produced = make_error("produce to " + topic + ": " + std::string(sent.reason), sent.error);
      }
    }
  }
  if (produced.ok() && syncs_failed_ > 0) {
    produced = make_error(std::to_string(syncs_failed_) + " offset sync(s) not acknowledged by '" +
                          target_cluster_ + "'");
  }
  syncs_failed_ = 0;
  return produced;
}

std::vector<kafka::TopicPartition> Duties::read_back_partitions() const {
  std::vector<kafka::TopicPartition> out;
  if (offset_syncs_ != nullptr) out.push_back({offset_syncs_topic_, 0});
  if (offset_syncs_ != nullptr && spec_.emit_checkpoints_enabled) {
    out.push_back({checkpoints_topic_, 0});
  }
  return out;
}

void Duties::read_back(std::string_view topic, std::string_view key, std::string_view value,
                       const rd_kafka_message_t* raw) {
  if (offset_syncs_ == nullptr) return;
  if (topic == offset_syncs_topic_) {
    auto sync = decode_offset_sync(key, value);
    if (!sync) return;
    std::optional<RunId> run;
    rd_kafka_headers_t* headers = nullptr;
    const void* data = nullptr;
    size_t size = 0;
    if (raw != nullptr && rd_kafka_message_headers(raw, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        rd_kafka_header_get_last(headers, kRunHeader, &data, &size) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      run = decode_run(data, size);
    }
    offset_syncs_->load(sync->topic, sync->partition, run, sync->upstream_offset,
                        sync->downstream_offset);
  } else if (topic == checkpoints_topic_) {
    if (auto c = decode_checkpoint(key, value)) emitted_[{c->group, {c->topic, c->partition}}] = *c;
  }
}

std::optional<Status> Duties::on_delivery(const kafka::Delivery& delivery) {
  if (delivery.tag == kHeartbeatTag) {
    if (delivery.ok()) {
      heartbeat_acked_ = Clock::now();
      return Status();
    }
    return Status(make_error("not acknowledged: " + std::string(delivery.reason), delivery.error));
  }
  if (delivery.tag == kCheckpointTag) ++(delivery.ok() ? checkpoints_acked_ : checkpoints_failed_);
  if (delivery.tag == kOffsetSyncTag && !delivery.ok()) ++syncs_failed_;
  return std::nullopt;
}

void Duties::update_gauges() {
  if (!spec_.emit_heartbeats_enabled) return;
  const auto since = heartbeat_acked_.value_or(started_);
  probe_.heartbeat_age(std::chrono::duration<double>(Clock::now() - since).count());
}

}  // namespace mirror::mm2
