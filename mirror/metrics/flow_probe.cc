#include "mirror/metrics/flow_probe.h"

#include <algorithm>
#include <chrono>

namespace mirror::metrics {
namespace {

void erase_topic(std::map<std::pair<std::string, std::string>, prometheus::Counter*>& series,
                 prometheus::Family<prometheus::Counter>& family, const std::string& topic) {
  for (auto it = series.lower_bound({topic, std::string()});
       it != series.end() && it->first.first == topic;) {
    family.Remove(it->second);
    it = series.erase(it);
  }
}

}  // namespace

FlowProbe::FlowProbe(Metrics& metrics, std::string flow, Options options)
    : metrics_(metrics), flow_(std::move(flow)) {
  const prometheus::Labels labels{{"flow", flow_}};
  up_ = &metrics_.flow_up.Add(labels);
  up_->Set(0);
  follower_fetching_ = &metrics_.flow_follower_fetching.Add(labels);
  follower_fetching_->Set(options.follower_fetching ? 1 : 0);
  for (const char* mode : {"follower", "leader-fallback", "leader"}) {
    fetch_modes_[mode] = &metrics_.flow_fetch_mode.Add({{"flow", flow_}, {"mode", mode}});
  }
  bytes_saved_ = &metrics_.fetch_bytes_saved.Add(labels);
  latency_ = &metrics_.replication_latency.Add(labels, Metrics::latency_buckets());
  restarts_ = &metrics_.flow_restarts.Add(labels);
  if (options.heartbeats) heartbeat_age_ = &metrics_.heartbeat_age.Add(labels);
  if (options.checkpoints) {
    checkpoint_latency_ = &metrics_.checkpoint_latency.Add(labels);
    checkpoint_groups_ = &metrics_.checkpoint_groups.Add(labels);
    checkpoints_ = &metrics_.checkpoints.Add(labels);
  }
  if (options.group_sync) groups_synced_ = &metrics_.groups_synced.Add(labels);
  if (options.acl_sync) topic_acls_synced_ = &metrics_.topic_acls_synced.Add(labels);
}

FlowProbe::~FlowProbe() {
  for (const auto& [topic, series] : topics_) {
    metrics_.records_replicated.Remove(series.records);
    metrics_.bytes_replicated.Remove(series.bytes);
  }
  for (const auto& [key, counter] : skipped_) metrics_.records_skipped.Remove(counter);
  for (const auto& [key, counter] : dead_lettered_) metrics_.records_dead_lettered.Remove(counter);
  for (const auto& [key, series] : partitions_) {
    metrics_.partition_lag.Remove(series.lag);
    metrics_.fetch_from_follower.Remove(series.from_follower);
  }
  for (const auto& [broker, series] : brokers_) {
    for (const auto& [zone, counter] : series.zones) metrics_.fetch_bytes.Remove(counter);
  }
  for (const auto& [kind, counter] : errors_) metrics_.errors.Remove(counter);
  metrics_.flow_up.Remove(up_);
  metrics_.flow_follower_fetching.Remove(follower_fetching_);
  for (const auto& [mode, gauge] : fetch_modes_) metrics_.flow_fetch_mode.Remove(gauge);
  metrics_.fetch_bytes_saved.Remove(bytes_saved_);
  metrics_.replication_latency.Remove(latency_);
  metrics_.flow_restarts.Remove(restarts_);
  if (heartbeat_age_ != nullptr) metrics_.heartbeat_age.Remove(heartbeat_age_);
  if (checkpoint_latency_ != nullptr) metrics_.checkpoint_latency.Remove(checkpoint_latency_);
  if (checkpoint_groups_ != nullptr) metrics_.checkpoint_groups.Remove(checkpoint_groups_);
  if (checkpoints_ != nullptr) metrics_.checkpoints.Remove(checkpoints_);
  if (groups_synced_ != nullptr) metrics_.groups_synced.Remove(groups_synced_);
  if (topic_acls_synced_ != nullptr) metrics_.topic_acls_synced.Remove(topic_acls_synced_);
}

void FlowProbe::set_up(bool up) {
  up_->Set(up ? 1 : 0);
}

void FlowProbe::fetch_mode(const std::string& mode) {
  for (const auto& [name, gauge] : fetch_modes_) gauge->Set(name == mode ? 1 : 0);
}

void FlowProbe::saved_cross_zone(uint64_t bytes) {
  bytes_saved_->Increment(static_cast<double>(bytes));
}

void FlowProbe::restarted(uint64_t times) {
  restarts_->Increment(static_cast<double>(times));
}

void FlowProbe::count(ErrorKind kind) {
  std::lock_guard lock(errors_mutex_);
  auto& counter = errors_[kind];
  if (counter == nullptr)
    counter = &metrics_.errors.Add({{"flow", flow_}, {"kind", to_string(kind)}});
  counter->Increment();
}

uint64_t FlowProbe::errors(ErrorKind kind) const {
  std::lock_guard lock(errors_mutex_);
  auto it = errors_.find(kind);
  return it == errors_.end() ? 0 : static_cast<uint64_t>(it->second->Value());
}

FlowProbe::TopicSeries& FlowProbe::add_topic(const std::string& source_topic) {
  auto& series = topics_[source_topic];
  if (series.records == nullptr) {
    const prometheus::Labels labels{{"flow", flow_}, {"topic", source_topic}};
    series.records = &metrics_.records_replicated.Add(labels);
    series.bytes = &metrics_.bytes_replicated.Add(labels);
  }
  return series;
}

void FlowProbe::remove_topic(const std::string& source_topic) {
  auto it = topics_.find(source_topic);
  if (it == topics_.end()) return;
  dirty_.erase(std::remove(dirty_.begin(), dirty_.end(), &it->second), dirty_.end());
  metrics_.records_replicated.Remove(it->second.records);
  metrics_.bytes_replicated.Remove(it->second.bytes);
  topics_.erase(it);
  erase_topic(skipped_, metrics_.records_skipped, source_topic);
  erase_topic(dead_lettered_, metrics_.records_dead_lettered, source_topic);
}

prometheus::Counter& FlowProbe::skipped_counter(const std::string& source_topic,
                                                const std::string& reason) {
  auto& counter = skipped_[{source_topic, reason}];
  if (counter == nullptr) {
    counter = &metrics_.records_skipped.Add(
        {{"flow", flow_}, {"topic", source_topic}, {"reason", reason}});
  }
  return *counter;
}

void FlowProbe::skipped(const std::string& source_topic, const std::string& reason) {
  skipped_counter(source_topic, reason).Increment();
}

void FlowProbe::looped(TopicSeries& series, const std::string& source_topic) {
  // The same counter as skipped(topic, "loop"); it goes with the series in remove_topic.
  if (series.loops == nullptr) series.loops = &skipped_counter(source_topic, "loop");
  series.loops->Increment();
}

void FlowProbe::dead_lettered(const std::string& source_topic, const std::string& reason) {
  auto& counter = dead_lettered_[{source_topic, reason}];
  if (counter == nullptr) {
    counter = &metrics_.records_dead_lettered.Add(
        {{"flow", flow_}, {"topic", source_topic}, {"reason", reason}});
  }
  counter->Increment();
}

uint64_t FlowProbe::skipped_count(const std::string& source_topic,
                                  const std::string& reason) const {
  auto it = skipped_.find({source_topic, reason});
  return it == skipped_.end() ? 0 : static_cast<uint64_t>(it->second->Value());
}

void FlowProbe::replicated(TopicSeries& series, size_t bytes, int64_t timestamp_ms) {
  if (series.pending_records++ == 0) dirty_.push_back(&series);
  series.pending_bytes += bytes;
  if (timestamp_ms <= 0) return;
  if (clock_ms_ == 0 || ++clock_uses_ >= 32) {
    clock_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
    clock_uses_ = 0;
  }
  const double seconds =
      static_cast<double>(std::max<int64_t>(0, clock_ms_ - timestamp_ms)) / 1000.0;
  const auto& bounds = Metrics::latency_buckets();
  // The first bucket whose upper bound is >= the value, as Histogram::Observe places it.
  const auto bucket = std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin();
  if (pending_latency_.empty()) pending_latency_.assign(bounds.size() + 1, 0.0);
  pending_latency_[static_cast<size_t>(bucket)] += 1;
  pending_latency_sum_ += seconds;
  latency_pending_ = true;
}

namespace {

void publish_topic(FlowProbe::TopicSeries& series) {
  if (series.pending_records == 0) return;
  series.records->Increment(static_cast<double>(series.pending_records));
  series.bytes->Increment(static_cast<double>(series.pending_bytes));
  series.pending_records = 0;
  series.pending_bytes = 0;
}

}  // namespace

void FlowProbe::publish() {
  for (TopicSeries* series : dirty_) publish_topic(*series);
  dirty_.clear();
  if (latency_pending_) {
    latency_->ObserveMultiple(pending_latency_, pending_latency_sum_);
    std::fill(pending_latency_.begin(), pending_latency_.end(), 0.0);
    pending_latency_sum_ = 0;
    latency_pending_ = false;
  }
  clock_ms_ = 0;
}

FlowProbe::PartitionSeries& FlowProbe::add_partition(const std::string& topic, int32_t partition) {
  auto& series = partitions_[{topic, partition}];
  if (series.lag == nullptr) {
    const prometheus::Labels labels{
        {"flow", flow_}, {"topic", topic}, {"partition", std::to_string(partition)}};
    series.lag = &metrics_.partition_lag.Add(labels);
    series.from_follower = &metrics_.fetch_from_follower.Add(labels);
  }
  return series;
}

void FlowProbe::remove_partition(const std::string& topic, int32_t partition) {
  auto it = partitions_.find({topic, partition});
  if (it == partitions_.end()) return;
  metrics_.partition_lag.Remove(it->second.lag);
  metrics_.fetch_from_follower.Remove(it->second.from_follower);
  partitions_.erase(it);
}

void FlowProbe::placement(PartitionSeries& series, int64_t lag, bool from_follower) {
  if (lag >= 0) series.lag->Set(static_cast<double>(lag));
  series.from_follower->Set(from_follower ? 1 : 0);
}

void FlowProbe::fetched(int32_t broker, const std::string& zone, uint64_t bytes) {
  auto& series = brokers_[broker];
  if (series.counter == nullptr || series.zone != zone) {
    auto& counter = series.zones[zone];
    if (counter == nullptr) {
      counter = &metrics_.fetch_bytes.Add(
          {{"flow", flow_}, {"broker", std::to_string(broker)}, {"zone", zone}});
    }
    series.counter = counter;
    series.zone = zone;
  }
  if (bytes > 0) series.counter->Increment(static_cast<double>(bytes));
}

void FlowProbe::heartbeat_age(double seconds) {
  if (heartbeat_age_ != nullptr) heartbeat_age_->Set(seconds);
}

void FlowProbe::checkpoint_latency(double seconds) {
  if (checkpoint_latency_ != nullptr) checkpoint_latency_->Set(seconds);
}

void FlowProbe::checkpoints_acknowledged(size_t count) {
  if (checkpoints_ != nullptr) checkpoints_->Increment(static_cast<double>(count));
}

void FlowProbe::checkpoint_groups(size_t groups) {
  if (checkpoint_groups_ != nullptr) checkpoint_groups_->Set(static_cast<double>(groups));
}

void FlowProbe::groups_synced(int groups) {
  if (groups_synced_ != nullptr) groups_synced_->Set(groups);
}

void FlowProbe::topic_acls_synced(size_t acls) {
  if (topic_acls_synced_ != nullptr) topic_acls_synced_->Set(static_cast<double>(acls));
}

}  // namespace mirror::metrics
