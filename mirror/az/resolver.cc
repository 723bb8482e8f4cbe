#include "mirror/az/resolver.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <exception>
#include <system_error>

#include "mirror/az/detail.h"
#include "mirror/common/log.h"

namespace mirror::az {

std::string Resolution::display() const {
  if (!zone) return "";
  return zone->id.empty() ? zone->name : zone->id;
}

std::string rack_for(const Zone& zone, config::RackIdFormat format) {
  if (format == config::RackIdFormat::ZoneName) return zone.name.empty() ? zone.id : zone.name;
  return zone.id.empty() ? zone.name : zone.id;
}

bool is_valid_zone(std::string_view text) {
  if (text.empty() || text.size() > 63) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(text.front())) return false;
  for (char c : text) {
    if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

namespace detail {

std::string trim(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

std::string sanitized_prefix(std::string_view text, std::size_t max_len) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < max_len; ++i) {
    char c = text[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '/' || c == '-';
    out += ok ? c : '?';
  }
  if (text.size() > max_len) out += "...";
  out += "\"";
  return out;
}

std::optional<std::string> env_value(const Options& options, const std::string& name) {
  std::optional<std::string> value;
  if (options.env) {
    value = options.env(name);
  } else {
    // Nothing in mirror sets environment variables, so reading them is safe on any thread.
    const char* raw = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
    if (raw != nullptr) value = std::string(raw);
  }
  if (value && value->empty()) return std::nullopt;
  return value;
}

Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return make_error(path + ": " + std::generic_category().message(errno));
  std::string data;
  char buf[4096];
  while (data.size() < max_bytes) {
    ssize_t n = ::read(fd, buf, std::min(sizeof buf, max_bytes - data.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return make_error(path + ": " + std::generic_category().message(err));
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return data;
}

std::optional<std::string> parse_gcp_zone(std::string_view answer) {
  constexpr std::string_view kProjects = "projects/";
  constexpr std::string_view kZones = "/zones/";
  if (!answer.starts_with(kProjects)) return std::nullopt;
  answer.remove_prefix(kProjects.size());
  auto slash = answer.find(kZones);
  if (slash == 0 || slash == std::string_view::npos) return std::nullopt;
  for (char c : answer.substr(0, slash)) {
    // The project number; accept a project id too ([a-z0-9-]), some emulators answer with one.
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-';
    if (!ok) return std::nullopt;
  }
  std::string_view name = answer.substr(slash + kZones.size());
  if (!is_valid_zone(name)) return std::nullopt;
  return std::string(name);
}

std::optional<std::string> kubernetes_base_url(std::string_view host, std::string_view port) {
  if (host.empty() || port.empty() || port.size() > 5) return std::nullopt;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int number = std::atoi(std::string(port).c_str());
  if (number <= 0 || number > 65535) return std::nullopt;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '%';
    if (!ok) return std::nullopt;
  }
  std::string h(host);
  if (h.find(':') != std::string::npos && h.front() != '[') {
    // IPv6 literal; a zone index ("fe80::1%eth0") is written %25 inside brackets.
    auto pct = h.find('%');
    if (pct != std::string::npos) h.replace(pct, 1, "%25");
    h = "[" + h + "]";
  }
  return "https://" + h + ":" + std::string(port);
}

std::optional<std::string> endpoint_base(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return std::nullopt;
  }
  if (rest.empty() || rest.front() == '/') return std::nullopt;
  for (char c : rest) {
    if (c == '?' || c == '#' || c == '@' || c == '\\' || static_cast<unsigned char>(c) <= ' ' ||
        static_cast<unsigned char>(c) >= 0x7f) {
      return std::nullopt;
    }
  }
  while (url.ends_with('/')) url.remove_suffix(1);
  return std::string(url);
}

}  // namespace detail

namespace {

Resolution literal(const std::string& value, std::string source) {
  Resolution r;
  r.source = std::move(source);
  if (is_valid_zone(value)) {
    r.zone = Zone{value, value};
  } else {
    r.failures.push_back(r.source + ": invalid availability zone " +
                         detail::sanitized_prefix(value) +
                         " (want [A-Za-z0-9][A-Za-z0-9._-]{0,62})");
  }
  return r;
}

bool valid_answer(const Zone& zone) {
  if (zone.id.empty() && zone.name.empty()) return false;
  if (!zone.id.empty() && !is_valid_zone(zone.id)) return false;
  if (!zone.name.empty() && !is_valid_zone(zone.name)) return false;
  return true;
}

}  // namespace

Resolution resolve(const config::NodeSpec& node, const std::optional<std::string>& flag_az,
                   const Options& options) {
  if (flag_az) {
    std::string value = detail::trim(*flag_az);
    if (!value.empty()) return literal(value, "flag");
  }
  {
    std::string value = detail::trim(node.availability_zone);
    if (!value.empty() && value != "auto") return literal(value, "config");
  }

  Resolution r;
  if (node.availability_zone_sources.empty()) {
    r.failures.push_back("sources: none configured (node.availability_zone_sources is empty)");
    return r;
  }
  for (const auto& name : node.availability_zone_sources) {
    std::string failure;
    try {
      std::unique_ptr<Source> source =
          options.source_factory ? options.source_factory(name) : make_source(name);
      if (!source) {
        r.failures.push_back(name + ": unknown source");
        continue;
      }
      Result<Zone> answer = source->lookup(options);
      if (!answer.ok()) {
        failure = answer.error().message;
      } else if (!valid_answer(*answer)) {
        failure = "invalid answer";
      } else {
        r.zone = std::move(*answer);
        r.source = name;
        log::debug("az", "availability zone ", r.display(), " from source ", name);
        return r;
      }
    } catch (const std::exception&) {
      failure = "internal error";
    } catch (...) {
      failure = "internal error";
    }
    log::debug("az", "source ", name, " did not answer: ", failure);
    r.failures.push_back(name);
    r.failures.back().append(": ").append(failure);
  }
  return r;
}

}  // namespace mirror::az
