// MirrorMaker 2's connector keys as mirror flow keys, shared by the mm2 and strimzi readers
// (Strimzi's connector `config:` maps hold the same keys).
#pragma once

#include <string>

#include "mirror/migrate/model.h"

namespace mirror::migrate {

// A Kafka client setting (security.protocol, sasl.*, ssl.*, timeouts, ...).
bool is_client_key(const std::string& key);
// A MirrorMaker 2 connector setting that concerns a flow (mapped or noted by map_flow_key).
bool is_flow_key(const std::string& key);
// Sets the flow key for MM2's `key` = `value`, or notes what happens instead.
void map_flow_key(Output& out, FlowOut& flow, const std::string& key, const std::string& value,
                  int line);
// What happens to a key that is neither: Connect's own settings, or unknown.
std::string unknown_key_note(const std::string& key);

}  // namespace mirror::migrate
