#include "mirror/config/checks.h"

#include <arpa/inet.h>

#include <algorithm>
#include <climits>
#include <regex>

namespace mirror::config::checks {
namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

// [A-Za-z0-9][A-Za-z0-9._-]*
bool is_name(const std::string& text) {
  if (text.empty() || !is_alnum(text[0])) return false;
  for (char c : text) {
    if (!is_alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

// RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens.
bool is_hostname(const std::string& host) {
  if (host.empty() || host.size() > 253) return false;
  size_t start = 0;
  while (start <= host.size()) {
    size_t end = host.find('.', start);
    if (end == std::string::npos) end = host.size();
    std::string label = host.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!is_alnum(c) && c != '-') return false;
    }
    start = end + 1;
  }
  return true;
}

std::optional<std::string> listen_problem(const std::string& text) {
  std::string host;
  std::string port;
  if (text.starts_with("[")) {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return "expected [IPV6]:PORT";
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    in6_addr address{};
    if (inet_pton(AF_INET6, host.c_str(), &address) != 1) return "invalid IPv6 address";
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos) return "expected HOST:PORT";
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string::npos) {
      return "an IPv6 address needs brackets, as in [::]:9464";
    }
    bool dotted_digits =
        !host.empty() && host.find_first_not_of("0123456789.") == std::string::npos;
    if (dotted_digits) {
      in_addr address{};
      if (inet_pton(AF_INET, host.c_str(), &address) != 1) return "invalid IPv4 address";
    } else if (!is_hostname(host)) {
      return "invalid host name";
    }
  }
  long long number = 0;
  if (port.empty() || port[0] == '+' || port[0] == '-' ||
      parse_int(port, &number) != IntParse::kOk || number > 65535) {
    return "the port must be 0..65535";
  }
  return std::nullopt;
}

}  // namespace

Check<std::string> non_empty() {
  return {"non-empty", [](const std::string& text) -> std::optional<std::string> {
            if (text.empty()) return "must not be empty";
            return std::nullopt;
          }};
}

Check<std::string> flow_name() {
  return {"`[a-z0-9][a-z0-9-]*`, at most 100 characters",
          [](const std::string& text) -> std::optional<std::string> {
            bool valid = !text.empty() && is_lower_alnum(text[0]) &&
                         std::all_of(text.begin(), text.end(),
                                     [](char c) { return is_lower_alnum(c) || c == '-'; });
            if (!valid) {
              return "a flow name is lower-case letters, digits and '-', starting with a letter "
                     "or digit";
            }
            if (text.size() > 100) return "a flow name has at most 100 characters";
            return std::nullopt;
          }};
}

Check<std::string> cluster_name() {
  return {"`[A-Za-z0-9][A-Za-z0-9._-]*`, at most 100 characters",
          [](const std::string& text) -> std::optional<std::string> {
            if (!is_name(text)) {
              return "a cluster name is letters, digits, '.', '_' and '-', starting with a letter "
                     "or digit";
            }
            if (text.size() > 100) return "a cluster name has at most 100 characters";
            return std::nullopt;
          }};
}

Check<std::string> instance_id() {
  return {"empty, or `[A-Za-z0-9][A-Za-z0-9._-]*`, at most 200 characters",
          [](const std::string& text) -> std::optional<std::string> {
            if (text.empty()) return std::nullopt;
            if (!is_name(text)) {
              return "an instance id is letters, digits, '.', '_' and '-', starting with a letter "
                     "or digit (a pod name is one)";
            }
            if (text.size() > 200) return "an instance id has at most 200 characters";
            return std::nullopt;
          }};
}

Check<std::string> availability_zone() {
  return {
      "`auto`, or a zone name `[A-Za-z0-9][A-Za-z0-9._-]*`",
      [](const std::string& text) -> std::optional<std::string> {
        if (text == "auto" || is_name(text)) return std::nullopt;
        return "must be 'auto' or a zone name such as use1-az1 (letters, digits, '.', '_', '-')";
      }};
}

Check<std::string> listen_address() {
  return {"`HOST:PORT`; HOST an IPv4 address, a host name or `[IPv6]`; PORT 0..65535",
          [](const std::string& text) -> std::optional<std::string> {
            if (auto problem = listen_problem(text)) return "invalid HOST:PORT: " + *problem;
            return std::nullopt;
          }};
}

Check<std::string> admin_token() {
  constexpr size_t kMinLength = 16;
  constexpr size_t kMaxLength = 4096;
  // The problems never quote the value: it is a secret even when written literally.
  return {
      "empty (admin refused), or 16 to 4096 printable ASCII characters without spaces",
      [](const std::string& text) -> std::optional<std::string> {
        if (text.empty()) return std::nullopt;
        if (text.size() < kMinLength) {
          return "the admin token must have at least 16 characters, it has " +
                 std::to_string(text.size());
        }
        if (text.size() > kMaxLength) return "the admin token has more than 4096 characters";
        if (!std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 0x7f; })) {
          return "the admin token must be printable ASCII without spaces (it is sent as "
                 "'Authorization: Bearer <token>')";
        }
        return std::nullopt;
      }};
}

Check<std::string> regex() {
  constexpr size_t kMaxRegexLength = 1000;  // bounds std::regex's recursive compilation
  return {"ECMAScript regex matching the whole name, at most 1000 characters",
          [](const std::string& text) -> std::optional<std::string> {
            if (text.size() > kMaxRegexLength) {
              return "a regex has at most 1000 characters (split it into several entries)";
            }
            try {
              std::regex compiled(text, std::regex::ECMAScript);
            } catch (const std::regex_error& e) {
              return std::string("invalid regex: ") + e.what();
            }
            return std::nullopt;
          }};
}

Check<std::string> topic_name_or_empty() {
  return {"empty, or a Kafka topic name: `[A-Za-z0-9._-]`, at most 249 characters, not `.` or `..`",
          [](const std::string& text) -> std::optional<std::string> {
            if (text.empty()) return std::nullopt;
            if (text == "." || text == "..") return "a topic name cannot be '.' or '..'";
            if (text.size() > 249) return "a topic name has at most 249 characters";
            for (char c : text) {
              if (!is_alnum(c) && c != '.' && c != '_' && c != '-') {
                return "a topic name is letters, digits, '.', '_' and '-'";
              }
            }
            return std::nullopt;
          }};
}

Check<std::string> one_of(const std::vector<std::string>& options) {
  std::string allowed;
  for (const std::string& option : options) allowed += (allowed.empty() ? "" : ", ") + option;
  return {allowed, [options, allowed](const std::string& text) -> std::optional<std::string> {
            if (std::find(options.begin(), options.end(), text) != options.end()) {
              return std::nullopt;
            }
            std::string message = "must be one of " + allowed;
            if (auto suggestion = nearest(text, options)) {
              message += " (did you mean '" + *suggestion + "'?)";
            }
            return message;
          }};
}

Check<long long> at_least(long long low) {
  std::string allowed = ">= " + std::to_string(low);
  return {allowed, [low, allowed](const long long& value) -> std::optional<std::string> {
            if (value < low) return "must be " + allowed;
            if (value > INT_MAX) return "must be at most " + std::to_string(INT_MAX);
            return std::nullopt;
          }};
}

Check<long long> between(long long low, long long high) {
  std::string allowed = std::to_string(low) + ".." + std::to_string(high);
  return {allowed, [low, high, allowed](const long long& value) -> std::optional<std::string> {
            if (value < low || value > high) return "must be " + allowed;
            return std::nullopt;
          }};
}

Check<long long> replication_factor() {
  return {"-1 or 1..32767", [](const long long& value) -> std::optional<std::string> {
            if (value == -1 || (value >= 1 && value <= 32767)) return std::nullopt;
            return "must be -1 (the broker default) or 1..32767";
          }};
}

const std::vector<std::string>& availability_zone_source_names() {
  static const std::vector<std::string> names = {"env", "file", "kubernetes",
                                                 "aws", "gcp",  "azure"};
  return names;
}

}  // namespace mirror::config::checks
