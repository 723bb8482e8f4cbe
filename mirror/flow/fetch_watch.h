// Watches for a partition that librdkafka keeps fetching from a follower broker that is down.
//
// librdkafka moves a partition back to its leader when the follower it reads from fails. Seen on
// the test bed with librdkafka 2.8.0 (about one run in five of e2e_s5): when the follower dies
// while the leader, not knowing yet, names it as preferred replica again, the partition can end
// up on the dead broker with its bookkeeping saying "leader", so no later failure of that broker
// moves it back and its preferred-replica lease never expires: it stops replicating until the
// broker returns. Only a new consumer clears that; the session asks for one (statistics come every
// second, and a partition on a broker that is not up for `grace` is not a passing state: with the
// consumer's reconnects 1 s apart, librdkafka's own move back to the leader follows each failed
// connect, so `grace` (5 s by default) only catches the partition it forgot).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "mirror/kafka/record.h"
#include "mirror/kafka/stats.h"

namespace mirror::flow {

class FetchWatch {
 public:
  using Clock = std::chrono::steady_clock;
  explicit FetchWatch(std::chrono::milliseconds grace) : grace_(grace) {}

  // One statistics report: what is wrong when a partition has been fetching from a follower that
  // is not up for `grace` (while it is actively fetched), else nothing.
  std::optional<std::string> observe(const kafka::ClientStats& stats, Clock::time_point now);

 private:
  std::chrono::milliseconds grace_;
  std::map<kafka::TopicPartition, Clock::time_point> since_;  // on a follower that is not up
};

}  // namespace mirror::flow
