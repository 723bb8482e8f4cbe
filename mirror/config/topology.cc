#include "mirror/config/topology.h"

#include <algorithm>
#include <functional>
#include <map>

namespace mirror::config {
namespace {

// Tarjan's strongly connected components over cluster names.
class Components {
 public:
  explicit Components(const std::map<std::string, std::vector<std::string>>& edges)
      : edges_(edges) {
    for (const auto& [node, unused] : edges_) {
      if (!index_.contains(node)) visit(node);
    }
  }
  const std::map<std::string, int>& component() const { return component_; }

 private:
  void visit(const std::string& node) {
    index_[node] = low_[node] = next_++;
    stack_.push_back(node);
    on_stack_[node] = true;
    auto out = edges_.find(node);
    if (out != edges_.end()) {
      for (const std::string& to : out->second) {
        if (!index_.contains(to)) {
          visit(to);
          low_[node] = std::min(low_[node], low_[to]);
        } else if (on_stack_[to]) {
          low_[node] = std::min(low_[node], index_[to]);
        }
      }
    }
    if (low_[node] != index_[node]) return;
    const int id = components_++;
    std::string member;
    do {
      member = stack_.back();
      stack_.pop_back();
      on_stack_[member] = false;
      component_[member] = id;
    } while (member != node);
  }

  const std::map<std::string, std::vector<std::string>>& edges_;
  std::map<std::string, int> index_, low_, component_;
  std::map<std::string, bool> on_stack_;
  std::vector<std::string> stack_;
  int next_ = 0;
  int components_ = 0;
};

}  // namespace

std::vector<FlowCycle> find_cycles(const std::vector<FlowSpec>& flows) {
  std::map<std::string, std::vector<std::string>> edges;
  for (const FlowSpec& f : flows) {
    if (!f.enabled || f.source.empty() || f.target.empty() || f.source == f.target) continue;
    edges[f.source].push_back(f.target);
    edges.try_emplace(f.target);
  }
  const Components components(edges);
  const auto& of = components.component();
  std::map<int, FlowCycle> by_component;
  for (size_t i = 0; i < flows.size(); ++i) {
    const FlowSpec& f = flows[i];
    if (!f.enabled || !of.contains(f.source) || !of.contains(f.target)) continue;
    if (f.source == f.target || of.at(f.source) != of.at(f.target)) continue;
    by_component[of.at(f.source)].flows.push_back(i);
  }
  std::vector<FlowCycle> cycles;
  for (auto& [id, cycle] : by_component) {
    size_t identity = 0;
    size_t stamping = 0;
    for (size_t i : cycle.flows) {
      if (flows[i].replication_policy == ReplicationPolicy::Identity) ++identity;
      if (stamps_provenance(flows[i])) ++stamping;
    }
    for (const auto& [cluster, component] : of) {
      if (component == id) cycle.clusters.push_back(cluster);
    }
    if (identity == 0) {
      cycle.guard = FlowCycle::Guard::Names;
    } else if (stamping == cycle.flows.size()) {
      cycle.guard = FlowCycle::Guard::Headers;
    } else {
      cycle.guard = stamping == 0 ? FlowCycle::Guard::Nothing : FlowCycle::Guard::SomeHeaders;
    }
    cycles.push_back(std::move(cycle));
  }
  return cycles;
}

}  // namespace mirror::config
