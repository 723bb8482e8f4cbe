// A TransactionalTarget (kafka/transactions.h) in memory: a position group with writers, fences
// and commits recorded, and hooks for what other instances do meanwhile.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "mirror/kafka/transactions.h"

namespace mirror::testing {

class FakeTransactions final : public kafka::TransactionalTarget {
 public:
  kafka::Positions stored;                // committed positions, by target partition
  std::vector<kafka::Positions> commits;  // what each commit wrote
  std::vector<std::string> fenced;        // ids fenced, in order
  std::set<std::string> refuse_fence;     // fencing these fails
  int unstable_reads = 0;                 // positions() answers UNSTABLE_OFFSET_COMMIT this often
  int reads = 0;
  Status init_result;
  Status commit_result;
  bool aborted = false;
  // Runs before a fence takes effect (another writer commits between a read and the fence).
  std::function<void(const std::string& id)> before_fence;

  Status init(kafka::Deadline) override { return init_result; }

  Status commit(const kafka::Positions& positions, kafka::Deadline) override {
    if (!commit_result.ok()) return commit_result;
    commits.push_back(positions);
    for (const auto& [key, position] : positions) stored[key] = position;
    return {};
  }

  Status abort(kafka::Deadline) override {
    aborted = true;
    return {};
  }

  Result<kafka::Positions> positions(const std::vector<kafka::TopicPartition>& partitions,
                                     kafka::Deadline) override {
    ++reads;
    if (unstable_reads > 0) {
      --unstable_reads;
      return make_error("unstable", 88);
    }
    kafka::Positions out;
    for (const auto& tp : partitions) {
      if (auto at = stored.find({tp.topic, tp.partition}); at != stored.end())
        out[at->first] = at->second;
    }
    return out;
  }

  Status fence(const std::string& id, kafka::Deadline) override {
    if (before_fence) before_fence(id);
    if (refuse_fence.count(id) != 0) return make_error("fence refused", 53, false);
    fenced.push_back(id);
    return {};
  }
};

}  // namespace mirror::testing
