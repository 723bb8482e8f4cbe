#include "mirror/service/client_checks.h"

#include <set>
#include <tuple>

#include "mirror/kafka/client_properties.h"

namespace mirror::service {

std::vector<config::Diagnostic> client_property_problems(const config::ServiceSpec& spec) {
  using kafka::ClientRole;
  std::vector<config::Diagnostic> out;
  std::set<std::tuple<std::string, int, int, std::string>> seen;  // one report per place and key
  for (const auto& flow : spec.flows) {
    auto source = spec.clusters.find(flow.source);
    auto target = spec.clusters.find(flow.target);
    if (source == spec.clusters.end() || target == spec.clusters.end()) continue;
    for (ClientRole role :
         {ClientRole::SourceConsumer, ClientRole::SourceControl, ClientRole::TargetProducer,
          ClientRole::TargetControl, ClientRole::TargetReader}) {
      const bool source_side =
          role == ClientRole::SourceConsumer || role == ClientRole::SourceControl;
      const auto& cluster = source_side ? source->second : target->second;
      const auto props = kafka::client_properties(role, cluster, flow, {});
      for (const auto& problem : props.problems()) {
        auto at = props.locations.find(problem.key);
        const config::Location where = at != props.locations.end() ? at->second : flow.location;
        if (!seen.emplace(where.file, where.line, where.column, problem.key).second) continue;
        const auto& overrides = source_side ? flow.consumer : flow.producer;
        const std::string what =
            overrides.count(problem.key) != 0
                ? "flow '" + flow.name + "': " + (source_side ? "consumer" : "producer")
                : "cluster '" + cluster.name + "': properties";
        out.push_back({where, what + ": " + problem.message});
      }
    }
  }
  return out;
}

config::LoadOutcome load_checked(const std::string& config_file,
                                 const std::vector<std::string>& flow_paths) {
  auto outcome = config::load(config_file, flow_paths);
  for (auto& p : client_property_problems(outcome.spec)) outcome.problems.push_back(std::move(p));
  return outcome;
}

}  // namespace mirror::service
