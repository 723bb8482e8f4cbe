#include "mirror/config/reader.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "mirror/config/references.h"

namespace mirror::config {

Location Reader::at(const YAML::Node& node) const {
  YAML::Mark mark = node.Mark();
  if (mark.line < 0 || mark.column < 0) return Location{file_, 0, 0};
  return Location{file_, mark.line + 1, mark.column + 1};
}

void Reader::error(const Location& where, std::string message) {
  problems_->push_back(Diagnostic{where, std::move(message)});
}

std::vector<Entry> Reader::entries(const YAML::Node& map) {
  std::vector<Entry> out;
  std::map<std::string, Location> first_seen;
  // Range-for keeps each pair alive; `it->first` would refer into a temporary of yaml-cpp's.
  for (const auto& pair : map) {
    const YAML::Node& key = pair.first;
    Location key_at = at(key);
    if (!key.IsScalar()) {
      error(key_at, "keys must be strings, got " + describe_kind(key));
      continue;
    }
    auto [previous, inserted] = first_seen.emplace(key.Scalar(), key_at);
    if (!inserted) {
      error(key_at, "duplicate key " + quote(key.Scalar()) + " (first at line " +
                        std::to_string(previous->second.line) + ")");
      continue;
    }
    const YAML::Node& value = pair.second;
    Location value_at = value.IsNull() ? key_at : at(value);
    out.push_back(Entry{key.Scalar(), key_at, value, value_at});
  }
  return out;
}

std::optional<Scalar> Reader::scalar(const YAML::Node& node, const Location& where,
                                     const std::string& label, std::string_view expected) {
  if (!node.IsScalar()) {
    error(where, label + ": expected " + std::string(expected) + ", got " + describe_kind(node));
    return std::nullopt;
  }
  Resolved resolved = resolve_references(node.Scalar(), env_);
  for (std::string& problem : resolved.errors) {
    std::string message = label;
    message.append(": ").append(problem);
    error(where, message);
  }
  if (!resolved.errors.empty()) return std::nullopt;
  return Scalar{std::move(resolved.text), resolved.had_reference, where};
}

std::string Scalar::shown() const {
  return from_reference ? std::string("a value from a reference (not shown)") : quote(text);
}

bool written_literally(const Entry& entry) {
  return entry.value.IsScalar() && entry.value.Scalar().find("${") == std::string::npos;
}

std::string shown_value(const Entry& entry, const std::string& value) {
  return Scalar{value, !written_literally(entry), entry.value_at}.shown();
}

std::string describe_kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "nothing";
  }
}

std::string quote(std::string_view text) {
  constexpr size_t kMaxShown = 60;
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  out += text.size() > kMaxShown ? "'..." : "'";
  return out;
}

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return std::nullopt;
}

IntParse parse_int(std::string_view text, long long* value) {
  std::string_view digits = text;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return IntParse::kNotAnInteger;
  }
  if (text[0] == '+') text.remove_prefix(1);  // from_chars takes '-' but not '+'
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  if (error == std::errc::result_out_of_range) return IntParse::kOutOfRange;
  if (error != std::errc() || end != text.data() + text.size()) return IntParse::kNotAnInteger;
  return IntParse::kOk;
}

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string> nearest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
  constexpr size_t kMaxWordForSuggestion = 200;  // typos are short; junk need not be compared
  if (word.size() > kMaxWordForSuggestion) return std::nullopt;
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (const std::string& candidate : candidates) {
    size_t distance = edit_distance(word, candidate);
    if (!best || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  // Close enough: at most a third of the longer word differs (so short names get no guesses).
  size_t longest = best ? std::max(word.size(), best->size()) : 0;
  if (!best || best_distance == 0 || best_distance > longest / 3) {
    return std::nullopt;
  }
  return best;
}

}  // namespace mirror::config
