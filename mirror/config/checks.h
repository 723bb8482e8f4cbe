// The value checks the schema uses. Each says what it allows (shown in the docs) and how a value
// fails. Internal to the config component.
#pragma once

#include <string>
#include <vector>

#include "mirror/config/settings.h"

namespace mirror::config::checks {

Check<std::string> non_empty();
Check<std::string> flow_name();          // [a-z0-9][a-z0-9-]*, at most 100 characters
Check<std::string> cluster_name();       // [A-Za-z0-9][A-Za-z0-9._-]*, at most 100 characters
Check<std::string> availability_zone();  // auto, or [A-Za-z0-9][A-Za-z0-9._-]*
Check<std::string> instance_id();        // empty, or [A-Za-z0-9][A-Za-z0-9._-]*, at most 200
Check<std::string> listen_address();     // HOST:PORT with an IPv4 address, hostname or [IPv6]
Check<std::string> admin_token();        // empty, or 16..4096 printable ASCII characters, no space
Check<std::string> regex();              // compiles as std::regex ECMAScript
Check<std::string> topic_name_or_empty();  // empty, or a legal Kafka topic name
Check<std::string> one_of(const std::vector<std::string>& options);

Check<long long> at_least(long long low);  // and at most the largest int
Check<long long> between(long long low, long long high);
Check<long long> replication_factor();  // -1 or 1..32767

// The names of node.availability_zone_sources.
const std::vector<std::string>& availability_zone_source_names();

}  // namespace mirror::config::checks
