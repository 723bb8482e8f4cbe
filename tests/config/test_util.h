// Helpers for the config tests: a temporary directory for input files, and loading text.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mirror/config/loader.h"

namespace mirror::config::testing {

// A fresh directory, removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "mirror-config-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

  // Writes `content` to the relative path `name` (creating folders) and returns the full path.
  std::string write(const std::string& name, const std::string& content) const {
    std::filesystem::path file = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
    return file.string();
  }
  std::string mkdir(const std::string& name) const {
    std::filesystem::path dir = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(dir);
    return dir.string();
  }

 private:
  std::string path_;
};

// An EnvLookup answering from a fixed map.
inline EnvLookup env_of(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

// Every problem as "FILE:LINE:COL: message" with the temporary directory cut from FILE.
inline std::vector<std::string> lines(const LoadOutcome& outcome, const TempDir& dir) {
  std::vector<std::string> out;
  for (const Diagnostic& problem : outcome.problems) {
    std::string text = problem.format();
    std::string prefix = dir.path() + "/";
    if (text.starts_with(prefix)) text = text.substr(prefix.size());
    out.push_back(text);
  }
  return out;
}

// Fixture: write mirror.yaml (and flow files), load, and look at the problems.
class ConfigTest : public ::testing::Test {
 protected:
  // Loads `config` as mirror.yaml, with `flow_files` ({name, text}) passed as --flows in order.
  LoadOutcome load_text(const std::string& config,
                        const std::vector<std::pair<std::string, std::string>>& flow_files = {},
                        const EnvLookup& env = env_of({})) {
    std::string config_path = dir_.write("mirror.yaml", config);
    std::vector<std::string> flow_paths;
    for (const auto& [name, text] : flow_files) flow_paths.push_back(dir_.write(name, text));
    return load(config_path, flow_paths, env);
  }

  // The problems of loading `config` as mirror.yaml.
  std::vector<std::string> problems(const std::string& config, const EnvLookup& env = env_of({})) {
    return lines(load_text(config, {}, env), dir_);
  }

  // The problems of loading the two-cluster config below plus `flow_file` as flows.yaml.
  std::vector<std::string> flow_file_problems(const std::string& flow_file,
                                              const EnvLookup& env = env_of({})) {
    return lines(load_text(kTwoClusters, {{"flows.yaml", flow_file}}, env), dir_);
  }

  static constexpr const char* kTwoClusters =
      "clusters:\n"
      "  a:\n"
      "    bootstrap_servers: a:9092\n"
      "  b:\n"
      "    bootstrap_servers: b:9092\n";

  TempDir dir_;
};

}  // namespace mirror::config::testing
