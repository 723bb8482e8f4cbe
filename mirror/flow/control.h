// A flow's control thread: everything that talks to the clusters' admin side, on schedules of its
// own, beside the record thread and never in its way.
//   - topics (every refresh_topics_interval_seconds, and soon after wake()): source metadata and
//     racks, target topic creation and growth, topic config sync (topics/syncer.h); each
//     successful round publishes an immutable routing snapshot for the record thread;
//   - the dead-letter topic (unreplicable_records: dead_letter), created before the first routing
//     names it;
//   - heartbeats, checkpoints and group offset sync (mm2/duties.h), with their internal topics;
//   - topic ACL sync (sync_topic_acls_enabled, every sync_topic_acls_interval_seconds once the
//     first routing is out; topics/acl_sync.h), whose errors show in acl_sync() and never stop
//     the flow;
//   - the offset syncs: written every tick (each partition's newest pair every commit interval, and
//     all that is left when the flow stops), and read back all along, from every instance; a
//     checkpoint round starts only once the reader has caught up with the topic.
// Each job retries with exponential backoff (tuning retry_backoff_min..max, capped at its own
// interval) and never gives up while the flow runs; connecting its clients is retried the same way.
// An authentication, authorization or TLS error one of its clients reports makes the admin calls
// that then fail on a lost connection say so (kafka/security_errors.h): health() gives it, not
// retriable, and the flow shows `failed` with it.
// Problems are counted every time (errors_total) and logged when they appear, change or end.
//
// Threads: start() runs the loop on a thread of its own; routing(), routing_version(), health(),
// acl_sync() and wake() may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mirror/flow/context.h"
#include "mirror/flow/status.h"
#include "mirror/kafka/admin.h"
#include "mirror/kafka/consumer.h"
#include "mirror/kafka/producer.h"
#include "mirror/kafka/reader.h"
#include "mirror/kafka/security_errors.h"
#include "mirror/kafka/shared_clients.h"
#include "mirror/metrics/flow_probe.h"
#include "mirror/metrics/problems.h"
#include "mirror/mm2/duties.h"
#include "mirror/mm2/offset_syncs.h"
#include "mirror/topics/acl_sync.h"
#include "mirror/topics/routing.h"
#include "mirror/topics/syncer.h"

namespace mirror::flow {

// Logs problems when they first appear under their key, change, or end; counts every report.
class ProblemLog {
 public:
  ProblemLog(std::string component, metrics::FlowProbe& probe)
      : component_(std::move(component)), probe_(probe) {}
  // The complete set of problems of one job's run: keys of this job not in it are resolved.
  void report(const std::string& job, const std::vector<metrics::Problem>& problems);
  // One problem or none (a job with a single outcome).
  void report(const std::string& job, metrics::ErrorKind kind, const Status& status);
  size_t open() const;  // problems currently open (pruned as they end)

 private:
  std::string component_;
  metrics::FlowProbe& probe_;
  std::map<std::string, std::map<std::string, std::string>> open_;  // job -> key -> message
};

class Control final : kafka::ProducerEvents {
 public:
  // `probe` and `offset_syncs` (may be null) must outlive this object.
  Control(const FlowContext& context, metrics::FlowProbe& probe,
          mm2::OffsetSyncStore* offset_syncs);
  ~Control();
  Control(const Control&) = delete;
  Control& operator=(const Control&) = delete;

  void start();
  void request_stop();
  void join();
  // Asks for a topic round soon (at most one a second).
  void wake();

  // The latest routing snapshot; null before the first successful topic round.
  std::shared_ptr<const topics::Routing> routing() const;
  uint64_t routing_version() const { return version_.load(std::memory_order_acquire); }

  struct Health {
    std::string last_error;  // of the last topic round (empty when it succeeded)
    bool retriable = true;
  };
  Health health() const;
  // The topic ACL sync's state (meaningful with sync_topic_acls_enabled).
  AclSyncStatus acl_sync() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Job {
    std::string name;
    std::chrono::milliseconds interval{0};
    Clock::time_point next{};
    std::chrono::milliseconds backoff{0};
    bool enabled = false;
  };

  void run();
  Status connect();
  void disconnect();
  void run_topics();
  std::string ensure_dead_letter_topic();
  void run_acls();
  void run_duty(Job& job);
  void run_syncs(Clock::time_point now);             // write and read back offset syncs
  Status read_back(std::chrono::milliseconds wait);  // what the reader has, into the duties
  Status read_back_to_end();                         // before a checkpoint round
  // Schedules the job's next run: its interval after a success, the next backoff step after a
  // failure.
  void schedule(Job& job, bool ok, Clock::time_point now);
  void publish(topics::Routing routing);
  void on_delivery(const kafka::Delivery& delivery) override;
  void on_producer_error(const kafka::ClientError& error) override;

  const FlowContext& ctx_;
  metrics::FlowProbe& probe_;
  mm2::OffsetSyncStore* offset_syncs_;
  ProblemLog problems_;
  // What the target client's error callback said of authentication and TLS (before the client:
  // its callback writes here; the source client keeps its own, kafka/shared_clients.h).
  kafka::SecurityErrors target_security_;
  std::optional<topics::TopicSyncer> syncer_;
  std::unique_ptr<mm2::Duties> duties_;
  topics::AclSyncer acl_syncer_;

  Job connect_job_;
  Job topics_job_;
  Job heartbeat_job_;
  Job checkpoint_job_;
  Job group_sync_job_;
  Job internal_topics_job_;
  Job acl_job_;
  Clock::time_point next_latest_{};  // when each partition's newest offset sync is written next
  bool dead_letter_ready_ = false;   // the dead-letter topic exists on the target

  mutable std::mutex mutex_;  // guards routing_, health_, acl_status_
  std::shared_ptr<const topics::Routing> routing_;
  Health health_;
  AclSyncStatus acl_status_;
  std::atomic<uint64_t> version_{0};

  std::atomic<bool> stop_{false};
  std::atomic<bool> woken_{false};
  std::mutex wait_mutex_;
  std::condition_variable wait_cv_;

  // Clients, destroyed bottom-up: the admins borrow the handles, the handles' callbacks use the
  // state above.
  std::unique_ptr<kafka::TargetProducer> producer_;  // target: heartbeats, checkpoints, admin
  std::shared_ptr<kafka::SourceControlClient> source_client_;  // source: metadata, admin
  std::unique_ptr<kafka::ClusterAdmin> source_admin_;
  std::unique_ptr<kafka::ClusterAdmin> target_admin_;
  std::unique_ptr<kafka::TopicReader> reader_;  // target: offset syncs, checkpoints read back
  bool reading_ = false;                        // reader_ assigned (the topics exist)
  std::thread thread_;                          // last: joined before anything it uses goes
};

}  // namespace mirror::flow
