// RAII ownership of librdkafka's C objects, and client construction from property maps.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "mirror/common/result.h"

namespace mirror::kafka {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* p) const { rd_kafka_conf_destroy(p); }
};
struct TopicConfDeleter {
  void operator()(rd_kafka_topic_conf_t* p) const { rd_kafka_topic_conf_destroy(p); }
};
// Destroys without closing: consumers must be closed first (see close_consumer in admin.h).
struct HandleDeleter {
  void operator()(rd_kafka_t* p) const { rd_kafka_destroy(p); }
};
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* p) const { rd_kafka_queue_destroy(p); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* p) const { rd_kafka_event_destroy(p); }
};
struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* p) const {
    rd_kafka_topic_partition_list_destroy(p);
  }
};
struct MessageDeleter {
  void operator()(rd_kafka_message_t* p) const { rd_kafka_message_destroy(p); }
};
struct TopicDeleter {
  void operator()(rd_kafka_topic_t* p) const { rd_kafka_topic_destroy(p); }
};
struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* p) const { rd_kafka_metadata_destroy(p); }
};
struct ConfigResourceDeleter {
  void operator()(rd_kafka_ConfigResource_t* p) const { rd_kafka_ConfigResource_destroy(p); }
};
struct ErrorDeleter {
  void operator()(rd_kafka_error_t* p) const { rd_kafka_error_destroy(p); }
};
struct ListGroupOffsetsDeleter {
  void operator()(rd_kafka_ListConsumerGroupOffsets_t* p) const {
    rd_kafka_ListConsumerGroupOffsets_destroy(p);
  }
};
struct AlterGroupOffsetsDeleter {
  void operator()(rd_kafka_AlterConsumerGroupOffsets_t* p) const {
    rd_kafka_AlterConsumerGroupOffsets_destroy(p);
  }
};

struct AclBindingDeleter {
  void operator()(rd_kafka_AclBinding_t* p) const { rd_kafka_AclBinding_destroy(p); }
};

using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using TopicConfPtr = std::unique_ptr<rd_kafka_topic_conf_t, TopicConfDeleter>;
using HandlePtr = std::unique_ptr<rd_kafka_t, HandleDeleter>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, TopicDeleter>;
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;
using ConfigResourcePtr = std::unique_ptr<rd_kafka_ConfigResource_t, ConfigResourceDeleter>;
using ErrorPtr = std::unique_ptr<rd_kafka_error_t, ErrorDeleter>;
using ListGroupOffsetsPtr =
    std::unique_ptr<rd_kafka_ListConsumerGroupOffsets_t, ListGroupOffsetsDeleter>;
using AlterGroupOffsetsPtr =
    std::unique_ptr<rd_kafka_AlterConsumerGroupOffsets_t, AlterGroupOffsetsDeleter>;

using AclBindingPtr = std::unique_ptr<rd_kafka_AclBinding_t, AclBindingDeleter>;

using Properties = std::map<std::string, std::string>;

// Builds a configuration from properties applied in order: base, then each override map.
// Errors name the property; the value is shown only when it is not secret.
Result<ConfPtr> make_conf(const Properties& properties, const std::set<std::string>& secret_keys);

enum class ClientType { Producer, Consumer };

// Creates a client from a conf (ownership passes to librdkafka on success).
Result<HandlePtr> make_client(ClientType type, ConfPtr conf);

// Key + value + header names and values of a message: what in-flight limits and byte counters
// count (the same for a fetched record and its produced copy).
size_t message_bytes(const rd_kafka_message_t* msg);

// Milliseconds left until a deadline, clamped to [0, INT_MAX].
int remaining_ms(std::chrono::steady_clock::time_point deadline);

}  // namespace mirror::kafka
