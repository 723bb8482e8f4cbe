#include "mirror/common/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

namespace mirror::log {
namespace {
std::atomic<Level> g_level{Level::Info};
std::atomic<Format> g_format{Format::Text};
std::mutex g_mutex;

// A level's name in text lines and in JSON lines.
struct LevelNames {
  const char* text;
  const char* json;
};

LevelNames names(Level level) {
  switch (level) {
    case Level::Debug:
      return {"DEBUG", "debug"};
    case Level::Info:
      return {"INFO", "info"};
    case Level::Warn:
      return {"WARN", "warn"};
    case Level::Error:
      return {"ERROR", "error"};
  }
  return {"?", "?"};
}

std::string timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[40];
  const size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  (void)std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ", static_cast<int>(ms));
  return stamp;
}

std::string format_at(const std::string& time, Format format, Level level,
                      std::string_view component, std::string_view flow, std::string_view message) {
  if (format == Format::Json) {
    nlohmann::ordered_json line = {
        {"time", time}, {"level", names(level).json}, {"component", std::string(component)}};
    if (!flow.empty()) line["flow"] = std::string(flow);
    line["message"] = std::string(message);
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string out = time;
  out += ' ';
  std::string lvl = names(level).text;
  lvl.resize(5, ' ');
  out += lvl;
  out += ' ';
  out += component;
  out += ": ";
  if (!flow.empty()) {
    out += flow;
    out += ": ";
  }
  out += message;
  return out;
}
}  // namespace

void set_level(Level level) {
  g_level.store(level);
}
Level level() {
  return g_level.load(std::memory_order_relaxed);
}

bool parse_level(std::string_view text, Level* out) {
  if (text == "debug")
    *out = Level::Debug;
  else if (text == "info")
    *out = Level::Info;
  else if (text == "warn" || text == "warning")
    *out = Level::Warn;
  else if (text == "error")
    *out = Level::Error;
  else
    return false;
  return true;
}

void set_format(Format format) {
  g_format.store(format);
}
Format format() {
  return g_format.load(std::memory_order_relaxed);
}

std::string format_line(Format format, Level level, std::string_view component,
                        std::string_view flow, std::string_view message) {
  return format_at(timestamp(), format, level, component, flow, message);
}

void write(Level level, std::string_view component, std::string_view flow,
           std::string_view message) {
  std::string line = format_line(format(), level, component, flow, message);
  line += '\n';
  std::lock_guard lock(g_mutex);
  (void)std::fwrite(line.data(), 1, line.size(), stderr);
  (void)std::fflush(stderr);
}

}  // namespace mirror::log
