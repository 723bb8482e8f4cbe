// ${env:NAME} and ${file:PATH} references inside configuration strings.
//
// A string may hold several references with literal text around them: "user-${env:USER}" or
// "${file:/run/secrets/a}${file:/run/secrets/b}". "$${" stands for a literal "${".
// Resolved values are secrets: nothing here ever puts one into an error message.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mirror/config/loader.h"  // EnvLookup

namespace mirror::config {

struct Resolved {
  std::string text;                 // the string with every reference replaced
  bool had_reference = false;       // at least one ${env:..} or ${file:..} was present
  std::vector<std::string> errors;  // why references did not resolve; names, never values
};

Resolved resolve_references(std::string_view raw, const EnvLookup& env);

// Reads at most `limit` bytes of a file; on failure returns nullopt and sets *error to the reason
// ("No such file or directory", "larger than 1048576 bytes", ...).
std::optional<std::string> read_file_limited(const std::string& path, size_t limit,
                                             std::string* error);

}  // namespace mirror::config
