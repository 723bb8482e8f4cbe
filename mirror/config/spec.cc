#include "mirror/config/spec.h"

namespace mirror::config {
namespace {

ClusterSpec without_places(ClusterSpec c) {
  c.property_locations.clear();
  c.location = {};
  return c;
}

FlowSpec without_places(FlowSpec f) {
  f.consumer_locations.clear();
  f.producer_locations.clear();
  f.location = {};
  return f;
}

}  // namespace

bool same_settings(const ClusterSpec& a, const ClusterSpec& b) {
  return without_places(a) == without_places(b);
}

bool same_settings(const FlowSpec& a, const FlowSpec& b) {
  return without_places(a) == without_places(b);
}

bool stamps_provenance(const FlowSpec& flow) {
  switch (flow.provenance_headers_enabled) {
    case ProvenanceHeaders::Enabled:
      return true;
    case ProvenanceHeaders::Disabled:
      return false;
    case ProvenanceHeaders::Auto:
      break;
  }
  return flow.replication_policy == ReplicationPolicy::Identity;
}

}  // namespace mirror::config
