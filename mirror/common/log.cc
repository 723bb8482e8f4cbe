#include "mirror/common/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace mirror::log {
namespace {
std::atomic<Level> g_level{Level::Info};
std::mutex g_mutex;

const char* name(Level level) {
  switch (level) {
    case Level::Debug:
      return "DEBUG";
    case Level::Info:
      return "INFO";
    case Level::Warn:
      return "WARN";
    case Level::Error:
      return "ERROR";
  }
  return "?";
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

void write(Level level, std::string_view component, std::string_view message) {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  (void)std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::lock_guard lock(g_mutex);
  (void)std::fprintf(stderr, "%s.%03dZ %-5s %.*s: %.*s\n", stamp, static_cast<int>(ms), name(level),
                     static_cast<int>(component.size()), component.data(),
                     static_cast<int>(message.size()), message.data());
  (void)std::fflush(stderr);
}

}  // namespace mirror::log
