// The parts of librdkafka's statistics JSON (statistics.interval.ms) that mirror uses: which broker
// each partition is fetched from, its leader and lag, and bytes received per broker object.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "mirror/common/result.h"

namespace mirror::kafka {

struct PartitionStats {
  int32_t fetch_broker = -1;  // "broker": the broker this partition is fetched from
  int32_t leader = -1;        // "leader"
  int64_t consumer_lag = -1;  // "consumer_lag": -1 when unknown
  int64_t hi_offset = -1;
  int64_t app_offset = -1;
  std::string fetch_state;  // "active", "stopped", ...
  uint64_t rx_bytes = 0;    // "rxbytes": bytes of the records received, since the client began
};

struct BrokerStats {
  int32_t node_id = -1;
  std::string state;  // "UP", "DOWN", ...
};

struct ClientStats {
  std::map<std::pair<std::string, int32_t>, PartitionStats> partitions;  // (topic, partition)
  std::map<int32_t, BrokerStats>
      brokers;  // learned brokers by node id (bootstrap/logical left out)
  // The cumulative rxbytes of each of the client's broker objects, by librdkafka's name for it
  // ("host:port/id", "host:port/bootstrap"), with the node id it serves (logical and not yet
  // identified ones left out). Several objects may serve one node; each counts on its own.
  struct Received {
    int32_t node_id = -1;
    uint64_t rx_bytes = 0;
  };
  std::map<std::string, Received> received;
};

Result<ClientStats> parse_stats(std::string_view json);

// Bytes received per broker since the previous statistics of the same client: librdkafka's counts
// are cumulative per broker object, so one tracker belongs to one client (the counts of another
// consumer must not be mixed in, even of the same flow). A broker object seen for the first time
// counts all it received; one whose count went down (it was replaced) counts its new figure.
class ReceivedBytes {
 public:
  std::map<int32_t, uint64_t> since_last(const ClientStats& stats);

 private:
  std::map<std::string, uint64_t> last_;  // by broker object name
};

// Bytes of records received per partition (rxbytes) since the previous statistics of the same
// client, by (topic, partition). A partition seen for the first time counts all it received; one
// whose count went down counts its new figure; one that leaves the statistics (revoked) keeps its
// last figure, so coming back to the same client it counts only what is new.
class PartitionBytes {
 public:
  std::map<std::pair<std::string, int32_t>, uint64_t> since_last(const ClientStats& stats);

 private:
  std::map<std::pair<std::string, int32_t>, uint64_t> last_;
};

}  // namespace mirror::kafka
