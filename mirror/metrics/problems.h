// The `kind` label of mirror_errors_total (one value per degraded path, docs/metrics.md), and a
// problem as periodic work reports it: counted under its kind every time it occurs, logged when
// it first appears under its key or changes (flow/control.h).
#pragma once

#include <string>

namespace mirror::metrics {

enum class ErrorKind {
  SourceConnection,  // a source client error (a broker down, a connection refused)
  TargetConnection,  // a target client error
  Source,            // a consume error of one partition
  Produce,           // librdkafka refused a record
  Delivery,          // the target refused or timed out a record
  Commit,            // a source offset commit failed
  TopicSync,         // metadata, target topic creation or partition growth failed
  DescribeCluster,   // broker racks could not be read
  Fatal,             // a fatal client error, or one no retry can cure
  TopicConfigSync,   // topic configs could not be read or set
  InternalTopics,    // heartbeats / checkpoints topics could not be created
  Heartbeat,         // a heartbeat not produced or not acknowledged
  Checkpoint,        // groups or offsets not read, checkpoints not acknowledged
  GroupSync,         // a target group could not be described or committed
  StuckFetch,        // a partition stayed on a follower that is down (flow/fetch_watch.h)
  OffsetSync,        // offset syncs not written to, or not read back from, the target
  Unreplicable,      // a record the target refuses stopped its partition (unreplicable_records)
  DeadLetter,        // the dead-letter topic could not be created
  AclSync,           // topic ACLs could not be read, created or deleted (sync_topic_acls_enabled)
  Fenced,            // an exactly-once flow's transactions were fenced by another instance
  Transaction,       // an exactly-once flow's transaction failed (aborted; a new session resumes)
};

inline const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::SourceConnection:
      return "source_connection";
    case ErrorKind::TargetConnection:
      return "target_connection";
    case ErrorKind::Source:
      return "source";
    case ErrorKind::Produce:
      return "produce";
    case ErrorKind::Delivery:
      return "delivery";
    case ErrorKind::Commit:
      return "commit";
    case ErrorKind::TopicSync:
      return "topic_sync";
    case ErrorKind::DescribeCluster:
      return "describe_cluster";
    case ErrorKind::Fatal:
      return "fatal";
    case ErrorKind::TopicConfigSync:
      return "topic_config_sync";
    case ErrorKind::InternalTopics:
      return "internal_topics";
    case ErrorKind::Heartbeat:
      return "heartbeat";
    case ErrorKind::Checkpoint:
      return "checkpoint";
    case ErrorKind::GroupSync:
      return "group_sync";
    case ErrorKind::StuckFetch:
      return "stuck_fetch";
    case ErrorKind::OffsetSync:
      return "offset_sync";
    case ErrorKind::Unreplicable:
      return "unreplicable";
    case ErrorKind::DeadLetter:
      return "dead_letter";
    case ErrorKind::AclSync:
      return "acl_sync";
    case ErrorKind::Fenced:
      return "fenced";
    case ErrorKind::Transaction:
      return "transaction";
  }
  return "unknown";
}

struct Problem {
  ErrorKind kind = ErrorKind::TopicSync;
  std::string key;      // what it concerns, stable across rounds: "target topic 'a.orders'"
  std::string message;  // never holds a secret
};

}  // namespace mirror::metrics
