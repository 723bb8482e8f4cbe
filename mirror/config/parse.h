// Turning a file's text into its one YAML mapping, with a problem report when it is not one.
// Internal to the config component.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "mirror/config/reader.h"

namespace mirror::config {

// The root mapping of `text`. Reports (through `reader`) syntax errors, an empty file, a root that
// is not a mapping, and a second document; returns nullopt when there is no mapping to read.
std::optional<YAML::Node> parse_root_mapping(Reader& reader, const std::string& text);

}  // namespace mirror::config
