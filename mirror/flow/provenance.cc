#include "mirror/flow/provenance.h"

namespace mirror::flow {

bool provenance_holds(std::string_view value, std::string_view cluster_id) {
  if (cluster_id.empty()) return false;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    if (value.substr(0, comma) == cluster_id) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

Provenance::Provenance(std::string source_id, std::string target_id, bool stamp)
    : source_id_(std::move(source_id)),
      target_id_(std::move(target_id)),
      stamp_(stamp && !source_id_.empty()) {}

Provenance::Decision Provenance::decide(std::optional<std::string_view> prior) {
  Decision d;
  if (prior && provenance_holds(*prior, target_id_)) {
    d.loop = true;
    return d;
  }
  if (!stamp_) return d;
  if (!prior || prior->empty()) {
    d.stamp = kafka::HeaderValue{kProvenanceHeader, source_id_};
    d.added_bytes = kProvenanceHeaderSize + source_id_.size() - (prior ? kProvenanceHeaderSize : 0);
    return d;
  }
  if (provenance_holds(*prior, source_id_)) return d;  // named already: sent as it is
  value_.assign(*prior);
  value_ += ',';
  value_ += source_id_;
  d.stamp = kafka::HeaderValue{kProvenanceHeader, value_};
  d.added_bytes = value_.size() - prior->size();
  return d;
}

}  // namespace mirror::flow
