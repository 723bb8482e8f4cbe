#include "mirror/service/reloader.h"

#include <sstream>

#include "mirror/common/log.h"
#include "mirror/config/loader.h"
#include "mirror/service/client_checks.h"
#include "mirror/service/config_files.h"

namespace mirror::service {
namespace {

constexpr size_t kProblemsShown = 5;  // in the error kept for /flows (the log has all of them)

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

Reloader::Reloader(Service& service, std::string config_file, std::vector<std::string> flow_paths,
                   Overrides overrides, std::string loaded_hash)
    : service_(service),
      config_file_(std::move(config_file)),
      flow_paths_(std::move(flow_paths)),
      overrides_(std::move(overrides)),
      tried_hash_(std::move(loaded_hash)) {}

bool Reloader::poll() {
  const std::string hash = fingerprint(config::input_files(config_file_, flow_paths_));
  if (hash == tried_hash_) return false;
  attempt("the configuration files changed", hash);
  return true;
}

void Reloader::reload(const std::string& why) {
  attempt(why, fingerprint(config::input_files(config_file_, flow_paths_)));
}

void Reloader::attempt(const std::string& why, const std::string& hash) {
  tried_hash_ = hash;
  log::info("service", "reloading the configuration (", why, ")");
  auto outcome = load_checked(config_file_, flow_paths_);
  if (!outcome.ok()) {
    std::ostringstream error;
    error << outcome.problems.size() << " problem(s): ";
    for (size_t i = 0; i < outcome.problems.size(); ++i) {
      const std::string line = outcome.problems[i].format();
      log::error("service", line);
      if (i < kProblemsShown) error << (i == 0 ? "" : "; ") << line;
    }
    if (outcome.problems.size() > kProblemsShown) error << "; ...";
    log::error("service", "reload refused: ", outcome.problems.size(),
               " problem(s) in the configuration; the running configuration stays");
    service_.refuse(error.str());
    return;
  }
  for (const auto& w : outcome.warnings) log::warn("service", w.format());
  if (overrides_) overrides_(outcome.spec);
  const ReloadReport report = service_.apply(std::move(outcome.spec), hash);
  log::info("service", "reloaded: ", report.started.size(), " flow(s) started",
            report.started.empty() ? "" : " (" + joined(report.started) + ")", ", ",
            report.stopped.size(), " stopped",
            report.stopped.empty() ? "" : " (" + joined(report.stopped) + ")", ", ",
            report.restarted.size(), " restarted",
            report.restarted.empty() ? "" : " (" + joined(report.restarted) + ")", ", ",
            report.unchanged, " unchanged");
  for (const auto& key : report.needs_restart) {
    log::warn("service", key, " changed: it takes effect when the process restarts");
  }
}

}  // namespace mirror::service
