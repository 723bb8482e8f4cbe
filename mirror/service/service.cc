#include "mirror/service/service.h"

#include <nlohmann/json.hpp>

#include "mirror/common/log.h"

namespace mirror::service {

flow::FlowContext make_flow_context(const config::ServiceSpec& spec, const config::FlowSpec& flow,
                                    const std::optional<az::Zone>& zone, metrics::Metrics* metrics,
                                    const ServiceOptions& options) {
  flow::FlowContext ctx;
  ctx.spec = flow;
  ctx.source = spec.clusters.at(flow.source);
  ctx.target = spec.clusters.at(flow.target);
  if (zone) {
    std::string rack = az::rack_for(*zone, ctx.source.rack_id_format);
    if (!rack.empty()) ctx.node_rack = rack;
  }
  if (flow.follower_fetching_enabled) ctx.client_rack = ctx.node_rack;
  if (flow.static_membership_enabled && !spec.node.instance_id.empty()) {
    ctx.group_instance_id = spec.node.instance_id;
  }
  ctx.metrics = metrics;
  ctx.tuning = options.tuning;
  ctx.admin_factory = options.admin_factory;
  return ctx;
}

Service::Service(config::ServiceSpec spec, az::Resolution zone, ServiceOptions options)
    : spec_(std::move(spec)), zone_(std::move(zone)), options_(std::move(options)) {
  metrics_.node_info
      .Add({{"availability_zone", zone_.display()}, {"source", zone_.zone ? zone_.source : "none"}})
      .Set(1);
  for (const auto& f : spec_.flows) {
    flows_.push_back(
        std::make_unique<flow::Flow>(make_flow_context(spec_, f, zone_.zone, &metrics_, options_)));
  }
}

Service::~Service() {
  stop();
}

Status Service::start() {
  if (!options_.http_listen.empty()) {
    std::map<std::string, http::Handler> routes;
    routes["/metrics"] = [this](const http::Request&) {
      return http::Response{200, "text/plain; version=0.0.4; charset=utf-8", metrics_.render()};
    };
    routes["/healthz"] = [](const http::Request&) {
      return http::Response{200, "text/plain; charset=utf-8", "ok\n"};
    };
    routes["/readyz"] = [this](const http::Request&) {
      std::string body;
      bool ok = true;
      for (const auto& s : flow_statuses()) {
        if (s.state == flow::State::Disabled) continue;
        if (s.state != flow::State::Running) {
          ok = false;
          body += s.name + ": " + flow::to_string(s.state);
          if (s.state == flow::State::Stalled) body += " (" + s.last_error + ")";
          body += "\n";
        }
      }
      return http::Response{ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ready\n" : body};
    };
    routes["/flows"] = [this](const http::Request&) {
      return http::Response{200, "application/json", flows_json()};
    };
    auto server = http::Server::start(options_.http_listen, std::move(routes));
    if (!server.ok()) return server.error();
    http_ = std::move(server.value());
    log::info("service", "HTTP on port ", http_->port(), ": /metrics /healthz /readyz /flows");
  }
  for (auto& f : flows_) f->start();
  return {};
}

void Service::stop() {
  for (auto& f : flows_) f->request_stop();  // all drain in parallel
  for (auto& f : flows_) f->join();
  if (http_) http_->stop();
}

std::vector<flow::FlowStatus> Service::flow_statuses() const {
  std::vector<flow::FlowStatus> out;
  out.reserve(flows_.size());
  for (const auto& f : flows_) out.push_back(f->status());
  return out;
}

bool Service::ready() const {
  for (const auto& s : flow_statuses()) {
    if (s.state != flow::State::Disabled && s.state != flow::State::Running) return false;
  }
  return true;
}

std::string Service::flows_json() const {
  nlohmann::json flows = nlohmann::json::array();
  for (const auto& s : flow_statuses()) {
    nlohmann::json partitions = nlohmann::json::array();
    for (const auto& p : s.partitions) {
      partitions.push_back({{"topic", p.topic},
                            {"partition", p.partition},
                            {"target_topic", p.target_topic},
                            {"leader", p.leader},
                            {"fetch_broker", p.fetch_broker},
                            {"fetch_broker_rack", p.fetch_broker_rack},
                            {"from_follower", p.from_follower},
                            {"lag", p.lag},
                            {"replicated", p.replicated}});
    }
    nlohmann::json f{
        {"name", s.name},
        {"state", flow::to_string(s.state)},
        {"source", s.source},
        {"target", s.target},
        {"follower_fetching_enabled", s.follower_fetching_enabled},
        {"client_rack", s.client_rack ? nlohmann::json(*s.client_rack) : nlohmann::json(nullptr)},
        {"fetch_mode", flow::to_string(s.fetch_mode)},
        {"in_flight_records", s.in_flight_records},
        {"fetch_paused", s.fetch_paused},
        {"partitions", std::move(partitions)}};
    if (!s.last_error.empty()) f["last_error"] = s.last_error;
    if (!s.stalled.empty()) {
      nlohmann::json stalled = nlohmann::json::array();
      for (const auto& st : s.stalled) {
        stalled.push_back({{"topic", st.topic},
                           {"partition", st.partition},
                           {"offset", st.offset},
                           {"reason", st.reason}});
      }
      f["stalled"] = std::move(stalled);
    }
    flows.push_back(std::move(f));
  }
  nlohmann::json root{
      {"availability_zone", zone_.zone ? nlohmann::json(zone_.display()) : nlohmann::json(nullptr)},
      {"availability_zone_source",
       zone_.zone ? nlohmann::json(zone_.source) : nlohmann::json(nullptr)},
      {"flows", std::move(flows)}};
  return root.dump(2) + "\n";
}

}  // namespace mirror::service
