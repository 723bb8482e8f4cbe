// The running service: every enabled flow on its own thread, one HTTP port, the node's AZ.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mirror/az/resolver.h"
#include "mirror/common/result.h"
#include "mirror/config/spec.h"
#include "mirror/flow/flow.h"
#include "mirror/http/server.h"
#include "mirror/metrics/metrics.h"

namespace mirror::service {

struct ServiceOptions {
  std::string http_listen;  // HOST:PORT; empty: no HTTP server
  flow::Tuning tuning;
  kafka::AdminFactory admin_factory;  // empty: librdkafka's Admin API
};

class Service {
 public:
  Service(config::ServiceSpec spec, az::Resolution zone, ServiceOptions options);
  ~Service();

  // Starts the HTTP server (errors as values) and every enabled flow.
  Status start();
  // Stops every flow (drain, commit, close) and the HTTP server.
  void stop();

  std::vector<flow::FlowStatus> flow_statuses() const;
  bool ready() const;
  std::string flows_json() const;
  uint16_t http_port() const { return http_ ? http_->port() : 0; }
  metrics::Metrics& metrics() { return metrics_; }

 private:
  config::ServiceSpec spec_;
  az::Resolution zone_;
  ServiceOptions options_;
  metrics::Metrics metrics_;
  std::vector<std::unique_ptr<flow::Flow>> flows_;  // after metrics_: flows die first
  std::unique_ptr<http::Server> http_;              // last: its handlers read everything above
};

// The FlowContext for one flow of `spec`, with client.rack from the node's zone.
flow::FlowContext make_flow_context(const config::ServiceSpec& spec, const config::FlowSpec& flow,
                                    const std::optional<az::Zone>& zone, metrics::Metrics* metrics,
                                    const ServiceOptions& options);

}  // namespace mirror::service
