// Reading one YAML input file: locations, problem reports, mapping entries (with duplicate-key
// detection), scalars with ${env:..}/${file:..} references resolved, strict bool/int parsing.
// Internal to the config component.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mirror/config/loader.h"

namespace mirror::config {

// One key/value pair of a YAML mapping.
struct Entry {
  std::string key;
  Location key_at;
  YAML::Node value;
  Location value_at;  // where the value is; where the key is when the value is empty
};

// A scalar value with its references resolved.
struct Scalar {
  std::string text;
  bool from_reference = false;  // the text came (partly) from ${env:..} or ${file:..}
  Location at;
  // How to quote the value in a message: 'text' (shortened, escaped), or a placeholder when it came
  // from a reference, so a resolved secret never reaches a message.
  std::string shown() const;
};

class Reader {
 public:
  Reader(std::string file, const EnvLookup& env, std::vector<Diagnostic>* problems)
      : file_(std::move(file)), env_(env), problems_(problems) {}

  const std::string& file() const { return file_; }
  Location at(const YAML::Node& node) const;
  void error(const Location& where, std::string message);

  // The pairs of a mapping in file order. Reports (and drops) keys that are not strings and
  // repeated keys; the first occurrence of a key wins.
  std::vector<Entry> entries(const YAML::Node& map);

  // The scalar `node`, references resolved. When it is not a scalar, or a reference does not
  // resolve, reports "LABEL: ..." at `where` and returns nullopt.
  std::optional<Scalar> scalar(const YAML::Node& node, const Location& where,
                               const std::string& label, std::string_view expected);
  std::optional<Scalar> scalar(const Entry& entry, std::string_view expected) {
    return scalar(entry.value, entry.value_at, entry.key, expected);
  }

 private:
  std::string file_;
  const EnvLookup& env_;
  std::vector<Diagnostic>* problems_;
};

// True when the entry's value is a scalar without any "${" (so no reference went into it).
bool written_literally(const Entry& entry);

// How to show `value`, read from `entry`, in a message: quoted when written literally, else a
// placeholder, as it may have come through a reference.
std::string shown_value(const Entry& entry, const std::string& value);

// "nothing", "a scalar", "a list" or "a mapping": what a node is, for messages.
std::string describe_kind(const YAML::Node& node);

// 'text' for a message: shortened, with control and non-ASCII bytes escaped.
std::string quote(std::string_view text);

// Only "true" and "false" are booleans.
std::optional<bool> parse_bool(std::string_view text);

enum class IntParse { kOk, kNotAnInteger, kOutOfRange };
// Only an optional sign followed by decimal digits is an integer.
IntParse parse_int(std::string_view text, long long* value);

// The candidate closest to `word` when it is close enough to be a likely typo.
std::optional<std::string> nearest(std::string_view word,
                                   const std::vector<std::string>& candidates);

}  // namespace mirror::config
