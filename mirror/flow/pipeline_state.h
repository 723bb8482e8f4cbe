// The pipeline's state (pipeline.h): per topic, route and partition, shared by the pipeline's two
// files (pipeline.cc: routes, records, holds, fetching, offsets; pipeline_refusals.cc: records the
// target refuses). Nothing outside them includes it.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mirror/flow/pipeline.h"

namespace mirror::flow {
namespace pipeline_detail {

constexpr uint8_t kBackpressure = 1;  // Partition::reasons: why fetching is stopped
constexpr uint8_t kHeld = 2;
constexpr uint8_t kSolo = 4;    // sending one record at a time after a refused batch
constexpr uint8_t kPaused = 8;  // the flow is paused (set_paused)
constexpr auto kRetryHeld = std::chrono::milliseconds(200);  // a held partition's next try
constexpr int kPurgedQueue = -152;                           // RD_KAFKA_RESP_ERR__PURGE_QUEUE
constexpr int kPurgedInFlight = -151;                        // RD_KAFKA_RESP_ERR__PURGE_INFLIGHT
constexpr int kUnknownPartition = -190;                      // RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION
constexpr int kUnknownTopicOrPartition = 3;  // RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART
constexpr auto kNoteGap = std::chrono::seconds(10);
// A partition told to seek back gets its first record again within this long, or the seek is
// told again (a seek that librdkafka did not carry out would otherwise stall the partition).
constexpr auto kRefetchGrace = std::chrono::seconds(5);  // between log lines of skipped records

inline std::string tp_name(const std::string& topic, int32_t partition) {
  return topic + "[" + std::to_string(partition) + "]";
}

template <typename T>
void erase_value(std::vector<T*>& v, T* value) {
  v.erase(std::remove(v.begin(), v.end(), value), v.end());
}

}  // namespace pipeline_detail

struct Pipeline::Route : Lane {
  Topic* topic = nullptr;
  size_t in_flight = 0;
};

// A refused record on its way to the dead-letter topic.
struct Pipeline::Letter {
  kafka::Record record;
  int code = 0;       // why the target refused it (rd_kafka_resp_err_t)
  std::string error;  // the same in words
  bool with_value = true;
};

struct Pipeline::PendingLetter {
  kafka::TopicPartition source;
  Letter letter;
  size_t bytes = 0;  // its share of in_flight_bytes_
};

struct Pipeline::Partition {
  Topic* topic = nullptr;
  int32_t id = 0;
  OffsetTracker tracker;
  int64_t last_taken = -1;
  int64_t last_committed = -1;
  std::deque<kafka::Record> waiting;  // taken, not sent, in offset order
  Hold hold = Hold::None;
  Clock::time_point retry_at{};
  int64_t rewind_from = -1;   // fetch again from here once nothing is in flight
  int64_t refetch_from = -1;  // told to seek here, its record not fetched yet
  Clock::time_point refetch_due{};
  uint8_t reasons = 0;         // why fetching must be stopped (kBackpressure, kHeld, kPaused)
  bool fetch_stopped = false;  // as last told to the consumer
  bool fetch_told = false;     // told at all (a new partition is told to pause or resume)
  bool queued_dirty = false;
  bool queued_ready = false;
  uint64_t* replicated = nullptr;  // in the flow's counts (ReplicatedCounts)
  Clock::time_point assigned_at{};
  Placement placement;
  metrics::FlowProbe::PartitionSeries* series = nullptr;
  mm2::PartitionSyncs* syncs = nullptr;
  // One record at a time up to here (-1: not now), after a refused batch; `solo` is the record
  // sent alone, kept until its delivery (it may be unreplicable).
  int64_t solo_until = -1;
  std::optional<kafka::Record> solo;
  std::optional<Letter> letter;  // Hold::DeadLetter: waiting to be sent
  int64_t stall_offset = -1;     // Hold::Stalled
  std::string stall_reason;
};

struct Pipeline::Topic {
  std::string name;
  std::unique_ptr<Route> route;                        // null while not routed
  std::vector<std::unique_ptr<Route>> retired;         // routes gone, with records still in flight
  std::vector<std::unique_ptr<Partition>> partitions;  // by partition id; null: not assigned
  metrics::FlowProbe::TopicSeries* series = nullptr;
  Partition* partition(int32_t id) const {
    if (id < 0 || static_cast<size_t>(id) >= partitions.size()) return nullptr;
    return partitions[static_cast<size_t>(id)].get();
  }
};

}  // namespace mirror::flow
