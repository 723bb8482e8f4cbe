#include "mirror/config/references.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace mirror::config {
namespace {

constexpr size_t kMaxReferencedFileBytes = 1 << 20;

bool is_env_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Resolves the inside of one "${...}" and appends its value to out->text.
void resolve_one(std::string_view inner, const EnvLookup& env, Resolved* out) {
  if (inner.starts_with("env:")) {
    std::string name(inner.substr(4));
    if (!is_env_name(name)) {
      out->errors.push_back("${env:" + name + "}: '" + name +
                            "' is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
      return;
    }
    std::optional<std::string> value = env ? env(name) : std::nullopt;
    if (!value) {
      out->errors.push_back("${env:" + name + "}: environment variable " + name + " is not set");
      return;
    }
    out->text += *value;
    return;
  }
  if (inner.starts_with("file:")) {
    std::string path(inner.substr(5));
    if (path.empty()) {
      out->errors.push_back("${file:}: the file path is empty");
      return;
    }
    std::string error;
    std::optional<std::string> content = read_file_limited(path, kMaxReferencedFileBytes, &error);
    if (!content) {
      out->errors.push_back("${file:" + path + "}: cannot read " + path + ": " + error);
      return;
    }
    // One trailing line break is the file's end of line, not part of the value.
    if (content->ends_with('\n')) content->pop_back();
    if (content->ends_with('\r')) content->pop_back();
    out->text += *content;
    return;
  }
  // Show only what comes before ':', the rest could be anything (even a literal secret).
  std::string kind(inner.substr(0, inner.find(':')));
  out->errors.push_back("unknown reference kind '${" + kind +
                        ":...}': use ${env:NAME} or ${file:PATH} (write $${ for a literal ${)");
}

}  // namespace

Resolved resolve_references(std::string_view raw, const EnvLookup& env) {
  Resolved out;
  size_t i = 0;
  while (i < raw.size()) {
    if (raw.substr(i).starts_with("$${")) {
      out.text += "${";
      i += 3;
      continue;
    }
    if (!raw.substr(i).starts_with("${")) {
      out.text += raw[i++];
      continue;
    }
    out.had_reference = true;
    size_t close = raw.find('}', i + 2);
    if (close == std::string_view::npos) {
      out.errors.push_back(
          "unterminated reference: '${' without a closing '}' "
          "(write $${ for a literal ${)");
      break;
    }
    resolve_one(raw.substr(i + 2, close - i - 2), env, &out);
    i = close + 1;
  }
  return out;
}

std::optional<std::string> read_file_limited(const std::string& path, size_t limit,
                                             std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = std::error_code(errno, std::generic_category()).message();
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    *error = "is a directory";
    return std::nullopt;
  }
  std::string content;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = std::error_code(errno, std::generic_category()).message();
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
    if (content.size() > limit) {
      ::close(fd);
      *error = "larger than " + std::to_string(limit) + " bytes";
      return std::nullopt;
    }
  }
  ::close(fd);
  return content;
}

}  // namespace mirror::config
