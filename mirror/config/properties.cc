#include "mirror/config/properties.h"

#include <algorithm>
#include <cctype>

namespace mirror::config {
namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string join(const std::vector<std::string_view>& items, std::string_view separator) {
  std::string out;
  for (std::string_view item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

}  // namespace

const std::vector<ManagedProperty>& managed_properties() {
  static const std::vector<ManagedProperty> table = {
      {"bootstrap.servers", {}, "set the cluster's 'bootstrap_servers' instead"},
      {"metadata.broker.list", {}, "set the cluster's 'bootstrap_servers' instead"},
      {"client.rack",
       {},
       "mirror sets it to the node's availability zone ('node.availability_zone'); switch it off "
       "per flow with 'follower_fetching_enabled: false'"},
      {"group.id", {}, "mirror derives the consumer group from the flow's 'name'"},
      {"group.instance.id",
       {},
       "set 'node.instance_id' (static membership; 'static_membership_enabled' per flow)"},
      {"enable.auto.commit",
       {},
       "mirror commits a source offset only after the target acknowledged the records before it"},
      {"enable.auto.offset.store",
       {},
       "mirror stores a source offset only after the target acknowledged the records before it"},
      {"transactional.id",
       {},
       "set 'exactly_once_delivery_enabled: true' on the flow; mirror derives the ids from the "
       "flow's name"},
      {"enable.idempotence",
       {"true"},
       "the target producer must be idempotent so retries cannot reorder or duplicate records"},
      {"acks",
       {"all", "-1"},
       "mirror commits a source offset only after all in-sync replicas of the target have the "
       "records"},
      {"request.required.acks",
       {"all", "-1"},
       "mirror commits a source offset only after all in-sync replicas of the target have the "
       "records"},
  };
  return table;
}

std::optional<std::string> managed_property_problem(std::string_view name, std::string_view value) {
  for (const ManagedProperty& rule : managed_properties()) {
    if (rule.name != name) continue;
    if (rule.allowed.empty()) {
      return "'" + std::string(name) + "' is managed by mirror: " + std::string(rule.reason);
    }
    std::string lowered = lowercase(value);
    if (std::find(rule.allowed.begin(), rule.allowed.end(), lowered) != rule.allowed.end()) {
      return std::nullopt;
    }
    return "'" + std::string(name) + "' may only be " + join(rule.allowed, " or ") + ": " +
           std::string(rule.reason);
  }
  return std::nullopt;
}

bool is_secret_property_name(std::string_view name) {
  std::string lowered = lowercase(name);
  for (std::string_view word : {"password", "secret", "token", "key"}) {
    if (lowered.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace mirror::config
