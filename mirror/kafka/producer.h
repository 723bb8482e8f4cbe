// A flow's producer to the target cluster: librdkafka's producer behind calls that speak in records
// and deliveries. It owns the handle, the topic handles (destroyed before the handle) and the
// callback trampolines (which never throw into librdkafka).
//
// A record goes to the same partition number of its target topic with its key, value, headers and
// timestamp; its source offset rides along and comes back in the Delivery (`tag`), with the
// `owner` its topic was registered with. Nothing here blocks except flush(), bounded by its
// deadline; send() never waits for room.
//
// Connections: the records may be spread over several librdkafka producers, each with its own
// connection to every target broker. librdkafka sends one partition's batch per produce request
// and, with idempotence, keeps at most 5 requests in flight per connection, so one connection
// carries at most 5 batches per round trip: across a link of 40 ms that is about 125 MB/s at 1 MB
// batches, whatever the bandwidth (docs/benchmarks.md, "WAN"). A partition of a topic always goes
// through the same connection (its order and idempotent sequence stay on one producer); records
// of mirror's own and dead letters go through the first, as do raw() and its Admin API.
//
// Threading: every call, and every ProducerEvents callback, happens on the owner's thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/kafka/admin.h"
#include "mirror/kafka/client_properties.h"
#include "mirror/kafka/handles.h"
#include "mirror/kafka/record.h"

namespace mirror::kafka {

// What the producer tells its owner, from inside poll() and flush(). Must not throw.
class ProducerEvents {
 public:
  virtual void on_delivery(const Delivery& delivery) = 0;
  virtual void on_producer_error(const ClientError& error) = 0;

 protected:
  ~ProducerEvents() = default;
};

class TargetProducer {
 public:
  // `events` must outlive the producer; `connections` >= 1 producers of the same properties.
  static Result<std::unique_ptr<TargetProducer>> create(const ClientProperties& properties,
                                                        ProducerEvents& events,
                                                        int connections = 1);
  // Without flush(): what is still queued is dropped, no delivery reports are served.
  ~TargetProducer();
  TargetProducer(const TargetProducer&) = delete;
  TargetProducer& operator=(const TargetProducer&) = delete;

  // A target topic's handle; `owner` comes back in every Delivery of a record sent to it.
  class Topic;
  Topic& topic(const std::string& name, void* owner);
  // Drops a topic handle (when no delivery of it is outstanding).
  void release(Topic& topic);
  const std::string& name(const Topic& topic) const;

  enum class Outcome {
    Sent,              // queued; its Delivery follows
    QueueFull,         // the producer's queue is full: try again after poll()
    UnknownPartition,  // the producer's metadata lacks the partition (see refresh_metadata)
    Refused,           // librdkafka refused the record (its error is in SendResult)
  };
  struct SendResult {
    Outcome outcome = Outcome::Sent;
    int error = 0;  // rd_kafka_resp_err_t for Refused
    std::string_view reason;
  };
  // A source record to the same partition of `topic`; with `replace`, that header instead of the
  // record's headers of its name (record.h, HeaderValue).
  SendResult send(Topic& topic, const Record& record, const HeaderValue* replace = nullptr);
  // A copy of a source record to any partition of `topic` (a dead-letter topic): its key,
  // timestamp and headers, `extra` headers after them, its value unless `with_value` is false;
  // `tag` comes back in the Delivery.
  SendResult send_copy(Topic& topic, const Record& record, bool with_value,
                       const std::vector<std::pair<std::string, std::string>>& extra, int64_t tag);
  // A record of mirror's own (heartbeat, checkpoint, offset sync) to partition `partition` (-1:
  // any), with one header when `header_name` is not empty.
  SendResult send(Topic& topic, int32_t partition, std::string_view key, std::string_view value,
                  int64_t tag, std::string_view header_name = {},
                  std::string_view header_value = {});

  // Asks for the topic's metadata without waiting; the answer updates what send() knows (a
  // partition added on the target is then known).
  void refresh_metadata(Topic& topic);

  // Serves delivery reports (of every connection), waiting up to `wait` for the first.
  void poll(std::chrono::milliseconds wait);
  // Waits for every queued record's delivery (reports served), within the deadline.
  Status flush(Deadline deadline);
  // Fails every queued and in-flight record (their Deliveries report _PURGE_*; serve them with
  // poll()).
  void purge();
  // Records queued or in flight.
  size_t queued() const;
  // The first connection's handle, for librdkafka's Admin API on the same connections (not owned
  // by the caller).
  rd_kafka_t* raw() const { return handles_.front().get(); }
  size_t connections() const { return handles_.size(); }

 private:
  explicit TargetProducer(ProducerEvents& events) : events_(events) {}
  static void delivery_cb(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  static void error_cb(rd_kafka_t* rk, int err, const char* reason, void* opaque);

  // A pipe every connection's delivery queue writes a byte to when it has something to serve
  // (librdkafka's queue I/O events; only with several connections): poll() waits on it.
  class Wakeup {
   public:
    Wakeup() = default;
    Wakeup(const Wakeup&) = delete;
    Wakeup& operator=(const Wakeup&) = delete;
    ~Wakeup();
    bool open();
    int write_fd() const { return fds_[1]; }
    void wait(std::chrono::milliseconds timeout);  // until a byte comes or the timeout; drains

   private:
    int fds_[2] = {-1, -1};
  };

  // Members are destroyed bottom-up: topic handles before the producer handles, the handles
  // before what their callbacks and queue events use.
  ProducerEvents& events_;
  Wakeup wakeup_;
  std::vector<HandlePtr> handles_;
  std::map<std::string, std::unique_ptr<Topic>> topics_;
};

// A target topic: one librdkafka topic handle per connection.
class TargetProducer::Topic {
 public:
  Topic(std::string name, void* owner, std::vector<TopicPtr> handles)
      : name_(std::move(name)),
        owner_(owner),
        seed_(std::hash<std::string>{}(name_)),
        handles_(std::move(handles)) {}
  const std::string& name() const { return name_; }
  void* owner() const { return owner_; }
  // The connection that carries `partition` (the first for -1, any partition). Partitions of one
  // topic are spread round-robin from a start that depends on the topic's name, so many topics of
  // few partitions do not all land on the first connection.
  size_t connection(int32_t partition) const {
    return partition < 0 ? 0 : (seed_ + static_cast<size_t>(partition)) % handles_.size();
  }
  rd_kafka_topic_t* handle(size_t connection) const { return handles_[connection].get(); }

 private:
  std::string name_;
  void* owner_;
  size_t seed_;
  std::vector<TopicPtr> handles_;
};

}  // namespace mirror::kafka
