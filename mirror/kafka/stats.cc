#include "mirror/kafka/stats.h"

#include <nlohmann/json.hpp>

namespace mirror::kafka {
namespace {
template <typename T>
T get_or(const nlohmann::json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    return fallback;
  }
}
}  // namespace

Result<ClientStats> parse_stats(std::string_view json) {
  auto root = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) return make_error("statistics: not a JSON object");
  ClientStats out;
  if (auto brokers = root.find("brokers"); brokers != root.end() && brokers->is_object()) {
    for (const auto& [name, b] : brokers->items()) {
      const auto id = get_or<int32_t>(b, "nodeid", -1);
      const auto source = get_or<std::string>(b, "source", "");
      if (id < 0 || source == "logical") continue;
      auto& entry = out.brokers[id];
      entry.node_id = id;
      entry.state = get_or<std::string>(b, "state", "");
      out.received[name] = {id, get_or<uint64_t>(b, "rxbytes", 0)};
    }
  }
  if (auto topics = root.find("topics"); topics != root.end() && topics->is_object()) {
    for (const auto& [topic, t] : topics->items()) {
      auto parts = t.find("partitions");
      if (parts == t.end() || !parts->is_object()) continue;
      for (const auto& [pname, p] : parts->items()) {
        const auto id = get_or<int32_t>(p, "partition", -1);
        if (id < 0) continue;  // -1 is the internal unassigned partition
        if (!get_or<bool>(p, "desired", false)) continue;  // not assigned to this consumer
        PartitionStats ps;
        ps.fetch_broker = get_or<int32_t>(p, "broker", -1);
        ps.leader = get_or<int32_t>(p, "leader", -1);
        ps.consumer_lag = get_or<int64_t>(p, "consumer_lag", -1);
        ps.hi_offset = get_or<int64_t>(p, "hi_offset", -1);
        ps.app_offset = get_or<int64_t>(p, "app_offset", -1);
        ps.fetch_state = get_or<std::string>(p, "fetch_state", "");
        ps.rx_bytes = get_or<uint64_t>(p, "rxbytes", 0);
        out.partitions[{topic, id}] = ps;
      }
    }
  }
  return out;
}

std::map<int32_t, uint64_t> ReceivedBytes::since_last(const ClientStats& stats) {
  std::map<int32_t, uint64_t> deltas;
  std::map<std::string, uint64_t> now;
  for (const auto& [name, r] : stats.received) {
    const auto it = last_.find(name);
    const uint64_t before = it == last_.end() ? 0 : it->second;
    deltas[r.node_id] += r.rx_bytes >= before ? r.rx_bytes - before : r.rx_bytes;
    now[name] = r.rx_bytes;
  }
  last_ = std::move(now);
  return deltas;
}

std::map<std::pair<std::string, int32_t>, uint64_t> PartitionBytes::since_last(
    const ClientStats& stats) {
  std::map<std::pair<std::string, int32_t>, uint64_t> deltas;
  for (const auto& [key, p] : stats.partitions) {
    uint64_t& before = last_[key];
    deltas[key] = p.rx_bytes >= before ? p.rx_bytes - before : p.rx_bytes;
    before = p.rx_bytes;
  }
  return deltas;
}

}  // namespace mirror::kafka
