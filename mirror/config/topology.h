// The shape the flows give the clusters: clusters as nodes, enabled flows as edges. Flows that can
// reach their own source again form a cycle; under `default` names the prefix chain breaks it
// (topics/naming.h), under `identity` names only provenance headers do (flow/provenance.h).
// Internal to the config component (the loader turns findings into problems and warnings).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mirror/config/spec.h"

namespace mirror::config {

// One strongly connected group of clusters and the enabled flows between them (every flow in it
// lies on some cycle). Indexes into the flows given, in their order.
struct FlowCycle {
  std::vector<size_t> flows;
  std::vector<std::string> clusters;  // sorted

  enum class Guard {
    Names,        // no flow keeps names (all `default`): the prefix chain stops every loop
    Headers,      // identity names, every flow stamps: headers stop records before a second round
    SomeHeaders,  // identity names, some flows stamp: a record may go round once
    Nothing,      // identity names, no flow stamps: records go round for ever
  };
  Guard guard = Guard::Names;
};

std::vector<FlowCycle> find_cycles(const std::vector<FlowSpec>& flows);

}  // namespace mirror::config
