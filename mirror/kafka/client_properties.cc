#include "mirror/kafka/client_properties.h"

#include <algorithm>
#include <cstdint>

#include "mirror/kafka/logging.h"
#include "mirror/kafka/record.h"

namespace mirror::kafka {
namespace {

// librdkafka's largest message.max.bytes: the largest record a flow can replicate.
constexpr int64_t kLargestRecord = 1000000000;
// The largest fetch answer a consumer takes: one such record batch and 64 MiB of framing.
constexpr int64_t kLargestAnswer = kLargestRecord + (int64_t{64} << 20);

bool is_source(ClientRole role) {
  return role == ClientRole::SourceConsumer || role == ClientRole::SourceControl;
}

// Layer 1: what mirror chooses for a role unless the user says otherwise.
Properties defaults(ClientRole role, const config::FlowSpec& flow, const ClientSettings& settings) {
  const std::string prefix = "mirror-" + flow.name;
  switch (role) {
    case ClientRole::SourceConsumer:
      return {
          {"client.id", prefix + "-consumer"},
          {"auto.offset.reset", "earliest"},
          {"partition.assignment.strategy", "cooperative-sticky"},
          // A killed instance's partitions move on (or come back to its restart) within ~10 s,
          // not librdkafka's 45 s; heartbeats come from librdkafka's own thread, not our polls.
          // A static member's partitions wait for its restart: long enough for a pod to roll.
          {"session.timeout.ms", settings.group_instance_id ? "30000" : "10000"},
          {"queued.max.messages.kbytes", std::to_string(settings.prefetch_kbytes.value_or(32768))},
          // When that prefetch queue is full, librdkafka waits this long before fetching the
          // partition again (default 1000 ms): at full speed the 32 MiB queue drains in well
          // under a second, so the default left fetching idle most of the time
          // (docs/benchmarks.md: 2.6 times the throughput).
          {"fetch.queue.backoff.ms", "10"},
          // A follower broker that dies hands its partitions back to their leaders only when a
          // reconnect to it fails (librdkafka 2.8.0), and the leader, still counting the dead
          // follower in its ISR, keeps naming it as preferred replica until it drops out. With
          // librdkafka's 10 s between reconnects nothing was read for 11-14 s after the kill on
          // the zoned test bed; with 1 s the leaders serve within about 8 s (docs/testing.md, Z2).
          {"reconnect.backoff.max.ms", "1000"},
          // Partitions added on the source are seen (and replicated) at the topic refresh interval.
          {"topic.metadata.refresh.interval.ms",
           std::to_string(std::max(1000, flow.refresh_topics_interval_seconds * 1000))},
          {"enable.partition.eof", "false"},
          {"log.connection.close", "false"},
          // Records of any size the source accepted are read: a fetch answer holds at least the
          // first record batch whatever fetch.max.bytes says (KIP-74), and the answer must fit
          // here (librdkafka's default is 100 MB). kLargestAnswer covers the largest record the
          // producer can write (kLargestRecord) plus the answer's framing; it is a bound checked
          // against each answer's length, not a buffer allocated up front.
          {"receive.message.max.bytes", std::to_string(kLargestAnswer)},
      };
    case ClientRole::TargetProducer: {
      Properties producer{
          {"client.id", prefix + "-producer"},
          {"linger.ms", "5"},
          // Batches stay at 1 MB; a larger record goes in a batch of its own.
          {"batch.size", "1000000"},
          // What the source accepted is sent, whatever its size: librdkafka's local limit (default
          // 1 MB, MSG_SIZE_TOO_LARGE before anything is sent) is raised to its maximum, so the
          // only limit is the target topic's own max.message.bytes, which the topic config sync
          // makes follow the source's (topics/config_sync.h). A record the target still refuses
          // is the flow's `unreplicable_records` policy's to handle. The producer is created
          // before the routing is known and lives across routing changes, hence the fixed maximum
          // rather than the largest source topic's limit.
          {"message.max.bytes", std::to_string(kLargestRecord)},
          // Room for the largest record on top of the usual 64 MiB. Memory does not grow with it:
          // the pipeline keeps at most 32 MiB in flight, or one larger record alone
          // (flow/pipeline.h), so the producer's queue never holds more.
          {"queue.buffering.max.kbytes", std::to_string(65536 + kLargestRecord / 1024 + 1)},
          {"message.timeout.ms", "300000"},
          {"log.connection.close", "false"},
          // Compressed writes: lz4 halved a JSON payload for about 4 CPU s/GB, zstd took it to a
          // quarter for about nine times that CPU (docs/benchmarks.md, the codec table). A flow's
          // `producer:` may set another codec (or none).
          {"compression.type", "lz4"},
          // Back on a target within a second of its return: until the producer reconnects
          // nothing is acknowledged or committed, and what waited is then acknowledged in one
          // burst; with librdkafka's 10 s between reconnects replication resumed up to 6 s after
          // the target was reachable again (docs/testing.md, "Found by
          // `e2e_duplicates_per_fault`").
          {"reconnect.backoff.max.ms", "1000"},
      };
      // An exactly-once flow's transactions last about a commit interval; one left open by a
      // frozen or dead instance is aborted by the coordinator after this long (librdkafka's 60 s
      // would hold up a new owner's claim of its partitions, and read_committed readers, as long;
      // flow/exactly_once.h). A record must be delivered within it (librdkafka refuses a longer
      // message.timeout.ms): a target away for longer ends the session, whose transaction is
      // aborted, and the next one copies the records again from the positions.
      if (flow.exactly_once_delivery_enabled) {
        producer["transaction.timeout.ms"] = "10000";
        producer["message.timeout.ms"] = "10000";
      }
      return producer;
    }
    case ClientRole::SourceControl:
      return {{"client.id", prefix + "-control"}, {"log.connection.close", "false"}};
    case ClientRole::TargetControl:
      return {
          {"client.id", prefix + "-control"},
          {"linger.ms", "10"},
          {"message.timeout.ms", std::to_string(settings.control_timeout.count())},
          {"log.connection.close", "false"},
      };
    case ClientRole::TargetReader:
      return {{"client.id", prefix + "-control"}, {"log.connection.close", "false"}};
  }
  return {};
}

// Layer 4: what mirror owns.
Properties owned(ClientRole role, const config::ClusterSpec& cluster, const config::FlowSpec& flow,
                 const ClientSettings& settings) {
  Properties out{{"bootstrap.servers", cluster.bootstrap_servers}};
  switch (role) {
    case ClientRole::SourceConsumer:
      out["group.id"] = group_id(flow);
      out["enable.auto.commit"] = "false";
      out["enable.auto.offset.store"] = "false";
      out["statistics.interval.ms"] = std::to_string(settings.statistics_interval.count());
      if (settings.client_rack) out["client.rack"] = *settings.client_rack;
      if (settings.group_instance_id) out["group.instance.id"] = *settings.group_instance_id;
      // Records of aborted source transactions are never copied by an exactly-once flow (the
      // loader refuses another isolation.level there).
      if (flow.exactly_once_delivery_enabled) out["isolation.level"] = "read_committed";
      break;
    case ClientRole::TargetProducer:
      out["enable.idempotence"] = "true";
      out["acks"] = "all";
      if (settings.transactional_id) out["transactional.id"] = *settings.transactional_id;
      break;
    case ClientRole::SourceControl:
      break;
    case ClientRole::TargetControl:
      out["acks"] = "all";
      break;
    case ClientRole::TargetReader:
      // assign() needs a group; it is never joined and nothing is committed.
      out["group.id"] = group_id(flow) + "-control";
      out["enable.auto.commit"] = "false";
      out["enable.auto.offset.store"] = "false";
      out["enable.partition.eof"] = "true";
      out["auto.offset.reset"] = "earliest";
      break;
  }
  return out;
}

void apply(ClientProperties& out, const std::map<std::string, std::string>& layer,
           const std::set<std::string>& secrets,
           const std::map<std::string, config::Location>& locations) {
  for (const auto& [key, value] : layer) {
    out.values[key] = value;
    if (secrets.count(key) != 0) out.secrets.insert(key);
    if (auto at = locations.find(key); at != locations.end()) out.locations[key] = at->second;
  }
}

}  // namespace

const char* to_string(ClientRole role) {
  switch (role) {
    case ClientRole::SourceConsumer:
      return "source consumer";
    case ClientRole::TargetProducer:
      return "target producer";
    case ClientRole::SourceControl:
      return "source control client";
    case ClientRole::TargetControl:
      return "target control client";
    case ClientRole::TargetReader:
      return "target reader";
  }
  return "client";
}

std::string group_id(const config::FlowSpec& flow) {
  return "mirror-" + flow.name;
}

ClientProperties client_properties(ClientRole role, const config::ClusterSpec& cluster,
                                   const config::FlowSpec& flow, const ClientSettings& settings) {
  ClientProperties out;
  out.role = role;
  out.flow = flow.name;
  out.values = defaults(role, flow, settings);
  apply(out, cluster.properties, cluster.secret_properties, cluster.property_locations);
  if (is_source(role)) {
    apply(out, flow.consumer, flow.secret_properties, flow.consumer_locations);
  } else if (role != ClientRole::TargetReader) {
    apply(out, flow.producer, flow.secret_properties, flow.producer_locations);
  }
  for (auto& [key, value] : owned(role, cluster, flow, settings)) {
    out.values[key] = std::move(value);
    out.locations.erase(key);
  }
  return out;
}

Result<ConfPtr> ClientProperties::conf() const {
  auto conf = make_conf(values, secrets);
  if (!conf.ok()) {
    return make_error(std::string(to_string(role)) + ": " + conf.error().message, 0, false);
  }
  return conf;
}

std::vector<ClientProperties::Problem> ClientProperties::problems() const {
  std::vector<Problem> out;
  for (const auto& [key, value] : values) {
    auto one = make_conf({{key, value}}, secrets);
    if (!one.ok()) out.push_back({key, one.error().message});
  }
  return out;
}

Result<HandlePtr> ClientProperties::create(
    ClientType type, void* opaque, const std::function<void(rd_kafka_conf_t*)>& callbacks) const {
  auto c = conf();
  if (!c.ok()) return c.error();
  rd_kafka_conf_set_opaque(c->get(), opaque);
  rd_kafka_conf_set_log_cb(c->get(), &log_callback);
  const auto id = values.find("client.id");
  if (id != values.end()) name_flow_of_client(id->second, flow);
  if (callbacks) callbacks(c->get());
  auto handle = make_client(type, std::move(c.value()));
  if (!handle.ok()) {
    return make_error(std::string(to_string(role)) + ": " + handle.error().message, 0, false);
  }
  return std::move(handle.value());
}

ClientError error_of(rd_kafka_t* rk, int err, const char* reason) {
  ClientError error{err, reason != nullptr ? reason : "", false};
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char buf[512];
    error.code = rd_kafka_fatal_error(rk, buf, sizeof buf);
    error.message = buf;
    error.fatal = true;
  }
  return error;
}

}  // namespace mirror::kafka
