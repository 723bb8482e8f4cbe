#include "mirror/service/service.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "mirror/common/log.h"
#include "mirror/http/auth.h"
#include "mirror/service/status_page.h"

namespace mirror::service {
namespace {

// This process's part of an exactly-once flow's transactional id without node.instance_id: random,
// the same for every flow and reload of the process (flow/exactly_once.h).
const std::string& process_suffix() {
  static const std::string suffix = [] {
    std::random_device device;
    std::mt19937_64 random(device());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text;
    for (uint64_t bits = random(); text.size() < 16; bits >>= 4) text += kHex[bits & 0xf];
    return text;
  }();
  return suffix;
}

// Would the two run the same way? (What they were read from does not matter.)
bool same_flow(const flow::FlowContext& a, const flow::FlowContext& b) {
  return config::same_settings(a.spec, b.spec) && config::same_settings(a.source, b.source) &&
         config::same_settings(a.target, b.target) && a.node_rack == b.node_rack &&
         a.client_rack == b.client_rack && a.group_instance_id == b.group_instance_id;
}

// Settings read once at start: what differs between the running spec and `next`.
std::vector<std::string> restart_only_changes(const config::ServiceSpec& running,
                                              const config::ServiceSpec& next) {
  std::vector<std::string> out;
  if (running.http.listen != next.http.listen) out.emplace_back("http.listen");
  if (running.node.availability_zone != next.node.availability_zone) {
    out.emplace_back("node.availability_zone");
  }
  if (running.node.availability_zone_sources != next.node.availability_zone_sources) {
    out.emplace_back("node.availability_zone_sources");
  }
  return out;
}

// What /readyz and ready() accept: running, or paused on purpose (disabled flows are left out).
bool counts_as_ready(flow::State state) {
  return state == flow::State::Running || state == flow::State::Paused;
}

std::string utc_text(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  (void)std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

}  // namespace

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
  if (flow.exactly_once_delivery_enabled) {
    ctx.transactional_id =
        "mirror-" + flow.name + "-" +
        (spec.node.instance_id.empty() ? process_suffix() : spec.node.instance_id);
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
  config_.hash = options_.config_hash;
  admin_token_ = spec_.http.admin_token;
  config_.loaded_at = std::chrono::system_clock::now();
  size_budget();
  for (const auto& f : spec_.flows) flows_.push_back(std::make_unique<flow::Flow>(context_for(f)));
}

void apply_log_settings(const config::LogSpec& log) {
  log::set_format(log.format == config::LogFormat::Json ? log::Format::Json : log::Format::Text);
}

void Service::size_budget() {
  const auto running = std::count_if(spec_.flows.begin(), spec_.flows.end(),
                                     [](const config::FlowSpec& f) { return f.enabled; });
  const size_t total = static_cast<size_t>(spec_.memory.record_buffers_mib) << 20;
  if (total == budget_->total() && static_cast<size_t>(running) == budget_->flows()) return;
  budget_->set_total(total);
  budget_->set_flows(static_cast<size_t>(running));
  log::info("service", "record buffers: ", spec_.memory.record_buffers_mib, " MiB for ", running,
            running == 1 ? " flow" : " flows", ", per flow ",
            std::min(options_.tuning.max_in_flight_bytes, budget_->in_flight_share()) >> 10,
            " KiB in flight and ", budget_->prefetch_kbytes(), " KiB prefetched");
}

flow::FlowContext Service::context_for(const config::FlowSpec& flow) {
  auto ctx = make_flow_context(spec_, flow, zone_.zone, &metrics_, options_);
  ctx.shared_clients = shared_clients_;
  ctx.budget = budget_;
  return ctx;
}

Service::~Service() {
  stop();
}

std::vector<http::Route> Service::routes() {
  std::vector<http::Route> routes;
  routes.push_back(
      {"GET", "/metrics", [this](const http::Request&) {
         return http::Response{200, "text/plain; version=0.0.4; charset=utf-8", metrics_.render()};
       }});
  routes.push_back({"GET", "/healthz", [](const http::Request&) {
                      return http::Response{200, "text/plain; charset=utf-8", "ok\n"};
                    }});
  routes.push_back(
      {"GET", "/readyz", [this](const http::Request&) {
         std::string body;
         bool ok = true;
         for (const auto& s : flow_statuses()) {
           if (s.state == flow::State::Disabled) continue;
           if (!counts_as_ready(s.state)) {
             ok = false;
             body += s.name + ": " + flow::to_string(s.state);
             if (s.state == flow::State::Stalled) body += " (" + s.last_error + ")";
             body += "\n";
           }
         }
         return http::Response{ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ready\n" : body};
       }});
  routes.push_back({"GET", "/flows", [this](const http::Request&) {
                      return http::Response{200, "application/json", flows_json()};
                    }});
  routes.push_back(
      {"GET", "/", [](const http::Request&) {
         http::Response page{200, "text/html; charset=utf-8", std::string(status_page_html())};
         page.headers = {{"Content-Security-Policy", std::string(kStatusPagePolicy)},
                         {"Cache-Control", "no-store"}};
         return page;
       }});
  // Pause and resume, behind http.admin_token (read anew per request: a reload may change it).
  auto token = [this] {
    std::lock_guard lock(config_mutex_);
    return admin_token_;
  };
  auto control = [this](const std::string& flow, bool pause) {
    if (!set_paused(flow, pause)) {
      return http::Response{404, "text/plain; charset=utf-8", "no flow named '" + flow + "'\n"};
    }
    return http::Response{200, "text/plain; charset=utf-8",
                          "flow " + flow + (pause ? ": paused\n" : ": resumed\n")};
  };
  for (auto& route : http::flow_control_routes(token, control)) routes.push_back(std::move(route));
  return routes;
}

Status Service::start() {
  if (!options_.http_listen.empty()) {
    auto server = http::Server::start(options_.http_listen, routes());
    if (!server.ok()) return server.error();
    http_ = std::move(server.value());
    log::info(
        "service", "HTTP on port ", http_->port(),
        ": / (status page) /metrics /healthz /readyz /flows, POST /flows/<name>/pause|resume");
  }
  for (auto& f : flows_) f->start();
  return {};
}

void Service::stop() {
  {
    std::lock_guard lock(flows_mutex_);
    for (auto& f : flows_) f->request_stop();  // all drain in parallel
  }
  for (auto& f : flows_) f->join();
  if (http_) http_->stop();
}

ReloadReport Service::apply(config::ServiceSpec spec, const std::string& hash) {
  ReloadReport report;
  report.needs_restart = restart_only_changes(spec_, spec);
  // What runs keeps the settings read once at start, so the next reload compares against them.
  spec.http.listen = spec_.http.listen;
  spec.node.availability_zone = spec_.node.availability_zone;
  spec.node.availability_zone_sources = spec_.node.availability_zone_sources;
  spec_ = std::move(spec);
  apply_log_settings(spec_.log);
  size_budget();

  // The plan: per flow of the new spec, the running flow it keeps (or nothing: a new one).
  std::map<std::string, flow::FlowContext> wanted;
  for (const auto& f : spec_.flows) wanted.emplace(f.name, context_for(f));
  std::set<std::string> retiring;                   // removed or changed
  std::map<std::string, uint64_t> restarts_before;  // of changed flows
  std::set<std::string> running;                    // before the reload
  std::vector<std::unique_ptr<flow::Flow>> retired;
  {
    std::lock_guard lock(flows_mutex_);
    for (auto& f : flows_) {
      running.insert(f->name());
      auto it = wanted.find(f->name());
      if (it != wanted.end() && same_flow(f->context(), it->second)) {
        ++report.unchanged;
        continue;
      }
      if (it == wanted.end()) {
        report.stopped.push_back(f->name());
        paused_.erase(f->name());
      } else {
        report.restarted.push_back(f->name());
        restarts_before[f->name()] = 0;  // known once it stopped
      }
      retiring.insert(f->name());
      f->request_stop();  // all drain in parallel
    }
  }
  // Draining takes a while: /flows goes on showing these flows (stopping) meanwhile.
  for (auto& f : flows_) {
    if (retiring.count(f->name()) != 0) f->join();
  }
  {
    std::lock_guard lock(flows_mutex_);
    std::erase_if(flows_, [&](std::unique_ptr<flow::Flow>& f) {
      if (retiring.count(f->name()) == 0) return false;
      if (auto it = restarts_before.find(f->name()); it != restarts_before.end()) {
        it->second = f->restarts() + 1;  // a reload that changes a flow restarts its session
      }
      retired.push_back(std::move(f));
      return true;
    });
  }
  retired.clear();  // their metric series go before a flow of the same name adds its own

  std::map<std::string, std::unique_ptr<flow::Flow>> created;
  for (const auto& f : spec_.flows) {
    auto before = restarts_before.find(f.name);
    const bool changed = before != restarts_before.end();
    if (!changed && running.count(f.name) != 0) continue;  // kept as it is
    if (!changed) report.started.push_back(f.name);
    created.emplace(f.name, std::make_unique<flow::Flow>(std::move(wanted.at(f.name)),
                                                         changed ? before->second : 0));
  }
  std::vector<flow::Flow*> to_start;
  {
    std::lock_guard lock(flows_mutex_);
    std::map<std::string, std::unique_ptr<flow::Flow>> kept;
    for (auto& f : flows_) {
      std::string name = f->name();
      kept.emplace(std::move(name), std::move(f));
    }
    flows_.clear();
    for (const auto& f : spec_.flows) {
      if (auto it = kept.find(f.name); it != kept.end()) {
        flows_.push_back(std::move(it->second));
      } else {
        if (paused_.count(f.name) != 0) created.at(f.name)->set_paused(true);
        to_start.push_back(created.at(f.name).get());
        flows_.push_back(std::move(created.at(f.name)));
      }
    }
  }
  for (auto* f : to_start) f->start();

  metrics_.config_reloads.Add({{"result", "ok"}}).Increment();
  std::lock_guard lock(config_mutex_);
  config_.hash = hash;
  config_.loaded_at = std::chrono::system_clock::now();
  config_.last_reload_error.clear();
  config_.needs_restart = report.needs_restart;
  admin_token_ = spec_.http.admin_token;  // changes live
  return report;
}

void Service::refuse(const std::string& error) {
  metrics_.config_reloads.Add({{"result", "error"}}).Increment();
  std::lock_guard lock(config_mutex_);
  config_.last_reload_error = error;
}

bool Service::set_paused(const std::string& flow, bool paused) {
  std::lock_guard lock(flows_mutex_);
  for (auto& f : flows_) {
    if (f->name() != flow) continue;
    f->set_paused(paused);
    if (!paused && f->status().state == flow::State::Stalled) f->restart_session();
    if (paused) {
      paused_.insert(flow);
    } else {
      paused_.erase(flow);
    }
    log::info("service", log::Flow{flow}, paused ? "pause requested" : "resume requested");
    return true;
  }
  return false;
}

ConfigInfo Service::config_info() const {
  std::lock_guard lock(config_mutex_);
  return config_;
}

std::vector<flow::FlowStatus> Service::flow_statuses() const {
  std::lock_guard lock(flows_mutex_);
  std::vector<flow::FlowStatus> out;
  out.reserve(flows_.size());
  for (const auto& f : flows_) out.push_back(f->status());
  return out;
}

bool Service::ready() const {
  for (const auto& s : flow_statuses()) {
    if (s.state != flow::State::Disabled && !counts_as_ready(s.state)) return false;
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
        {"in_flight_bytes", s.in_flight_bytes},
        {"in_flight_bytes_limit", s.in_flight_bytes_limit},
        {"fetch_paused", s.fetch_paused},
        {"restarts", s.restarts},
        {"partitions", std::move(partitions)}};
    if (!s.last_error.empty()) f["last_error"] = s.last_error;
    if (s.acl_sync) {
      f["acl_sync"] = {
          {"acls", s.acl_sync->acls},
          {"rounds", s.acl_sync->rounds},
          {"last_error", s.acl_sync->last_error.empty() ? nlohmann::json(nullptr)
                                                        : nlohmann::json(s.acl_sync->last_error)}};
    }
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
  const ConfigInfo config = config_info();
  nlohmann::json config_json{{"hash", config.hash},
                             {"loaded_at", utc_text(config.loaded_at)},
                             {"last_reload_error", config.last_reload_error.empty()
                                                       ? nlohmann::json(nullptr)
                                                       : nlohmann::json(config.last_reload_error)},
                             {"needs_restart", config.needs_restart}};
  nlohmann::json root{
      {"config", std::move(config_json)},
      {"availability_zone", zone_.zone ? nlohmann::json(zone_.display()) : nlohmann::json(nullptr)},
      {"availability_zone_source",
       zone_.zone ? nlohmann::json(zone_.source) : nlohmann::json(nullptr)},
      {"flows", std::move(flows)}};
  return root.dump(2) + "\n";
}

}  // namespace mirror::service
