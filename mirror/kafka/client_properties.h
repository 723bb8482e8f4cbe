// The one builder of a flow's librdkafka client properties, used alike by the record path, the
// control thread and `mirror validate` (which builds every client's configuration without
// connecting). Layers, later wins:
//   1. mirror's defaults for the client's role (tuning a user may change; among them the limits
//      that let records of any size the source accepted through: the producer's
//      message.max.bytes and the consumer's receive.message.max.bytes at librdkafka's maximum),
//   2. the cluster's `properties` (security, TLS, SASL, ...),
//   3. the flow's `consumer:` (source clients) or `producer:` (target producers) overrides,
//   4. what mirror owns: bootstrap.servers, the consumer group, commits, client.rack, statistics,
//      idempotence and acks (config/properties.h refuses these in layers 2 and 3).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/config/spec.h"
#include "mirror/kafka/handles.h"
#include "mirror/kafka/record.h"

namespace mirror::kafka {

enum class ClientRole {
  SourceConsumer,  // the record path's consumer, in group mirror-<flow>
  TargetProducer,  // the record path's producer
  SourceControl,   // the control thread's source client: metadata, admin, group offsets
  TargetControl,   // the control thread's target client: admin, heartbeats, checkpoints, syncs
  TargetReader,    // the control thread's reader of the offset-syncs and checkpoints topics
};

const char* to_string(ClientRole role);  // "source consumer", "target producer", ...

// What the service decides at run time rather than the configuration.
struct ClientSettings {
  std::optional<std::string> client_rack;               // SourceConsumer only
  std::chrono::milliseconds statistics_interval{1000};  // SourceConsumer only
  std::chrono::milliseconds control_timeout{10000};     // TargetControl's message.timeout.ms
  std::optional<std::string> group_instance_id;         // SourceConsumer: a static member
  // TargetProducer of an exactly-once flow: its transactional.id (flow/exactly_once.h).
  std::optional<std::string> transactional_id;
  // SourceConsumer: its prefetch queue (queued.max.messages.kbytes; default 32768), the flow's
  // share of memory.record_buffers_mib (flow/budget.h). A `consumer:` override wins.
  std::optional<size_t> prefetch_kbytes;
};

struct ClientProperties {
  ClientRole role = ClientRole::SourceConsumer;
  std::string flow;  // the flow whose client this is, named by its log lines; empty: shared
  Properties values;
  std::set<std::string> secrets;  // names whose values are never shown
  // Where a property the user set comes from (for `validate`); absent for mirror's own.
  std::map<std::string, config::Location> locations;

  // A librdkafka configuration of these properties, without connecting anywhere. Errors name the
  // role and the first property librdkafka refuses (never a secret value); not retriable.
  Result<ConfPtr> conf() const;

  // Every property librdkafka refuses (unknown name, bad value), in name order.
  struct Problem {
    std::string key;
    std::string message;  // "invalid librdkafka property 'k': why" (the value only if not secret)
  };
  std::vector<Problem> problems() const;

  // A client of these properties: `opaque` for its callbacks, which `callbacks` sets on the
  // configuration (mirror's logger is set here). Errors name the role; not retriable.
  Result<HandlePtr> create(ClientType type, void* opaque,
                           const std::function<void(rd_kafka_conf_t*)>& callbacks) const;
};

// A client error as the error callback reports it (the fatal error's own code and text when
// `err` is RD_KAFKA_RESP_ERR__FATAL).
ClientError error_of(rd_kafka_t* rk, int err, const char* reason);

ClientProperties client_properties(ClientRole role, const config::ClusterSpec& cluster,
                                   const config::FlowSpec& flow, const ClientSettings& settings);

// The consumer group of a flow's record path.
std::string group_id(const config::FlowSpec& flow);

}  // namespace mirror::kafka
