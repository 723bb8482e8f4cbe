// Minimal thread-safe logger: "2026-01-01T00:00:00.000Z LEVEL component: message" on stderr.
// Never pass configuration values that may hold secrets; log names, not values.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace mirror::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

void set_level(Level level);
Level level();
bool parse_level(std::string_view text, Level* out);
void write(Level level, std::string_view component, std::string_view message);

namespace detail {
template <typename... Args>
std::string concat(Args&&... args) {
  std::ostringstream out;
  (out << ... << std::forward<Args>(args));
  return out.str();
}
}  // namespace detail

template <typename... Args>
void debug(std::string_view component, Args&&... args) {
  if (level() <= Level::Debug)
    write(Level::Debug, component, detail::concat(std::forward<Args>(args)...));
}
template <typename... Args>
void info(std::string_view component, Args&&... args) {
  if (level() <= Level::Info)
    write(Level::Info, component, detail::concat(std::forward<Args>(args)...));
}
template <typename... Args>
void warn(std::string_view component, Args&&... args) {
  if (level() <= Level::Warn)
    write(Level::Warn, component, detail::concat(std::forward<Args>(args)...));
}
template <typename... Args>
void error(std::string_view component, Args&&... args) {
  write(Level::Error, component, detail::concat(std::forward<Args>(args)...));
}

}  // namespace mirror::log
