// MirrorMaker 2's record formats for its internal topics (connect-mirror-client's Heartbeat and
// Checkpoint, connect-mirror's OffsetSync, whose value has no version header):
// Kafka protocol structs, big-endian, strings as int16 length + UTF-8. Other values start
// with an int16 version header (0); keys have none. Tools built on MM2's client library read what
// these functions write.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mirror::mm2 {

struct Heartbeat {
  std::string source_cluster;
  std::string target_cluster;
  int64_t timestamp_ms = 0;
  bool operator==(const Heartbeat&) const = default;
};

struct Checkpoint {
  std::string group;
  std::string topic;  // the target topic (renamed by the replication policy)
  int32_t partition = 0;
  int64_t upstream_offset = 0;
  int64_t downstream_offset = 0;
  std::string metadata;
  bool operator==(const Checkpoint&) const = default;
};

// A source record `upstream_offset` of topic/partition (the source's names) that the target holds
// at `downstream_offset` of the replicated topic.
struct OffsetSync {
  std::string topic;
  int32_t partition = 0;
  int64_t upstream_offset = 0;
  int64_t downstream_offset = 0;
  bool operator==(const OffsetSync&) const = default;
};

struct EncodedRecord {
  std::string key;
  std::string value;
};

EncodedRecord encode(const Heartbeat& heartbeat);
EncodedRecord encode(const Checkpoint& checkpoint);
EncodedRecord encode(const OffsetSync& sync);

// Nothing on malformed input or an unknown version.
std::optional<Heartbeat> decode_heartbeat(std::string_view key, std::string_view value);
std::optional<Checkpoint> decode_checkpoint(std::string_view key, std::string_view value);
std::optional<OffsetSync> decode_offset_sync(std::string_view key, std::string_view value);

// MM2's topic names (DefaultReplicationPolicy, whose internal topics use the replication policy's
// separator). The offset-syncs topic is the one MM2 places on the target
// (offset-syncs.topic.location = target), named after the source cluster.
inline const std::string kHeartbeatsTopic = "heartbeats";
inline std::string checkpoints_topic(const std::string& source_cluster,
                                     const std::string& separator = ".") {
  return source_cluster + separator + "checkpoints" + separator + "internal";
}
inline std::string offset_syncs_topic(const std::string& source_cluster,
                                      const std::string& separator = ".") {
  return "mm2-offset-syncs" + separator + source_cluster + separator + "internal";
}

}  // namespace mirror::mm2
