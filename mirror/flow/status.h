// A flow's externally visible state, as served on /flows and /readyz.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mirror::flow {

// failed: an error no retry can cure soon (credentials, a refused property); tried again after a
// long backoff. retrying: anything else (a cluster unreachable), tried again within seconds.
// paused: running, fetching nothing, by the operator's request (POST /flows/<name>/pause).
// stalled: running, with at least one partition stopped at a record the target refuses
// (unreplicable_records: fail; FlowStatus::stalled says which).
enum class State {
  Starting,
  Running,
  Paused,
  Retrying,
  Failed,
  Stopping,
  Stopped,
  Disabled,
  Stalled
};
enum class FetchMode { Follower, LeaderFallback, Leader };

const char* to_string(State state);
const char* to_string(FetchMode mode);

struct PartitionStatus {
  std::string topic;
  int32_t partition = 0;
  std::string target_topic;
  int32_t leader = -1;
  int32_t fetch_broker = -1;
  std::string fetch_broker_rack;
  bool from_follower = false;
  int64_t lag = -1;
  uint64_t replicated = 0;
};

// A partition stopped at a record the target refuses.
struct StalledPartition {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = -1;
  std::string reason;
};

// A flow's topic ACL sync (sync_topic_acls_enabled).
struct AclSyncStatus {
  uint64_t acls = 0;       // target ACLs the sync keeps in line (mirror_topic_acls_synced)
  uint64_t rounds = 0;     // rounds that read both clusters' ACLs
  std::string last_error;  // of the last round (empty when everything went through)
};

struct FlowStatus {
  std::string name;
  State state = State::Starting;
  std::string source;
  std::string target;
  bool follower_fetching_enabled = true;
  std::optional<std::string> client_rack;
  FetchMode fetch_mode = FetchMode::Leader;
  std::string last_error;          // empty when healthy; never holds secrets
  uint64_t in_flight_records = 0;  // sent to the target, not acknowledged yet
  uint64_t in_flight_bytes = 0;
  uint64_t in_flight_bytes_limit = 0;  // the flow's share of memory.record_buffers_mib (budget.h)
  bool fetch_paused = false;           // fetching paused because the target is behind
  uint64_t restarts = 0;               // session restarts since the process started
  std::vector<PartitionStatus> partitions;
  std::vector<StalledPartition> stalled;  // state stalled: the partitions and records
  std::optional<AclSyncStatus> acl_sync;  // set when sync_topic_acls_enabled
};

}  // namespace mirror::flow
