// Topic ACL sync (sync_topic_acls_enabled), one round at a time on the flow's control thread:
// MirrorMaker 2's syncTopicAcls, plus removal of what this flow put on the target.
//
// What is copied (as MM2 does): ACLs on literal topic names of the topics the flow replicates
// (its routing), onto their target topics; `ALLOW WRITE` never (nobody gets to write into a
// replica), `ALLOW ALL` as `ALLOW READ`, everything else (DENY entries too) as it is. Prefixed ACLs
// and those on the wildcard topic `*` are not copied (they name no replicated topic).
//
// What is removed (MM2 never removes): only ACLs this flow owns, never one an operator made on the
// target. The flow owns a target ACL when it created it, or when the ACL was on the target already,
// equal to what the flow would create, the first time the ACL's topic came under this flow's sync
// in this process (so a restart picks up what an earlier run created). An owned ACL is removed once
// no source ACL of its (still replicated) topic maps to it any more. Ownership lives in memory:
// an ACL removed on the source while no mirror process ran stays on the target, and ACLs of a
// topic that stops being replicated are left as they are (as the target topic itself is).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/kafka/admin.h"
#include "mirror/metrics/problems.h"
#include "mirror/topics/routing.h"

namespace mirror::topics {

// The ACL MM2 creates on `target_topic` for `source` (an ACL of the source topic): none for ALLOW
// WRITE, ALLOW READ for ALLOW ALL, otherwise the same principal, host, operation and permission.
std::optional<kafka::AclBinding> target_acl(const kafka::AclBinding& source,
                                            const std::string& target_topic);

// Target ACL -> the source topic it comes from.
using OwnedAcls = std::map<kafka::AclBinding, std::string>;

// What one round does, decided from what both clusters have (pure; no calls).
struct AclPlan {
  std::vector<kafka::AclBinding> create;  // wanted on the target and missing there
  std::vector<kafka::AclBinding> remove;  // owned, on the target, no longer wanted
  OwnedAcls owned;     // what the flow owns after the round if every call succeeds
  size_t adopted = 0;  // of `owned`: found on the target (topics new to the sync)
};

// `routes`: source topic -> target topic of every replicated topic. `owned`: what the flow owns
// before the round. `known`: source topics already under sync in an earlier round (for the other
// routed topics, ACLs on the target equal to wanted ones are adopted).
AclPlan plan_acl_sync(const std::vector<kafka::AclBinding>& source_acls,
                      const std::vector<kafka::AclBinding>& target_acls,
                      const std::map<std::string, std::string>& routes, const OwnedAcls& owned,
                      const std::set<std::string>& known);

class AclSyncer {
 public:
  explicit AclSyncer(std::string flow) : flow_(std::move(flow)) {}

  struct Round {
    size_t created = 0;
    size_t removed = 0;
    size_t adopted = 0;
    std::vector<metrics::Problem> problems;  // creations / removals that failed (kind AclSync)
  };
  // Reads both clusters' topic ACLs, then creates and removes as planned. Fails as a whole (and
  // changes nothing) when either side's ACLs cannot be read. Each admin call is bounded by
  // `call_timeout`.
  Result<Round> sync(kafka::ClusterAdmin& source, kafka::ClusterAdmin& target,
                     const Routing& routing, std::chrono::milliseconds call_timeout);
  // Target ACLs the flow owns now (mirror_topic_acls_synced).
  size_t owned() const { return owned_.size(); }

 private:
  // A problem naming how many of `acls` failed and the first failure.
  metrics::Problem problem(const char* what, const std::map<kafka::AclBinding, Error>& failures,
                           size_t tried) const;

  std::string flow_;  // for log lines
  OwnedAcls owned_;
  std::set<std::string> known_;
};

}  // namespace mirror::topics
