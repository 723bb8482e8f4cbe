// Hot reload: the configuration is read again on request (SIGHUP) or when its files change on
// disk (poll() every few seconds; config_files.h), validated in full (as `validate` does), and
// either applied (Service::apply: only what changed is touched) or refused with every problem in
// the log as FILE:LINE:COL, the running configuration going on as before.
//
// A version of the files that was refused is not tried again by poll() (it would only fail
// again); a request (SIGHUP) always tries. Single-threaded: the main thread calls it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "mirror/config/spec.h"
#include "mirror/service/service.h"

namespace mirror::service {

class Reloader {
 public:
  // Command-line settings that win over the files (--instance-id, --http-listen, ...), applied to
  // every specification read.
  using Overrides = std::function<void(config::ServiceSpec&)>;

  // `loaded_hash`: the fingerprint of the files the running specification was read from.
  Reloader(Service& service, std::string config_file, std::vector<std::string> flow_paths,
           Overrides overrides, std::string loaded_hash);

  // Reloads when the files differ from the last version tried. True when something was tried.
  bool poll();
  // Reloads whatever the files hold now; `why` is logged ("SIGHUP").
  void reload(const std::string& why);

 private:
  void attempt(const std::string& why, const std::string& hash);

  Service& service_;
  const std::string config_file_;
  const std::vector<std::string> flow_paths_;
  const Overrides overrides_;
  std::string tried_hash_;  // the last version applied or refused
};

}  // namespace mirror::service
