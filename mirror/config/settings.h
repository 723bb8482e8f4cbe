// The machinery behind the schema: a section is a table of settings, each with a name, a type, a
// default, a help text and a check. The same table reads (and validates) a YAML mapping and renders
// the section's reference for docs/configuration.md, so docs and behaviour cannot drift apart.
// The tables themselves are in schema.cc. Internal to the config component.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mirror/config/properties.h"
#include "mirror/config/reader.h"

namespace mirror::config {

// A check on a value: what it accepts (for the docs) and the test (a message when it fails).
template <typename T>
struct Check {
  std::string allowed;
  std::function<std::optional<std::string>(const T&)> problem;
};

// One key of a section whose values are stored in an S.
template <typename S>
struct Setting {
  std::string name;
  std::string type;     // shown in the docs: "bool", "int", "string", "list of regexes", ...
  std::string allowed;  // what the check accepts, shown in the docs; empty when any value will do
  std::string help;
  bool required = false;
  std::function<std::string(const S&)> show;            // the key's value in S as YAML text
  std::function<void(Reader&, const Entry&, S&)> read;  // parse, check, store; report problems
};

template <typename S>
using Table = std::vector<Setting<S>>;

// ---- Rendering values as YAML (for the default column) ---------------------------------------

// Plain when unambiguous (auto, 0.0.0.0:9464), else double-quoted with YAML escapes.
std::string yaml_string(const std::string& text);
std::string yaml_list(const std::vector<std::string>& items);

// Text safe inside a Markdown table cell; code_cell wraps it in backticks.
std::string markdown_cell(const std::string& text);
std::string code_cell(const std::string& text);

// "unknown key 'x' in WHAT", plus "; did you mean 'y'?" or the list of keys when there are few.
std::string unknown_key_message(const std::string& key, const std::string& what,
                                const std::vector<std::string>& known);

// ---- Builders ---------------------------------------------------------------------------------
// Each returns one table row: the value's type, how to show it and how to read it. Value problems
// read "KEY: what is wrong, got 'VALUE'".

template <typename S>
Setting<S> required(Setting<S> setting) {
  setting.required = true;
  return setting;
}

template <typename S>
Setting<S> boolean(std::string name, bool S::*field, std::string help) {
  Setting<S> setting{std::move(name), "bool", "", std::move(help)};
  setting.show = [field](const S& s) { return std::string(s.*field ? "true" : "false"); };
  setting.read = [field](Reader& r, const Entry& e, S& s) {
    std::optional<Scalar> value = r.scalar(e, "true or false");
    if (!value) return;
    if (std::optional<bool> parsed = parse_bool(value->text)) {
      s.*field = *parsed;
    } else {
      r.error(e.value_at, e.key + ": expected true or false, got " + value->shown());
    }
  };
  return setting;
}

// `check` must keep the value within int.
template <typename S>
Setting<S> integer(std::string name, int S::*field, Check<long long> check, std::string help) {
  Setting<S> setting{std::move(name), "int", check.allowed, std::move(help)};
  setting.show = [field](const S& s) { return std::to_string(s.*field); };
  setting.read = [field, check](Reader& r, const Entry& e, S& s) {
    std::optional<Scalar> value = r.scalar(e, "an integer");
    if (!value) return;
    long long number = 0;
    switch (parse_int(value->text, &number)) {
      case IntParse::kNotAnInteger:
        r.error(e.value_at, e.key + ": expected an integer, got " + value->shown());
        return;
      case IntParse::kOutOfRange:
        r.error(e.value_at,
                e.key + ": out of range (" + check.allowed + "), got " + value->shown());
        return;
      case IntParse::kOk:
        break;
    }
    if (std::optional<std::string> problem = check.problem(number)) {
      r.error(e.value_at, e.key + ": " + *problem + ", got " + value->shown());
      return;
    }
    s.*field = static_cast<int>(number);
  };
  return setting;
}

template <typename S>
Setting<S> text(std::string name, std::string S::*field, Check<std::string> check,
                std::string help) {
  Setting<S> setting{std::move(name), "string", check.allowed, std::move(help)};
  setting.show = [field](const S& s) { return yaml_string(s.*field); };
  setting.read = [field, check](Reader& r, const Entry& e, S& s) {
    std::optional<Scalar> value = r.scalar(e, "a string");
    if (!value) return;
    if (std::optional<std::string> problem = check.problem(value->text)) {
      r.error(e.value_at, e.key + ": " + *problem + ", got " + value->shown());
      return;
    }
    s.*field = value->text;
  };
  return setting;
}

// A secret string: as text(), but no message ever shows the value (not even one written
// literally), and the docs show its default as "".
template <typename S>
Setting<S> secret(std::string name, std::string S::*field, Check<std::string> check,
                  std::string help) {
  Setting<S> setting{std::move(name), "string (secret)", check.allowed, std::move(help)};
  setting.show = [](const S&) { return std::string("\"\""); };
  setting.read = [field, check](Reader& r, const Entry& e, S& s) {
    std::optional<Scalar> value = r.scalar(e, "a string");
    if (!value) return;
    if (std::optional<std::string> problem = check.problem(value->text)) {
      r.error(e.value_at, e.key + ": " + *problem + " (the value is not shown)");
      return;
    }
    s.*field = value->text;
  };
  return setting;
}

// A string naming one of `options`, stored as its E.
template <typename S, typename E>
Setting<S> choice(std::string name, E S::*field, std::vector<std::pair<std::string, E>> options,
                  std::string help) {
  std::vector<std::string> names;
  std::string allowed;
  for (const auto& option : options) {
    names.push_back(option.first);
    allowed += (allowed.empty() ? "" : ", ") + option.first;
  }
  Setting<S> setting{std::move(name), "string", allowed, std::move(help)};
  setting.show = [field, options](const S& s) {
    for (const auto& [text, value] : options) {
      if (value == s.*field) return text;
    }
    return std::string();
  };
  setting.read = [field, options, names, allowed](Reader& r, const Entry& e, S& s) {
    std::optional<Scalar> value = r.scalar(e, "one of " + allowed);
    if (!value) return;
    for (const auto& [text, option] : options) {
      if (text == value->text) {
        s.*field = option;
        return;
      }
    }
    std::string message = e.key + ": must be one of " + allowed + ", got " + value->shown();
    std::optional<std::string> suggestion = nearest(value->text, names);
    if (suggestion && !value->from_reference) message += "; did you mean '" + *suggestion + "'?";
    r.error(e.value_at, message);
  };
  return setting;
}

// A list of strings, each passing `check` (and, when `unique`, listed once). `type` names the list
// ("list of regexes"), `item_type` one item in messages ("a regex"). Problems name the item as
// KEY[INDEX]. The field keeps its default unless every item is fine.
template <typename S>
Setting<S> list(std::string name, std::vector<std::string> S::*field, std::string type,
                const std::string& item_type, Check<std::string> check, std::string help,
                bool unique = false) {
  Setting<S> setting{std::move(name), type, check.allowed, std::move(help)};
  setting.show = [field](const S& s) { return yaml_list(s.*field); };
  setting.read = [field, type, item_type, check, unique](Reader& r, const Entry& e, S& s) {
    if (!e.value.IsSequence()) {
      std::string hint = e.value.IsNull() ? " (write [] for an empty list)" : "";
      r.error(e.value_at,
              e.key + ": expected a " + type + ", got " + describe_kind(e.value) + hint);
      return;
    }
    std::vector<std::string> items;
    bool all_fine = true;
    size_t index = 0;
    for (const YAML::Node& item : e.value) {
      std::string label = e.key + "[" + std::to_string(index++) + "]";
      std::optional<Scalar> value = r.scalar(item, r.at(item), label, item_type);
      if (!value) {
        all_fine = false;
      } else if (std::optional<std::string> problem = check.problem(value->text)) {
        r.error(value->at, label + ": " + *problem + ", got " + value->shown());
        all_fine = false;
      } else if (unique && std::find(items.begin(), items.end(), value->text) != items.end()) {
        r.error(value->at, label + ": " + value->shown() + " is listed twice");
        all_fine = false;
      } else {
        items.push_back(value->text);
      }
    }
    if (all_fine) s.*field = std::move(items);
  };
  return setting;
}

// A mapping of librdkafka property names to scalar values. Properties mirror manages are refused.
// Names whose value came from a reference, or that look like secrets, go into `secrets`.
template <typename S>
Setting<S> properties(std::string name, std::map<std::string, std::string> S::*field,
                      std::set<std::string> S::*secrets,
                      std::map<std::string, Location> S::*locations, std::string help) {
  Setting<S> setting{std::move(name), "map of string", "", std::move(help)};
  setting.show = [field](const S& s) { return std::string((s.*field).empty() ? "{}" : "..."); };
  setting.read = [field, secrets, locations](Reader& r, const Entry& e, S& s) {
    if (e.value.IsNull()) return;  // "consumer:" with everything below commented out
    if (!e.value.IsMap()) {
      r.error(e.value_at, e.key + ": expected a mapping of librdkafka properties, got " +
                              describe_kind(e.value));
      return;
    }
    for (const Entry& property : r.entries(e.value)) {
      std::optional<Scalar> value =
          r.scalar(property.value, property.value_at, e.key + "." + property.key, "a scalar value");
      if (!value) continue;
      if (std::optional<std::string> problem =
              managed_property_problem(property.key, value->text)) {
        r.error(property.key_at, e.key + ": " + *problem);
        continue;
      }
      (s.*field)[property.key] = value->text;
      (s.*locations)[property.key] = property.key_at;
      if (value->from_reference || is_secret_property_name(property.key)) {
        (s.*secrets).insert(property.key);
      }
    }
  };
  return setting;
}

// ---- Sections ---------------------------------------------------------------------------------

// Reads the mapping `node` with `table` into `out`. Reports unknown keys (with the nearest known
// one as a hint), and required keys that are missing (at `where`). `what` names the mapping in
// messages: "cluster 'primary'", "flow", ... A key with nothing below it (a null node) reads as
// an empty mapping. Returns the entries read, by key.
template <typename S>
std::map<std::string, Entry> read_section(Reader& r, const YAML::Node& node, const Location& where,
                                          const Table<S>& table, const std::string& what, S& out) {
  std::map<std::string, Entry> seen;
  if (!node.IsMap() && !node.IsNull()) {
    r.error(where, what + ": expected a mapping, got " + describe_kind(node));
    return seen;
  }
  std::vector<std::string> names;
  for (const Setting<S>& setting : table) names.push_back(setting.name);
  if (node.IsMap()) {
    for (const Entry& entry : r.entries(node)) {
      auto setting = std::find_if(table.begin(), table.end(),
                                  [&](const Setting<S>& s) { return s.name == entry.key; });
      if (setting == table.end()) {
        r.error(entry.key_at, unknown_key_message(entry.key, what, names));
        continue;
      }
      seen[entry.key] = entry;
      setting->read(r, entry, out);
    }
  }
  for (const Setting<S>& setting : table) {
    if (setting.required && !seen.contains(setting.name)) {
      r.error(where, what + " is missing required key '" + setting.name + "'");
    }
  }
  return seen;
}

// A Markdown table of the section: key, type, default (from a default-constructed S), allowed
// values and meaning.
template <typename S>
std::string render_table(const Table<S>& table) {
  const S defaults{};
  std::string out = "| Key | Type | Default | Allowed | Meaning |\n|---|---|---|---|---|\n";
  for (const Setting<S>& setting : table) {
    out += "| `" + setting.name + "` | " + setting.type + " | " +
           (setting.required ? std::string("required") : code_cell(setting.show(defaults))) +
           " | " + markdown_cell(setting.allowed) + " | " + markdown_cell(setting.help) + " |\n";
  }
  return out;
}

}  // namespace mirror::config
