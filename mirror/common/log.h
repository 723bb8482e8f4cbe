// Minimal thread-safe logger on stderr, one line per call, in one of two formats (`log.format`):
//   text: 2026-01-01T00:00:00.000Z INFO  flow: orders: message
//   json: {"time":"2026-01-01T00:00:00.000Z","level":"info","component":"flow","flow":"orders",
//          "message":"message"}
// A line about one flow names it with log::Flow as the first argument after the component (text:
// "<flow>: " before the message; json: the "flow" field, absent on lines about no one flow).
// JSON lines are valid JSON whatever the message holds (bytes that are not UTF-8 are replaced).
// Never pass configuration values that may hold secrets; log names, not values.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace mirror::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };
enum class Format { Text, Json };

// The flow a line is about.
struct Flow {
  std::string_view name;
};

void set_level(Level level);
Level level();
bool parse_level(std::string_view text, Level* out);
void set_format(Format format);
Format format();
// One line as the format in force writes it (no newline); `flow` empty: a line about no one flow.
std::string format_line(Format format, Level level, std::string_view component,
                        std::string_view flow, std::string_view message);
void write(Level level, std::string_view component, std::string_view flow,
           std::string_view message);
inline void write(Level level, std::string_view component, std::string_view message) {
  write(level, component, {}, message);
}

namespace detail {
template <typename... Args>
std::string concat(Args&&... args) {
  std::ostringstream out;
  (out << ... << std::forward<Args>(args));
  return out.str();
}
template <typename... Args>
void emit(Level at, std::string_view component, Args&&... args) {
  if (at >= level()) write(at, component, {}, concat(std::forward<Args>(args)...));
}
template <typename... Args>
void emit(Level at, std::string_view component, Flow flow, Args&&... args) {
  if (at >= level()) write(at, component, flow.name, concat(std::forward<Args>(args)...));
}
}  // namespace detail

template <typename... Args>
void debug(std::string_view component, Args&&... args) {
  detail::emit(Level::Debug, component, std::forward<Args>(args)...);
}
template <typename... Args>
void info(std::string_view component, Args&&... args) {
  detail::emit(Level::Info, component, std::forward<Args>(args)...);
}
template <typename... Args>
void warn(std::string_view component, Args&&... args) {
  detail::emit(Level::Warn, component, std::forward<Args>(args)...);
}
template <typename... Args>
void error(std::string_view component, Args&&... args) {
  detail::emit(Level::Error, component, std::forward<Args>(args)...);
}

}  // namespace mirror::log
