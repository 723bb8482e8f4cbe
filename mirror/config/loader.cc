// load(): reads the config file and the --flows paths, then checks what spans files (cluster
// references, unique flow names). Per-key reading and checks live in schema.cc.
#include "mirror/config/loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <tuple>

#include "mirror/config/checks.h"
#include "mirror/config/parse.h"
#include "mirror/config/properties.h"
#include "mirror/config/reader.h"
#include "mirror/config/references.h"
#include "mirror/config/schema.h"
#include "mirror/config/topology.h"

namespace mirror::config {
namespace {

constexpr size_t kMaxInputFileBytes = 16 << 20;

bool is_yaml_file_name(const std::string& name) {
  return !name.starts_with('.') && (name.ends_with(".yaml") || name.ends_with(".yml"));
}

// The flow files of directory `path` (*.yaml, *.yml; not hidden), in name order.
std::vector<std::string> flow_files_in(const std::string& path, std::error_code& error) {
  std::vector<std::string> names;
  std::filesystem::directory_iterator it(path, error);
  for (; !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    std::string name = it->path().filename().string();
    std::error_code ignored;
    if (is_yaml_file_name(name) && it->is_regular_file(ignored)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  for (auto& name : names) name = (std::filesystem::path(path) / name).string();
  return names;
}

class Loader {
 public:
  explicit Loader(const EnvLookup& env) : env_(env) {}

  void load_config_file(const std::string& path) {
    Reader reader(note_file(path), env_, &problems_);
    std::optional<YAML::Node> root = read_yaml(reader);
    if (!root) {
      clusters_known_ = false;
      return;
    }
    Document document;
    read_config_document(reader, *root, document);
    spec_ = std::move(document.service);
    clusters_known_ = document.clusters_readable;
    add_flows(document);
  }

  void load_flow_path(const std::string& path) {
    std::error_code error;
    if (!std::filesystem::is_directory(path, error)) {
      load_flow_file(path);
      return;
    }
    const std::vector<std::string> files = flow_files_in(path, error);
    if (error) {
      report_file(note_file(path), "cannot read the directory: " + error.message());
      return;
    }
    if (files.empty()) {
      report_file(note_file(path), "no flow files (*.yaml, *.yml) in this directory");
      return;
    }
    for (const std::string& file : files) load_flow_file(file);
  }

  // Checks that need every flow and the clusters: unique names, known clusters, source != target.
  void check_flows() {
    std::map<std::string, Location> first_by_name;
    for (const FlowDraft& flow : flows_) {
      const FlowSpec& spec = flow.spec;
      if (!spec.name.empty()) {
        const Entry& name = flow.entries.at("name");
        auto [first, inserted] = first_by_name.emplace(spec.name, name.value_at);
        if (!inserted) {
          error(name.value_at, "duplicate flow name " + shown_value(name, spec.name) +
                                   " (first defined at " + first->second.file + ":" +
                                   std::to_string(first->second.line) + ")");
        }
      }
      if (clusters_known_) {
        check_cluster_reference(flow, "source", spec.source);
        check_cluster_reference(flow, "target", spec.target);
      }
      if (!spec.source.empty() && spec.source == spec.target) {
        const Entry& target = flow.entries.at("target");
        error(target.value_at, "target: same cluster as source (" +
                                   shown_value(target, spec.target) +
                                   "); a flow copies between two different clusters");
      }
      check_exactly_once(flow);
    }
    check_cycles();
  }

  // An exactly-once flow reads the source `read_committed`: records of aborted source
  // transactions must not be copied.
  void check_exactly_once(const FlowDraft& flow) {
    const FlowSpec& spec = flow.spec;
    if (!spec.exactly_once_delivery_enabled) return;
    const auto level = spec.consumer.find("isolation.level");
    if (level == spec.consumer.end() || level->second == "read_committed") return;
    const auto at = spec.consumer_locations.find("isolation.level");
    error(at != spec.consumer_locations.end() ? at->second : spec.location,
          "consumer: 'isolation.level' must be read_committed when "
          "'exactly_once_delivery_enabled' is true (records of aborted source transactions "
          "must not be copied)");
  }

  // Flows that form a cycle under identity names: refused when nothing stops records going round,
  // warned about when provenance headers (all or some) do.
  void check_cycles() {
    std::vector<FlowSpec> specs;
    specs.reserve(flows_.size());
    for (const FlowDraft& flow : flows_) specs.push_back(flow.spec);
    for (const FlowCycle& cycle : find_cycles(specs)) {
      if (cycle.guard == FlowCycle::Guard::Names) continue;
      std::string names;
      std::string unstamped;
      auto add = [](std::string& list, const std::string& item) {
        if (!list.empty()) list += ", ";
        list += item;
      };
      for (size_t i : cycle.flows) {
        add(names, specs[i].name);
        if (!stamps_provenance(specs[i])) add(unstamped, specs[i].name);
      }
      std::string what = "flows ";
      what += names;
      what += " form a cycle among clusters ";
      std::string clusters;
      for (const auto& c : cycle.clusters) add(clusters, c);
      what += clusters;
      what += " with identity topic names";
      const Location& where = specs[cycle.flows.front()].location;
      switch (cycle.guard) {
        case FlowCycle::Guard::Nothing:
          error(where, what +
                           " and no provenance headers (provenance_headers_enabled: false): "
                           "every record would be copied round for ever; enable the headers "
                           "on these flows");
          break;
        case FlowCycle::Guard::SomeHeaders:
          what += ": only provenance headers stop records going round, and flows ";
          what += unstamped;
          warn(where, what +
                          " do not stamp them (provenance_headers_enabled): a record can go "
                          "round once before it is stopped");
          break;
        case FlowCycle::Guard::Headers:
          warn(where, what +
                          ": only provenance headers (mirror.provenance) stop records going "
                          "round; keep provenance_headers_enabled on for them");
          break;
        case FlowCycle::Guard::Names:
          break;
      }
      if (cycle.guard == FlowCycle::Guard::Names) continue;
      const bool acls_everywhere =
          std::all_of(cycle.flows.begin(), cycle.flows.end(),
                      [&specs](size_t i) { return specs[i].sync_topic_acls_enabled; });
      if (acls_everywhere) {
        warn(where, "flows " + names +
                        " sync topic ACLs in every direction of a cycle with identity topic "
                        "names: an ACL removed on one cluster can be copied back from another; "
                        "remove it on every cluster, or sync ACLs in one direction only");
      }
    }
  }

  LoadOutcome finish() {
    for (FlowDraft& flow : flows_) spec_.flows.push_back(std::move(flow.spec));
    sort_problems();
    return LoadOutcome{std::move(spec_), std::move(problems_), std::move(warnings_)};
  }

  void report_internal_error(const std::string& file, const std::string& what) {
    report_file(file, "internal error while loading the configuration: " + what);
  }

 private:
  void load_flow_file(const std::string& path) {
    Reader reader(note_file(path), env_, &problems_);
    std::optional<YAML::Node> root = read_yaml(reader);
    if (!root) return;
    Document document;
    read_flow_document(reader, *root, document);
    add_flows(document);
  }

  std::optional<YAML::Node> read_yaml(Reader& reader) {
    std::string why;
    std::optional<std::string> text = read_file_limited(reader.file(), kMaxInputFileBytes, &why);
    if (!text) {
      report_file(reader.file(), "cannot read the file: " + why);
      return std::nullopt;
    }
    return parse_root_mapping(reader, *text);
  }

  void add_flows(Document& document) {
    for (FlowDraft& flow : document.flows) flows_.push_back(std::move(flow));
  }

  void check_cluster_reference(const FlowDraft& flow, const std::string& key,
                               const std::string& cluster) {
    if (cluster.empty() || spec_.clusters.contains(cluster)) return;
    const Entry& entry = flow.entries.at(key);
    std::vector<std::string> known;
    for (const auto& [name, unused] : spec_.clusters) known.push_back(name);
    std::string message = key + ": unknown cluster " + shown_value(entry, cluster);
    std::optional<std::string> suggestion = nearest(cluster, known);
    if (known.empty()) {
      message += " (the config file defines no clusters)";
    } else if (suggestion && written_literally(entry)) {
      message += "; did you mean '" + *suggestion + "'?";
    } else {
      std::string list;
      for (const std::string& name : known) list += (list.empty() ? "" : ", ") + name;
      message += " (defined: " + list + ")";
    }
    error(entry.value_at, message);
  }

  // Remembers the order in which files were first seen; problems are sorted by it.
  const std::string& note_file(const std::string& path) {
    file_rank_.emplace(path, file_rank_.size());
    return path;
  }

  void error(const Location& where, std::string message) {
    problems_.push_back(Diagnostic{where, std::move(message)});
  }
  void warn(const Location& where, const std::string& message) {
    warnings_.push_back(Diagnostic{where, "warning: " + message});
  }
  void report_file(const std::string& path, std::string message) {
    error(Location{path, 0, 0}, std::move(message));
  }

  void sort_problems() {
    auto rank = [this](const Location& where) {
      auto it = file_rank_.find(where.file);
      return std::make_tuple(it == file_rank_.end() ? file_rank_.size() : it->second, where.line,
                             where.column);
    };
    std::stable_sort(
        problems_.begin(), problems_.end(),
        [&](const Diagnostic& a, const Diagnostic& b) { return rank(a.where) < rank(b.where); });
  }

  const EnvLookup& env_;
  ServiceSpec spec_;
  std::vector<FlowDraft> flows_;
  std::vector<Diagnostic> problems_;
  std::vector<Diagnostic> warnings_;  // the configuration runs, but this should be known
  std::map<std::string, size_t> file_rank_;
  bool clusters_known_ = true;
};

}  // namespace

std::string Diagnostic::format() const {
  if (where.line <= 0) return where.file + ": " + message;
  std::string place = where.file + ":" + std::to_string(where.line);
  if (where.column > 0) place += ":" + std::to_string(where.column);
  return place + ": " + message;
}

std::optional<std::string> process_env(const std::string& name) {
  // Read while the configuration is loaded; nothing in mirror sets environment variables.
  const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

LoadOutcome load(const std::string& config_file, const std::vector<std::string>& flow_paths,
                 const EnvLookup& env) {
  Loader loader(env);
  try {
    loader.load_config_file(config_file);
    for (const std::string& path : flow_paths) loader.load_flow_path(path);
    loader.check_flows();
  } catch (const std::exception& e) {
    loader.report_internal_error(config_file, e.what());
  } catch (...) {
    loader.report_internal_error(config_file, "unknown exception");
  }
  return loader.finish();
}

std::string display_value(const std::set<std::string>& secret_properties, const std::string& key,
                          const std::string& value) {
  if (secret_properties.contains(key) || is_secret_property_name(key)) return "***";
  return value;
}

std::optional<std::string> instance_id_problem(const std::string& text) {
  return checks::instance_id().problem(text);
}

std::vector<std::string> input_files(const std::string& config_file,
                                     const std::vector<std::string>& flow_paths) {
  std::vector<std::string> files{config_file};
  for (const auto& path : flow_paths) {
    std::error_code error;
    if (!std::filesystem::is_directory(path, error)) {
      files.push_back(path);
      continue;
    }
    auto in_directory = flow_files_in(path, error);
    if (error || in_directory.empty()) {
      files.push_back(path);  // what load() reports about it
      continue;
    }
    files.insert(files.end(), in_directory.begin(), in_directory.end());
  }
  return files;
}

std::optional<std::string> flow_name_problem(const std::string& text) {
  return checks::flow_name().problem(text);
}

}  // namespace mirror::config
