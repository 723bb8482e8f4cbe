// Rules for librdkafka property maps: cluster `properties`, flow `consumer` and `producer`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mirror::config {

// A librdkafka property that mirror sets itself. Users may not set it, or only to `allowed` values.
struct ManagedProperty {
  std::string_view name;
  std::vector<std::string_view> allowed;  // empty: any value is refused
  std::string_view reason;                // names what controls it instead
};

// The table of managed properties (also rendered into docs/configuration.md).
const std::vector<ManagedProperty>& managed_properties();

// Why `name` = `value` may not be set, or nullopt when it may. The message never holds the value.
std::optional<std::string> managed_property_problem(std::string_view name, std::string_view value);

// True for names that hold secrets by their nature: they contain password, secret, token or key.
bool is_secret_property_name(std::string_view name);

}  // namespace mirror::config
