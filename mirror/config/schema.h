// The configuration schema: one table of settings per section (top level, node, http, cluster,
// flow, flow file). Reading a file and rendering the reference both go through these tables.
// Internal to the config component; the public entry points are in loader.h.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

#include "mirror/config/reader.h"
#include "mirror/config/spec.h"

namespace mirror::config {

// A flow as read from a file, with the entries it was read from (for checks across flows).
struct FlowDraft {
  FlowSpec spec;
  std::map<std::string, Entry> entries;
};

// What one input file contributes.
struct Document {
  ServiceSpec service;  // node, http and clusters; flows are in `flows`
  std::vector<FlowDraft> flows;
  bool clusters_readable = true;  // false when `clusters` is not a mapping
};

// The root mapping of the service config file (node, http, clusters, flows).
void read_config_document(Reader& reader, const YAML::Node& root, Document& out);

// The root mapping of a --flows file (flows only).
void read_flow_document(Reader& reader, const YAML::Node& root, Document& out);

}  // namespace mirror::config
