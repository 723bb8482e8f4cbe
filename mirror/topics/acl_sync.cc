#include "mirror/topics/acl_sync.h"

#include "mirror/common/log.h"

namespace mirror::topics {

using kafka::AclBinding;
using kafka::AclOperation;
using kafka::AclPermission;

std::optional<AclBinding> target_acl(const AclBinding& source, const std::string& target_topic) {
  AclBinding out = source;
  out.topic = target_topic;
  if (source.permission == AclPermission::Allow) {
    if (source.operation == AclOperation::Write) return std::nullopt;
    if (source.operation == AclOperation::All) out.operation = AclOperation::Read;
  }
  return out;
}

AclPlan plan_acl_sync(const std::vector<AclBinding>& source_acls,
                      const std::vector<AclBinding>& target_acls,
                      const std::map<std::string, std::string>& routes, const OwnedAcls& owned,
                      const std::set<std::string>& known) {
  OwnedAcls wanted;  // target ACL -> source topic
  for (const auto& acl : source_acls) {
    auto route = routes.find(acl.topic);
    if (route == routes.end()) continue;
    if (auto mapped = target_acl(acl, route->second)) wanted.emplace(std::move(*mapped), acl.topic);
  }
  const std::set<AclBinding> present(target_acls.begin(), target_acls.end());
  AclPlan plan;
  for (const auto& [acl, topic] : wanted) {
    if (present.count(acl) == 0) {
      plan.create.push_back(acl);
      plan.owned.emplace(acl, topic);
    } else if (owned.count(acl) != 0) {
      plan.owned.emplace(acl, topic);
    } else if (known.count(topic) == 0) {
      plan.owned.emplace(acl, topic);  // most likely an earlier run's
      ++plan.adopted;
    }
    // else: made on the target by someone else while the topic was under sync; not ours.
  }
  for (const auto& [acl, topic] : owned) {
    if (wanted.count(acl) != 0) continue;
    if (routes.count(topic) == 0) {
      plan.owned.emplace(acl, topic);  // its topic is not replicated now: left as it is
    } else if (present.count(acl) != 0) {
      plan.remove.push_back(acl);
    }
    // else: gone from both sides; forgotten.
  }
  return plan;
}

metrics::Problem AclSyncer::problem(const char* what, const std::map<AclBinding, Error>& failures,
                                    size_t tried) const {
  const auto& [acl, error] = *failures.begin();
  std::string message = "topic ACL sync: cannot ";
  message.append(what)
      .append(" ")
      .append(std::to_string(failures.size()))
      .append(" of ")
      .append(std::to_string(tried))
      .append(" ACL(s) on the target, first ")
      .append(kafka::describe(acl))
      .append(": ")
      .append(error.message);
  return {metrics::ErrorKind::AclSync, std::string("acl_sync ") + what, std::move(message)};
}

Result<AclSyncer::Round> AclSyncer::sync(kafka::ClusterAdmin& source, kafka::ClusterAdmin& target,
                                         const Routing& routing,
                                         std::chrono::milliseconds call_timeout) {
  auto source_acls = source.describe_topic_acls(kafka::deadline_in(call_timeout));
  if (!source_acls.ok()) {
    const auto& e = source_acls.error();
    return make_error("reading the source's topic ACLs: " + e.message, e.code, e.retriable);
  }
  auto target_acls = target.describe_topic_acls(kafka::deadline_in(call_timeout));
  if (!target_acls.ok()) {
    const auto& e = target_acls.error();
    return make_error("reading the target's topic ACLs: " + e.message, e.code, e.retriable);
  }
  std::map<std::string, std::string> routes;
  for (const auto& [name, route] : routing.routes) routes.emplace(name, route.target_topic);
  AclPlan plan = plan_acl_sync(*source_acls, *target_acls, routes, owned_, known_);

  Round round;
  round.adopted = plan.adopted;
  // Every call of a list fails alike when the request as a whole fails.
  auto all_failed = [](const std::vector<AclBinding>& acls, const Error& error) {
    std::map<AclBinding, Error> failures;
    for (const auto& acl : acls) failures.emplace(acl, error);
    return failures;
  };
  if (!plan.create.empty()) {
    auto answer = target.create_acls(plan.create, kafka::deadline_in(call_timeout));
    auto failures =
        answer.ok() ? std::move(answer.value()) : all_failed(plan.create, answer.error());
    for (const auto& acl : plan.create) {
      if (failures.count(acl) != 0) {
        plan.owned.erase(acl);
        continue;
      }
      ++round.created;
      log::info("acl_sync", log::Flow{flow_}, "created ", kafka::describe(acl));
    }
    if (!failures.empty())
      round.problems.push_back(problem("create", failures, plan.create.size()));
  }
  if (!plan.remove.empty()) {
    auto answer = target.delete_acls(plan.remove, kafka::deadline_in(call_timeout));
    auto failures =
        answer.ok() ? std::move(answer.value()) : all_failed(plan.remove, answer.error());
    for (const auto& acl : plan.remove) {
      if (failures.count(acl) != 0) {
        plan.owned.emplace(acl, owned_.at(acl));  // still ours: tried again next round
        continue;
      }
      ++round.removed;
      log::info("acl_sync", log::Flow{flow_}, "removed ", kafka::describe(acl),
                " (no longer on the source)");
    }
    if (!failures.empty())
      round.problems.push_back(problem("remove", failures, plan.remove.size()));
  }
  if (round.adopted > 0) {
    log::info("acl_sync", log::Flow{flow_}, round.adopted,
              " topic ACL(s) already on the target, equal to the source's, taken over");
  }
  owned_ = std::move(plan.owned);
  for (const auto& [name, target_topic] : routes) known_.insert(name);
  return round;
}

}  // namespace mirror::topics
