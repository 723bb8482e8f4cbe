// Exactly-once delivery of a flow (exactly_once_delivery_enabled): one session's transactions on
// the target, run on a transaction thread (librdkafka's transactional calls block; the record
// thread only starts them and looks for their end).
//
// What a transaction holds: every record the session sent since the last commit, and the source
// position of each partition they came from (the next source offset to copy), written as offsets
// of the target group `mirror-<flow>-exactly-once` keyed by target topic and partition, with the
// writer's transactional id as metadata. Records and positions become visible together or not at
// all, so a new session (here or on another instance) that resumes from the positions copies each
// record exactly once for a read_committed reader of the target. The session commits about every
// commit interval: it stops sending, waits until every record sent is acknowledged (so the
// positions cover exactly what the transaction holds), and hands the positions to the
// transaction thread; fetching goes on meanwhile. Any error of a transaction ends the session:
// the open transaction is aborted (or fenced) and the next session resumes from the positions.
//
// Transactional ids are per instance (`mirror-<flow>-<node.instance_id>`, or a random suffix per
// process without one), not per partition, so a flow costs one transactional producer whatever
// its partition count. Zombie fencing therefore cannot rely on two owners of a partition sharing
// an id; it rests on claims instead:
//   1. Before the first record of a newly assigned partition is sent, the session claims it: it
//      reads the partition's stored position (stable: an open transaction that wrote it is waited
//      for), fences the id that wrote it unless that is its own or the partition was handed over
//      (empty metadata), reads again, and repeats until the writer is fenced, itself or none. Then
//      it commits a transaction that holds the position with its own id (the claim), and only then
//      assigns the partition at that position.
//   2. Fencing an id (InitProducerId from a short-lived producer of that id) bumps its epoch: the
//      fenced producer's open transaction is aborted and it can never commit again; its session
//      ends, and the next one joins the group anew and claims only what the group gives it.
//   3. A partition handed over cleanly (revoked, not lost) is released: its last transaction
//      writes its position with empty metadata, so the next owner need not fence a live instance.
//      A lost partition ends the session (its transaction may hold records of it).
// Why no zombie can commit for a partition after it lost it: a zombie Z that still believes it
// owns P has either never committed a claim of P (then it never sent a record of P) or its claim
// (or a later transaction of P) is the last committed writer of P, unless a later owner claimed
// P after it — which fenced the writer it read, and that writer was Z or had fenced Z before
// claiming. A transaction of Z open while the new owner reads makes the read unstable until it
// ends (committed: the new owner reads Z as writer and fences it; aborted: it held nothing), and
// after the fence the new owner reads again, so a commit of Z between its read and its fence is
// seen too. The coordinator aborts a transaction left open longer than transaction.timeout.ms
// (10 s by default here), so a frozen zombie holds up a claim at most that long.
//
// Threading: every call from the flow's record thread; the transactional target's calls run on a
// thread of their own, each bounded by its deadline.
#pragma once

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/kafka/transactions.h"

namespace mirror::flow {

// A partition to claim: the source partition and the target partition it is copied to.
struct Claim {
  kafka::TopicPartition source;
  kafka::TopicPartition target;
};

// Source offsets where partitions without a stored position start (the source group's committed
// offsets, else the end auto.offset.reset names).
using SourceStart = std::function<Result<std::map<kafka::TopicPartition, int64_t>>(
    const std::vector<kafka::TopicPartition>& partitions, kafka::Deadline deadline)>;

// Reads the stored positions of `targets`, fencing every writer other than `self` (and other
// than a release), until the positions read were written by fenced writers, `self` or nobody
// (step 1 above). `fenced` (may be null) learns the ids fenced.
Result<kafka::Positions> settled_positions(kafka::TransactionalTarget& target,
                                           const std::vector<kafka::TopicPartition>& targets,
                                           const std::string& self, kafka::Deadline deadline,
                                           std::vector<std::string>* fenced = nullptr);

class ExactlyOnce {
 public:
  ExactlyOnce(std::string flow, std::unique_ptr<kafka::TransactionalTarget> target,
              std::string transactional_id);
  ~ExactlyOnce();  // waits for a running call (bounded by its deadline)
  ExactlyOnce(const ExactlyOnce&) = delete;
  ExactlyOnce& operator=(const ExactlyOnce&) = delete;

  const std::string& transactional_id() const { return id_; }

  // Registers the transactional id (fencing an earlier session of it) and opens a transaction.
  Status init(kafka::Deadline deadline);

  // The periodic commit, started on the transaction thread.
  void start_commit(kafka::Positions positions, kafka::Deadline deadline);
  bool busy() const { return running_.valid(); }
  // The started commit's outcome once it has ended (then not busy any more); nothing before.
  std::optional<Status> take_result();
  // Waits for a started commit, within the deadline (its outcome, or an error for the deadline).
  Status settle(kafka::Deadline deadline);

  // Claims `claims` (step 1 above) and commits their positions with `pending` (positions of the
  // open transaction's records) in one transaction; waits. Returns where each claimed source
  // partition starts.
  Result<std::vector<kafka::Offset>> claim(const std::vector<Claim>& claims,
                                           kafka::Positions pending, const SourceStart& start,
                                           kafka::Deadline deadline);
  // Commits `positions` with the open transaction now and waits (a hand-over, a stop).
  Status commit(kafka::Positions positions, kafka::Deadline deadline);
  // Aborts the open transaction and waits.
  Status abort(kafka::Deadline deadline);

 private:
  template <typename F>
  auto run(F&& call) {
    return std::async(std::launch::async, std::forward<F>(call)).get();
  }

  std::string flow_;  // for log lines
  std::unique_ptr<kafka::TransactionalTarget> target_;
  std::string id_;
  std::future<Status> running_;  // the started commit
};

}  // namespace mirror::flow
