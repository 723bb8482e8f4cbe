// `mirror migrate --from mm2|strimzi|aiven FILE`: a MirrorMaker 2 setup turned into a mirror
// configuration (docs/migrating-from-mm2.md).
//
//   mm2      a dedicated-mode properties file (Kafka's config/connect-mirror-maker.properties);
//   strimzi  a KafkaMirrorMaker2 resource (YAML; spec.clusters + mirrors[].sourceCluster, or the
//            newer spec.target + mirrors[].source);
//   aiven    replication-flow JSON with Aiven's field names (one flow, a list, or the API's
//            {"replication_flows": [...]}).
//
// Contract: every key with an equivalent is mapped; every key without one is named in `notes`
// with what happens instead. No secret is ever copied: passwords (sasl.jaas.config, Strimzi's
// passwordSecret, key passwords) become ${env:NAME} references, each listed in `env` with where
// its value comes from, so the output passes `mirror validate` once those variables are set.
// Input that cannot be read (bad syntax, a flow naming an unknown cluster) is an error naming the
// file and line. Pure: no network, no files but the one given.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mirror/common/result.h"

namespace mirror::migrate {

enum class From { Mm2, Strimzi, Aiven };

struct EnvVar {
  std::string name;
  std::string what;  // where its value comes from, e.g. "the password of sasl.jaas.config of A"
};

struct Migration {
  std::string yaml;                // the mirror configuration
  std::vector<std::string> notes;  // "FILE:LINE: key: what happens instead"
  std::vector<EnvVar> env;         // to set before `mirror validate` / `run`
};

// `text` is the file's content, `file` its name for messages.
Result<Migration> migrate(From from, std::string_view text, const std::string& file);

}  // namespace mirror::migrate
