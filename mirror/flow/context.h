// What one flow is given to run: its specification, the clusters it connects, the node's rack,
// the service's metrics and tuning. Shared read-only by the flow's record and control threads.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "mirror/config/spec.h"
#include "mirror/flow/budget.h"
#include "mirror/kafka/admin.h"
#include "mirror/kafka/client_properties.h"
#include "mirror/kafka/shared_clients.h"
#include "mirror/metrics/metrics.h"

namespace mirror::flow {

struct Tuning {
  std::chrono::milliseconds poll_timeout{100};      // waiting for records, nothing in flight
  std::chrono::milliseconds busy_poll_timeout{10};  // waiting for records or deliveries
  // Sent to the target, not acknowledged yet: at most this, and at most the flow's share of the
  // record budget (FlowContext::budget).
  size_t max_in_flight_bytes = 32u << 20;
  size_t max_in_flight_records = 50000;
  // When records wait for room this long, the partitions are paused (librdkafka drops what it
  // had prefetched; until then its prefetch queue fills and fetching stops by itself).
  std::chrono::milliseconds pause_after{1000};
  // Commits: every commit_interval, and sooner (at most every commit_min_interval) once
  // commit_after_records were acknowledged since the last one, so a crash sends again at most
  // about that many records or that interval's deliveries, not a whole burst: after a target
  // outage everything queued meanwhile is acknowledged within a moment.
  std::chrono::milliseconds commit_interval{1000};
  std::chrono::milliseconds commit_min_interval{100};
  size_t commit_after_records = 1000;
  std::chrono::milliseconds stats_interval{1000};
  std::chrono::milliseconds status_interval{1000};
  std::chrono::milliseconds metadata_timeout{10000};  // per admin call of the control thread
  std::chrono::milliseconds flush_timeout{10000};     // on revocation and graceful stop
  std::chrono::milliseconds commit_timeout{5000};
  std::chrono::milliseconds close_timeout{10000};
  std::chrono::milliseconds abort_timeout{2000};  // commit and close after a failure
  // An exactly-once flow's claim of new partitions (exactly_once.h): it may wait for a transaction
  // another instance left open, up to the producer's transaction.timeout.ms (10 s).
  std::chrono::milliseconds claim_timeout{30000};
  std::chrono::milliseconds retry_backoff_min{1000};
  std::chrono::milliseconds retry_backoff_max{30000};
  // A failure no retry can cure (credentials, a property librdkafka refuses): `state: failed`,
  // tried again after this long.
  std::chrono::milliseconds failed_backoff{300000};
  std::chrono::milliseconds fallback_grace{5000};  // before a leader read counts as "rack ignored"
  // A partition fetched this long from a follower that is down gets a new consumer (fetch_watch.h).
  // A backstop: with reconnects 1 s apart (the consumer's reconnect.backoff.max.ms) librdkafka
  // itself moves such a partition back to its leader within about a second of each failed connect.
  std::chrono::milliseconds stuck_fetch_grace{5000};
};

struct FlowContext {
  config::FlowSpec spec;
  config::ClusterSpec source;
  config::ClusterSpec target;
  // The node's AZ in the source cluster's rack form (rack_id_format); empty when unknown.
  std::optional<std::string> node_rack;
  // What the consumer sends as client.rack: node_rack when follower fetching is on, else nothing.
  std::optional<std::string> client_rack;
  // The consumer's group.instance.id: node.instance_id when static membership is on, else nothing.
  std::optional<std::string> group_instance_id;
  // The target producer's transactional.id when exactly_once_delivery_enabled (exactly_once.h).
  std::optional<std::string> transactional_id;
  metrics::Metrics* metrics = nullptr;
  Tuning tuning;
  kafka::AdminFactory admin_factory;  // empty: librdkafka's Admin API (kafka::make_admin)
  // The process's clients shared by flows (kafka/shared_clients.h); null: the flow has its own.
  std::shared_ptr<kafka::SharedClients> shared_clients;
  // The process's memory for records, shared by its flows (budget.h); null: no share (the
  // tuning's limits, librdkafka's prefetch default of mirror).
  std::shared_ptr<const RecordBudget> budget;

  // Bytes this flow may keep in flight now.
  size_t in_flight_bytes_limit() const {
    return budget ? std::min(tuning.max_in_flight_bytes, budget->in_flight_share())
                  : tuning.max_in_flight_bytes;
  }

  // This flow's client properties for `role` (kafka/client_properties.h).
  kafka::ClientProperties client(kafka::ClientRole role) const {
    const bool source_side =
        role == kafka::ClientRole::SourceConsumer || role == kafka::ClientRole::SourceControl;
    kafka::ClientSettings settings{
        client_rack,
        tuning.stats_interval,
        tuning.metadata_timeout,
        group_instance_id,
        role == kafka::ClientRole::TargetProducer ? transactional_id : std::nullopt,
        std::nullopt};
    if (budget && role == kafka::ClientRole::SourceConsumer) {
      settings.prefetch_kbytes = budget->prefetch_kbytes();
    }
    return kafka::client_properties(role, source_side ? source : target, spec, settings);
  }
};

}  // namespace mirror::flow
