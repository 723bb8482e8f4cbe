// Provenance headers: how a flow tells a record that has been on its target cluster already (an
// active-active pair or a ring under `identity` names would otherwise copy it round for ever).
//
// Header `mirror.provenance`: the ids of the clusters the record was copied from, oldest first,
// separated by ',' (cluster ids are base64 and never hold one), for example
// "MkU3OEVBNTcwNTJENDM2Qg,GGvzxKEQSCmgQDTAuO9Qzg". A flow that stamps sends each record with the
// header its source copy carries plus the source cluster's id (the record's other headers keep
// their bytes and order; the new header goes last, in place of the old). Every flow, stamping or
// not, skips a record whose header names its target cluster: it came from there.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mirror/kafka/record.h"

namespace mirror::flow {

inline constexpr const char* kProvenanceHeader = "mirror.provenance";
inline constexpr size_t kProvenanceHeaderSize = std::string_view(kProvenanceHeader).size();

// Whether the header value `value` names `cluster_id`.
bool provenance_holds(std::string_view value, std::string_view cluster_id);

class Provenance {
 public:
  // Knows no cluster: no record is a loop, none is stamped.
  Provenance() = default;
  // `target_id` empty: loops are not looked for; `stamp` needs `source_id`.
  Provenance(std::string source_id, std::string target_id, bool stamp);

  struct Decision {
    bool loop = false;                        // do not send: it has been on the target
    std::optional<kafka::HeaderValue> stamp;  // send with this header (valid until next decide)
    size_t added_bytes = 0;                   // what the stamp adds to the record's bytes
  };
  // For a record whose provenance header is `prior` (nullopt: it has none).
  Decision decide(std::optional<std::string_view> prior);

  bool stamps() const { return stamp_; }
  bool operator==(const Provenance& o) const {
    return source_id_ == o.source_id_ && target_id_ == o.target_id_ && stamp_ == o.stamp_;
  }

 private:
  std::string source_id_;
  std::string target_id_;
  bool stamp_ = false;
  std::string value_;  // the last stamp built
};

}  // namespace mirror::flow
