#include "mirror/flow/exactly_once.h"

#include <algorithm>
#include <set>
#include <thread>

#include "mirror/common/log.h"

namespace mirror::flow {
namespace {

constexpr int kUnstableOffsetCommit = 88;  // RD_KAFKA_RESP_ERR_UNSTABLE_OFFSET_COMMIT
constexpr auto kUnstableRetry = std::chrono::milliseconds(200);

}  // namespace

Result<kafka::Positions> settled_positions(kafka::TransactionalTarget& target,
                                           const std::vector<kafka::TopicPartition>& targets,
                                           const std::string& self, kafka::Deadline deadline,
                                           std::vector<std::string>* fenced) {
  std::set<std::string> done;
  while (true) {
    auto read = target.positions(targets, deadline);
    if (!read.ok()) {
      // An open transaction wrote one of them: wait for its end (the coordinator aborts it after
      // transaction.timeout.ms at the latest).
      if (read.error().code == kUnstableOffsetCommit &&
          kafka::remaining_ms(deadline) > kUnstableRetry.count()) {
        std::this_thread::sleep_for(kUnstableRetry);
        continue;
      }
      return read.error();
    }
    std::set<std::string> writers;
    for (const auto& [key, position] : read.value()) {
      if (!position.metadata.empty() && position.metadata != self &&
          done.count(position.metadata) == 0) {
        writers.insert(position.metadata);
      }
    }
    if (writers.empty()) return read;
    for (const auto& writer : writers) {
      if (auto st = target.fence(writer, deadline); !st.ok()) return st.error();
      done.insert(writer);
      if (fenced != nullptr) fenced->push_back(writer);
    }
  }
}

ExactlyOnce::ExactlyOnce(std::string flow, std::unique_ptr<kafka::TransactionalTarget> target,
                         std::string transactional_id)
    : flow_(std::move(flow)), target_(std::move(target)), id_(std::move(transactional_id)) {}

ExactlyOnce::~ExactlyOnce() {
  if (running_.valid()) running_.wait();
}

Status ExactlyOnce::init(kafka::Deadline deadline) {
  return run([this, deadline] { return target_->init(deadline); });
}

void ExactlyOnce::start_commit(kafka::Positions positions, kafka::Deadline deadline) {
  running_ = std::async(std::launch::async, [this, positions = std::move(positions), deadline] {
    return target_->commit(positions, deadline);
  });
}

std::optional<Status> ExactlyOnce::take_result() {
  if (!running_.valid() ||
      running_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    return std::nullopt;
  }
  return running_.get();
}

Status ExactlyOnce::settle(kafka::Deadline deadline) {
  if (!running_.valid()) return {};
  if (running_.wait_until(deadline) != std::future_status::ready) {
    return make_error("a transaction's commit did not end in time");
  }
  return running_.get();
}

Result<std::vector<kafka::Offset>> ExactlyOnce::claim(const std::vector<Claim>& claims,
                                                      kafka::Positions pending,
                                                      const SourceStart& start,
                                                      kafka::Deadline deadline) {
  return run([&]() -> Result<std::vector<kafka::Offset>> {
    std::vector<kafka::TopicPartition> targets;
    targets.reserve(claims.size());
    for (const auto& c : claims) targets.push_back(c.target);
    std::vector<std::string> fenced;
    auto stored = settled_positions(*target_, targets, id_, deadline, &fenced);
    if (!stored.ok()) return stored.error();
    for (const auto& id : fenced) {
      log::info("flow", log::Flow{flow_}, "fenced transactional id '", id,
                "', the last writer of partitions claimed now");
    }
    std::vector<kafka::TopicPartition> unknown;
    for (const auto& c : claims) {
      if (stored->count({c.target.topic, c.target.partition}) == 0) unknown.push_back(c.source);
    }
    std::map<kafka::TopicPartition, int64_t> from_source;
    if (!unknown.empty()) {
      auto found = start(unknown, deadline);
      if (!found.ok()) return found.error();
      from_source = std::move(found.value());
    }
    std::vector<kafka::Offset> out;
    for (const auto& c : claims) {
      int64_t offset = -1;
      if (auto at = stored->find({c.target.topic, c.target.partition}); at != stored->end()) {
        offset = at->second.offset;
      } else if (auto s = from_source.find(c.source); s != from_source.end()) {
        offset = s->second;
      }
      if (offset < 0) {
        return make_error("no start offset for " + c.source.topic + "[" +
                          std::to_string(c.source.partition) + "]");
      }
      pending[{c.target.topic, c.target.partition}] = {offset, id_};
      out.push_back({c.source.topic, c.source.partition, offset});
    }
    if (auto st = target_->commit(pending, deadline); !st.ok()) return st.error();
    return out;
  });
}

Status ExactlyOnce::commit(kafka::Positions positions, kafka::Deadline deadline) {
  return run([&] { return target_->commit(positions, deadline); });
}

Status ExactlyOnce::abort(kafka::Deadline deadline) {
  return run([&] { return target_->abort(deadline); });
}

}  // namespace mirror::flow
