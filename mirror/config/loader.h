// Loading and validating the service configuration.
//
//   LoadOutcome outcome = mirror::config::load("config/mirror.yaml", {"flows/"});
//   if (!outcome.ok()) for (const auto& p : outcome.problems) std::cerr << p.format() << "\n";
//
// The schema (every key, its type, default and check) is defined once in schema.cc; the same
// tables validate input and render the reference in docs/configuration.md.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mirror/config/spec.h"

namespace mirror::config {

// One problem in the input, at a place in a file.
struct Diagnostic {
  Location where;
  std::string message;
  // "FILE:LINE:COL: message", or "FILE: message" when the problem concerns the whole file.
  std::string format() const;
};

struct LoadOutcome {
  ServiceSpec spec;                  // best effort when there are problems
  std::vector<Diagnostic> problems;  // every problem of every file, in file order
  // What runs but should be known ("warning: ..."): flows in a cycle that only provenance
  // headers break (config/topology.h).
  std::vector<Diagnostic> warnings;
  bool ok() const { return problems.empty(); }
};

// Answers ${env:NAME} references; nullopt when NAME is unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
std::optional<std::string> process_env(const std::string& name);

// Loads the service config file plus each --flows path (a flow file, or a directory whose
// *.yaml/*.yml files are loaded in name order). Collects every problem of every file (never stops
// at the first), never throws, never crashes on any input.
LoadOutcome load(const std::string& config_file, const std::vector<std::string>& flow_paths,
                 const EnvLookup& env = process_env);

// The files load() reads for these arguments, in its order: the config file, each flow file, each
// directory's flow files (a directory it cannot list, or one without flow files, stands for
// itself). A reload watches them.
std::vector<std::string> input_files(const std::string& config_file,
                                     const std::vector<std::string>& flow_paths);

// The value to show for a property in logs and HTTP output: "***" when it is secret (listed in
// secret_properties, or its name looks like a password, secret, token or key), else the value.
std::string display_value(const std::set<std::string>& secret_properties, const std::string& key,
                          const std::string& value);

// The configuration reference (one Markdown table per section, with keys, types, defaults, allowed
// values and meaning), rendered from the same tables that validate the input.
// docs/configuration.md holds this text verbatim; a unit test keeps the two in step.
std::string reference_markdown();

// What is wrong with `text` as node.instance_id (for `mirror run --instance-id`), or nothing.
std::optional<std::string> instance_id_problem(const std::string& text);

// What is wrong with `text` as a flow's name (for `mirror ctl`), or nothing.
std::optional<std::string> flow_name_problem(const std::string& text);

}  // namespace mirror::config
