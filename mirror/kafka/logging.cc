#include "mirror/kafka/logging.h"

#include <map>
#include <mutex>
#include <optional>

#include "mirror/common/log.h"

namespace mirror::kafka {
namespace {

std::mutex g_mutex;
// client.id -> its flow; nullopt: used by clients of different flows. Bounded by the flows and
// roles configured (client ids are per flow and role, not per client).
std::map<std::string, std::optional<std::string>, std::less<>> g_flows;

}  // namespace

void name_flow_of_client(const std::string& client_id, const std::string& flow) {
  std::lock_guard lock(g_mutex);
  auto [at, added] = g_flows.emplace(client_id, flow);
  if (!added && at->second != flow) at->second = std::nullopt;
}

std::string flow_of_client(std::string_view client_name) {
  const auto hash = client_name.rfind('#');
  const std::string_view id =
      hash == std::string_view::npos ? client_name : client_name.substr(0, hash);
  std::lock_guard lock(g_mutex);
  const auto at = g_flows.find(id);
  return at != g_flows.end() && at->second ? *at->second : std::string();
}

void log_callback(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  // librdkafka's syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug.
  const char* name = rk != nullptr ? rd_kafka_name(rk) : "rdkafka";
  const log::Level at = level <= 3   ? log::Level::Error
                        : level == 4 ? log::Level::Warn
                        : level <= 6 ? log::Level::Info
                                     : log::Level::Debug;
  if (at < log::level()) return;
  const std::string flow = flow_of_client(name);
  log::write(at, "rdkafka", flow, log::detail::concat(name, " ", facility, ": ", message));
}

}  // namespace mirror::kafka
