// The running service: every enabled flow on its own thread, one HTTP port, the node's AZ.
//
// A reload (apply()) changes the flows while the others run on: a new flow starts, a removed one
// drains (flush, commit) and stops, a changed one (its own settings, a cluster it uses, the node's
// instance id) is stopped and started again alone, an unchanged one is not touched at all. What
// cannot change while the process runs (the HTTP address, the node's AZ settings) is reported as
// needing a restart and otherwise ignored until then.
//
// Threads: start(), stop() and apply() come from one thread (the main thread); the HTTP handlers
// read the flows from the server's thread, under flows_mutex_.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mirror/az/resolver.h"
#include "mirror/common/result.h"
#include "mirror/config/spec.h"
#include "mirror/flow/budget.h"
#include "mirror/flow/flow.h"
#include "mirror/http/server.h"
#include "mirror/metrics/metrics.h"

namespace mirror::service {

struct ServiceOptions {
  std::string http_listen;  // HOST:PORT; empty: no HTTP server
  flow::Tuning tuning;
  kafka::AdminFactory admin_factory;  // empty: librdkafka's Admin API
  std::string config_hash;            // fingerprint of the files the spec was read from
};

// log.format into the process's logger (common/log.h): at start and by every reload.
void apply_log_settings(const config::LogSpec& log);

// What a reload did, flow by flow.
struct ReloadReport {
  std::vector<std::string> started;    // new flows
  std::vector<std::string> stopped;    // removed flows
  std::vector<std::string> restarted;  // changed flows
  size_t unchanged = 0;
  // Settings that changed and take effect only after a restart, e.g. "http.listen".
  std::vector<std::string> needs_restart;
};

// The configuration that runs, as /flows shows it.
struct ConfigInfo {
  std::string hash;
  std::chrono::system_clock::time_point loaded_at;
  std::string last_reload_error;           // empty after a reload that was applied
  std::vector<std::string> needs_restart;  // since the process started
};

class Service {
 public:
  Service(config::ServiceSpec spec, az::Resolution zone, ServiceOptions options);
  ~Service();

  // Starts the HTTP server (errors as values) and every enabled flow.
  Status start();
  // Stops every flow (drain, commit, close) and the HTTP server.
  void stop();

  // A reload with a valid specification (the caller validated it in full): changes the flows as
  // the header says. Blocks while removed and changed flows drain.
  ReloadReport apply(config::ServiceSpec spec, const std::string& hash);
  // A reload refused (an invalid configuration): counted, and shown on /flows until the next
  // applied one. `error` names the files and lines; it never holds secret values.
  void refuse(const std::string& error);
  ConfigInfo config_info() const;

  // Pauses or resumes a flow by name (any thread; returns at once). False: no such flow. A paused
  // flow stays paused through reloads, also when they restart it, until resumed or removed. A
  // resume of a stalled flow also starts a new session of it (which reads the refused record
  // again: after the target was fixed, it goes on).
  bool set_paused(const std::string& flow, bool paused);

  std::vector<flow::FlowStatus> flow_statuses() const;
  bool ready() const;
  std::string flows_json() const;
  uint16_t http_port() const { return http_ ? http_->port() : 0; }
  metrics::Metrics& metrics() { return metrics_; }

 private:
  flow::FlowContext context_for(const config::FlowSpec& flow);
  void size_budget();  // budget_ from spec_ (memory.record_buffers_mib, the enabled flows)
  std::vector<http::Route> routes();  // of the HTTP port

  config::ServiceSpec spec_;
  az::Resolution zone_;
  ServiceOptions options_;
  metrics::Metrics metrics_;
  mutable std::mutex config_mutex_;
  ConfigInfo config_;        // under config_mutex_
  std::string admin_token_;  // under config_mutex_; a secret: never logged or served
  mutable std::mutex flows_mutex_;
  std::set<std::string> paused_;  // under flows_mutex_: names of the flows paused
  // Clients the flows share (kafka/shared_clients.h): before the flows, which lease from it.
  std::shared_ptr<kafka::SharedClients> shared_clients_ = std::make_shared<kafka::SharedClients>();
  // The flows' memory for records (flow/budget.h), sized from spec_ at start and every reload.
  std::shared_ptr<flow::RecordBudget> budget_ = std::make_shared<flow::RecordBudget>(0, 0);
  // Under flows_mutex_ (changed by the main thread, read by HTTP handlers). After metrics_: flows
  // die first.
  std::vector<std::unique_ptr<flow::Flow>> flows_;
  std::unique_ptr<http::Server> http_;  // last: its handlers read everything above
};

// The FlowContext for one flow of `spec`, with client.rack from the node's zone.
flow::FlowContext make_flow_context(const config::ServiceSpec& spec, const config::FlowSpec& flow,
                                    const std::optional<az::Zone>& zone, metrics::Metrics* metrics,
                                    const ServiceOptions& options);

}  // namespace mirror::service
