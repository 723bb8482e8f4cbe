#include "mirror/app/cli.h"

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <signal.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "mirror/az/resolver.h"
#include "mirror/common/log.h"
#include "mirror/config/loader.h"
#include "mirror/demo/demo.h"
#include "mirror/http/client.h"
#include "mirror/migrate/migrate.h"
#include "mirror/service/client_checks.h"
#include "mirror/service/config_files.h"
#include "mirror/service/reloader.h"
#include "mirror/service/service.h"

namespace po = boost::program_options;

namespace mirror::app {
namespace {

constexpr const char* kUsageText =
    "mirror: Kafka cross-cluster replication with rack-aware (follower) fetching\n"
    "\n"
    "usage:\n"
    "  mirror run      --config FILE [--flows PATH]... [--availability-zone AZ] [--http-listen "
    "HOST:PORT]\n"
    "                  [--instance-id ID] [--log-format text|json]\n"
    "  mirror validate --config FILE [--flows PATH]...\n"
    "  mirror az       [--config FILE]\n"
    "  mirror demo     [--duration SECONDS]\n"
    "  mirror migrate  --from mm2|strimzi|aiven FILE\n"
    "  mirror ctl      pause|resume|status FLOW [--http HOST:PORT]\n"
    "  mirror --version | --help\n"
    "\n"
    "  --flows PATH        a flow file or a directory of *.yaml files; repeatable\n"
    "  --instance-id ID    overrides node.instance_id (static consumer group membership)\n"
    "  --log-level LEVEL   debug | info | warn | error (default info)\n"
    "  --http HOST:PORT    (ctl) the running service's HTTP port (default 127.0.0.1:9464);\n"
    "                      pause and resume send the token in $MIRROR_ADMIN_TOKEN\n"
    "\n"
    "exit codes: 0 ok, 1 usage, 2 invalid configuration, 3 AZ unresolved (az), 4 runtime failure\n";

int usage_error(const std::string& message) {
  std::cerr << "mirror: " << message << "\n\n" << kUsageText;
  return kUsage;
}

// Parses the options of one command; nullopt after printing a usage error.
std::optional<po::variables_map> parse(const po::options_description& desc,
                                       const std::vector<std::string>& args) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    usage_error(e.what());
    return std::nullopt;
  }
  return vm;
}

bool apply_log_level(const po::variables_map& vm) {
  if (vm.count("log-level") == 0) return true;
  log::Level level{};
  if (!log::parse_level(vm["log-level"].as<std::string>(), &level)) return false;
  log::set_level(level);
  return true;
}

std::vector<std::string> flow_paths(const po::variables_map& vm) {
  return vm.count("flows") != 0 ? vm["flows"].as<std::vector<std::string>>()
                                : std::vector<std::string>{};
}

// Loads and validates; prints every problem as FILE:LINE:COL: message, and every warning (which
// does not refuse the configuration) as FILE:LINE:COL: warning: message, or returns the warnings
// in `warnings` when given (for the log, once its format is known).
std::optional<config::ServiceSpec> load_or_report(const std::string& file,
                                                  const std::vector<std::string>& flows,
                                                  std::vector<std::string>* warnings = nullptr) {
  // Including what librdkafka would refuse, checked with the clients' own property builder.
  auto outcome = service::load_checked(file, flows);
  for (const auto& w : outcome.warnings) {
    if (warnings != nullptr) {
      warnings->push_back(w.format());
    } else {
      std::cerr << w.format() << "\n";
    }
  }
  if (!outcome.ok()) {
    for (const auto& p : outcome.problems) std::cerr << p.format() << "\n";
    std::cerr << "mirror: " << outcome.problems.size() << " problem(s) in the configuration\n";
    return std::nullopt;
  }
  return std::move(outcome.spec);
}

int cmd_validate(const std::vector<std::string>& args) {
  po::options_description desc("validate");
  desc.add_options()("config", po::value<std::string>()->required())(
      "flows", po::value<std::vector<std::string>>()->composing());
  auto vm = parse(desc, args);
  if (!vm) return kUsage;
  auto spec = load_or_report((*vm)["config"].as<std::string>(), flow_paths(*vm));
  if (!spec) return kInvalidConfig;
  for (const auto& f : spec->flows) {
    std::cout << "flow " << f.name << ": " << f.source << " -> " << f.target
              << (f.enabled ? "" : " (disabled)") << ", follower fetching "
              << (f.follower_fetching_enabled ? "on" : "off") << ", policy "
              << (f.replication_policy == config::ReplicationPolicy::Default ? "default"
                                                                             : "identity")
              << ", provenance headers " << (config::stamps_provenance(f) ? "on" : "off") << "\n";
  }
  if (spec->flows.empty()) std::cout << "no flows\n";
  return kOk;
}

int cmd_az(const std::vector<std::string>& args) {
  po::options_description desc("az");
  desc.add_options()("config", po::value<std::string>())("log-level", po::value<std::string>());
  auto vm = parse(desc, args);
  if (!vm) return kUsage;
  if (!apply_log_level(*vm)) return usage_error("bad --log-level");
  config::NodeSpec node;
  if (vm->count("config") != 0) {
    auto spec = load_or_report((*vm)["config"].as<std::string>(), {});
    if (!spec) return kInvalidConfig;
    node = spec->node;
  }
  const auto resolution = az::resolve(node, std::nullopt);
  if (!resolution.zone) {
    std::cerr << "mirror: no availability zone found\n";
    for (const auto& f : resolution.failures) std::cerr << "  " << f << "\n";
    return kAzUnresolved;
  }
  std::cout << resolution.display() << "\t" << resolution.source << "\n";
  return kOk;
}

// How often a running service looks at its configuration files for changes.
constexpr timespec kConfigPollInterval{2, 0};

int cmd_run(const std::vector<std::string>& args) {
  // Signals are taken by this thread only (sigwait); every other thread inherits the mask. SIGHUP
  // reloads, SIGTERM/SIGINT stop.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  (void)::signal(SIGPIPE, SIG_IGN);

  po::options_description desc("run");
  desc.add_options()("config", po::value<std::string>()->required())(
      "flows", po::value<std::vector<std::string>>()->composing())(
      "availability-zone", po::value<std::string>())("http-listen", po::value<std::string>())(
      "instance-id", po::value<std::string>())("log-level", po::value<std::string>())(
      "log-format", po::value<std::string>());
  auto vm = parse(desc, args);
  if (!vm) return kUsage;
  if (!apply_log_level(*vm)) return usage_error("bad --log-level");
  std::optional<config::LogFormat> flag_log_format;
  if (vm->count("log-format") != 0) {
    const auto& text = (*vm)["log-format"].as<std::string>();
    if (text != "text" && text != "json") return usage_error("--log-format: text or json");
    flag_log_format = text == "json" ? config::LogFormat::Json : config::LogFormat::Text;
    service::apply_log_settings(config::LogSpec{*flag_log_format});
  }
  std::optional<std::string> flag_az;
  if (vm->count("availability-zone") != 0) {
    flag_az = (*vm)["availability-zone"].as<std::string>();
    if (!az::is_valid_zone(*flag_az))
      return usage_error("--availability-zone: not a zone name: '" + *flag_az + "'");
  }
  std::optional<std::string> flag_instance_id;
  if (vm->count("instance-id") != 0) {
    flag_instance_id = (*vm)["instance-id"].as<std::string>();
    if (auto problem = config::instance_id_problem(*flag_instance_id)) {
      return usage_error("--instance-id: " + *problem);
    }
  }
  std::optional<std::string> flag_listen;
  if (vm->count("http-listen") != 0) {
    flag_listen = (*vm)["http-listen"].as<std::string>();
    if (auto parsed = http::parse_listen(*flag_listen); !parsed.ok()) {
      return usage_error("--http-listen: " + parsed.error().message);
    }
  }
  // The command line wins over the files, at start and at every reload.
  const service::Reloader::Overrides overrides = [=](config::ServiceSpec& spec) {
    if (flag_instance_id) spec.node.instance_id = *flag_instance_id;
    if (flag_listen) spec.http.listen = *flag_listen;
    if (flag_az) spec.node.availability_zone = *flag_az;
    if (flag_log_format) spec.log.format = *flag_log_format;
  };
  const std::string config_file = (*vm)["config"].as<std::string>();
  const std::vector<std::string> flows = flow_paths(*vm);
  const std::string hash = service::fingerprint(config::input_files(config_file, flows));
  std::vector<std::string> warnings;
  auto spec = load_or_report(config_file, flows, &warnings);
  if (!spec) return kInvalidConfig;
  overrides(*spec);
  service::apply_log_settings(spec->log);
  for (const auto& w : warnings) log::warn("config", w);

  auto zone = az::resolve(spec->node, flag_az);
  if (zone.zone) {
    log::info("service", "availability zone ", zone.display(), " (from ", zone.source, ")");
  } else {
    log::warn("service",
              "no availability zone found; flows read from partition leaders (no client.rack)");
    for (const auto& f : zone.failures) log::warn("service", "  ", f);
  }

  service::ServiceOptions options;
  options.http_listen = spec->http.listen;
  options.config_hash = hash;
  service::Service service(std::move(*spec), std::move(zone), options);
  if (auto st = service.start(); !st.ok()) {
    log::error("service", st.error().message);
    return kRuntimeFailure;
  }
  service::Reloader reloader(service, config_file, flows, overrides, hash);
  int sig = 0;
  for (;;) {
    siginfo_t info{};
    sig = sigtimedwait(&signals, &info, &kConfigPollInterval);
    if (sig == SIGHUP) {
      reloader.reload("SIGHUP");
    } else if (sig > 0) {
      break;
    } else {
      reloader.poll();  // timed out (or interrupted): look at the files
    }
  }
  log::info("service", "signal ", sig, ": stopping (draining flows, committing offsets)");
  // A second SIGTERM/SIGINT or a stuck drain must not keep the process alive forever (a SIGHUP
  // now stays pending: nothing reloads while stopping).
  sigset_t stops = signals;
  sigdelset(&stops, SIGHUP);
  std::thread watchdog([stops]() mutable {
    timespec limit{60, 0};
    siginfo_t info;
    if (sigtimedwait(&stops, &info, &limit) > 0) {
      log::error("service", "second signal: exiting without draining");
    } else {
      log::error("service", "flows did not stop within 60 s: exiting");
    }
    (void)std::fflush(nullptr);
    std::_Exit(kRuntimeFailure);
  });
  watchdog.detach();
  service.stop();
  log::info("service", "stopped");
  return kOk;
}

int cmd_demo(const std::vector<std::string>& args) {
  po::options_description desc("demo");
  desc.add_options()("duration", po::value<int>()->default_value(20))("log-level",
                                                                      po::value<std::string>());
  auto vm = parse(desc, args);
  if (!vm) return kUsage;
  if (!apply_log_level(*vm)) return usage_error("bad --log-level");
  const int duration = (*vm)["duration"].as<int>();
  if (duration < 1 || duration > 3600) return usage_error("--duration: 1..3600 seconds");
  return demo::run_demo(std::chrono::seconds(duration), std::cout);
}

constexpr const char* kDefaultCtlAddress = "127.0.0.1:9464";
constexpr const char* kAdminTokenEnv = "MIRROR_ADMIN_TOKEN";

// The server's answer for a failed request, on stderr: status, reason and body (one line each).
int ctl_refused(const std::string& what, const http::ClientResponse& response) {
  std::string body = response.body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  std::cerr << "mirror: " << what << ": " << response.status << " " << response.reason
            << (body.empty() ? "" : ": " + body) << "\n";
  if (response.status == 401 || response.status == 403) {
    std::cerr << "mirror: check that " << kAdminTokenEnv
              << " holds the service's http.admin_token\n";
  }
  return kRuntimeFailure;
}

// One line for a flow of GET /flows: "flow NAME: STATE, SOURCE -> TARGET, N partitions, lag L".
std::string flow_line(const nlohmann::json& flow) {
  auto text = [&](const char* key) {
    const auto it = flow.find(key);
    return it != flow.end() && it->is_string() ? it->get<std::string>() : std::string("?");
  };
  std::string line = "flow " + text("name") + ": " + text("state") + ", " + text("source") +
                     " -> " + text("target");
  if (const auto parts = flow.find("partitions"); parts != flow.end() && parts->is_array()) {
    long long lag = 0;
    bool lag_known = false;
    for (const auto& p : *parts) {
      const auto l = p.find("lag");
      if (l != p.end() && l->is_number_integer() && l->get<long long>() >= 0) {
        lag += l->get<long long>();
        lag_known = true;
      }
    }
    line += ", " + std::to_string(parts->size()) + " partition" + (parts->size() == 1 ? "" : "s");
    if (lag_known) line += ", lag " + std::to_string(lag);
  }
  if (const auto restarts = flow.find("restarts");
      restarts != flow.end() && restarts->is_number_integer()) {
    line += ", " + std::to_string(restarts->get<long long>()) + " restarts";
  }
  return line;
}

int ctl_status(const std::string& address, const std::string& name) {
  http::ClientRequest request;
  request.target = "/flows";
  auto response = http::send_request(address, request);
  if (!response) {
    std::cerr << "mirror: GET /flows: " << response.error().message << "\n";
    return kRuntimeFailure;
  }
  if (response->status < 200 || response->status > 299) return ctl_refused("GET /flows", *response);
  const auto doc = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  const auto flows = doc.is_object() ? doc.find("flows") : doc.end();
  if (!doc.is_object() || flows == doc.end() || !flows->is_array()) {
    std::cerr << "mirror: GET /flows on " << address << ": not the JSON of a mirror service\n";
    return kRuntimeFailure;
  }
  std::string names;
  for (const auto& flow : *flows) {
    const auto n = flow.find("name");
    if (n == flow.end() || !n->is_string()) continue;
    if (n->get<std::string>() == name) {
      std::cout << flow_line(flow) << "\n";
      return kOk;
    }
    names += (names.empty() ? "" : ", ") + n->get<std::string>();
  }
  std::cerr << "mirror: no flow '" << name << "' on " << address
            << " (flows: " << (names.empty() ? "none" : names) << ")\n";
  return kRuntimeFailure;
}

int ctl_change(const std::string& address, const std::string& action, const std::string& name) {
  const char* token = std::getenv(kAdminTokenEnv);  // NOLINT(concurrency-mt-unsafe)
  if (token == nullptr || *token == '\0') {
    std::cerr << "mirror: " << kAdminTokenEnv << " is not set: export the service's "
              << "http.admin_token as " << kAdminTokenEnv << " to " << action << " a flow\n";
    return kUsage;
  }
  http::ClientRequest request;
  request.method = "POST";
  request.target = "/flows/" + name + "/" + action;
  request.headers.emplace_back("Authorization", std::string("Bearer ") + token);
  const std::string what = "POST " + request.target;
  auto response = http::send_request(address, request);
  if (!response) {
    std::cerr << "mirror: " << what << ": " << response.error().message << "\n";
    return kRuntimeFailure;
  }
  if (response->status < 200 || response->status > 299) return ctl_refused(what, *response);
  std::string body = response->body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  std::cout << (body.empty() ? "flow " + name + ": " + action + " accepted" : body) << "\n";
  return kOk;
}

// Prints the mirror configuration on stdout; on stderr what was not mapped and the environment
// variables the configuration references. Exit 2 when FILE cannot be read as the format says.
int cmd_migrate(const std::vector<std::string>& args) {
  po::options_description desc("migrate");
  desc.add_options()("from", po::value<std::string>()->required())(
      "file", po::value<std::string>()->required());
  po::positional_options_description positional;
  positional.add("file", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(std::string("migrate: ") + e.what());
  }
  const std::string from_text = vm["from"].as<std::string>();
  migrate::From from;
  if (from_text == "mm2") {
    from = migrate::From::Mm2;
  } else if (from_text == "strimzi") {
    from = migrate::From::Strimzi;
  } else if (from_text == "aiven") {
    from = migrate::From::Aiven;
  } else {
    return usage_error("migrate: --from must be mm2, strimzi or aiven, got '" + from_text + "'");
  }
  const std::string file = vm["file"].as<std::string>();
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "mirror: " << file << ": cannot be read\n";
    return kInvalidConfig;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto result = migrate::migrate(from, text.str(), file);
  if (!result.ok()) {
    std::cerr << "mirror: " << result.error().message << "\n";
    return kInvalidConfig;
  }
  std::cout << result->yaml;
  for (const auto& note : result->notes) std::cerr << "note: " << note << "\n";
  if (!result->env.empty()) {
    std::cerr << "set these environment variables before `mirror validate` / `mirror run` "
                 "(secrets are never written inline):\n";
    for (const auto& v : result->env) std::cerr << "  " << v.name << ": " << v.what << "\n";
  }
  return kOk;
}

int cmd_ctl(const std::vector<std::string>& args) {
  po::options_description desc("ctl");
  desc.add_options()("action", po::value<std::string>()->required())(
      "flow", po::value<std::string>()->required())(
      "http", po::value<std::string>()->default_value(kDefaultCtlAddress));
  po::positional_options_description positional;
  positional.add("action", 1).add("flow", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(std::string("ctl: ") + e.what());
  }
  const std::string action = vm["action"].as<std::string>();
  const std::string name = vm["flow"].as<std::string>();
  const std::string address = vm["http"].as<std::string>();
  if (action != "pause" && action != "resume" && action != "status") {
    return usage_error("ctl: unknown action '" + action + "' (pause, resume or status)");
  }
  if (auto problem = config::flow_name_problem(name)) {
    return usage_error("ctl: '" + name + "' is not a flow name: " + *problem);
  }
  if (auto parsed = http::parse_listen(address); !parsed.ok() || parsed->second == 0) {
    return usage_error("--http: " + (parsed.ok() ? "port 0" : parsed.error().message));
  }
  if (action == "status") return ctl_status(address, name);
  return ctl_change(address, action, name);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage_error("missing command");
  const std::string command = args.front();
  args.erase(args.begin());
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsageText;
    return kOk;
  }
  if (command == "--version") {
    std::cout << "mirror " << MIRROR_VERSION << " (librdkafka " << rd_kafka_version_str() << ")\n";
    return kOk;
  }
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::cout << kUsageText;
      return kOk;
    }
  }
  try {
    if (command == "run") return cmd_run(args);
    if (command == "validate") return cmd_validate(args);
    if (command == "az") return cmd_az(args);
    if (command == "demo") return cmd_demo(args);
    if (command == "ctl") return cmd_ctl(args);
    if (command == "migrate") return cmd_migrate(args);
  } catch (const std::exception& e) {
    log::error("mirror", e.what());
    return kRuntimeFailure;
  }
  return usage_error("unknown command '" + command + "'");
}

}  // namespace mirror::app
