// A small blocking HTTP/1.1 test client over plain sockets, with receive timeouts so that a broken
// server fails a test instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <map>
#include <optional>
#include <string>

namespace mirror::http::testing {

struct ParsedResponse {
  int status = 0;
  std::string status_line;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  bool has(const std::string& name) const { return headers.count(name) > 0; }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class Client {
 public:
  explicit Client(uint16_t port,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~Client() { close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return fd_ >= 0; }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        return false;
      }
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads one response. HEAD responses (head = true) have no body whatever Content-Length says.
  // Anything unparsable (or a timeout) gives nullopt.
  std::optional<ParsedResponse> read_response(bool head = false) {
    try {
      return read_response_or_throw(head);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

  std::optional<ParsedResponse> get(const std::string& target, const std::string& method = "GET",
                                    const std::string& extra_headers = "") {
    if (!send(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers +
              "\r\n")) {
      return std::nullopt;
    }
    return read_response(method == "HEAD");
  }

  // True when the server closed the connection (EOF or reset) before the timeout; bytes still
  // buffered count as "not closed".
  bool closed_by_peer() {
    if (!buffer_.empty()) return false;
    char c;
    for (;;) {
      const ssize_t n = ::recv(fd_, &c, 1, 0);
      if (n == 0) return true;
      if (n > 0) {
        buffer_.push_back(c);
        return false;
      }
      if (errno == EINTR) continue;
      return errno == ECONNRESET;
    }
  }

  const std::string& pending() const { return buffer_; }

 private:
  bool fill() {
    char chunk[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) {
        buffer_.append(chunk, static_cast<size_t>(n));
        return true;
      }
      if (n < 0 && errno == EINTR) continue;
      return false;  // EOF, timeout or error
    }
  }

  std::optional<ParsedResponse> read_response_or_throw(bool head) {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    ParsedResponse r;
    const std::string head_text = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    size_t line_end = head_text.find("\r\n");
    r.status_line = head_text.substr(0, line_end);
    if (r.status_line.rfind("HTTP/1.", 0) != 0 || r.status_line.size() < 12) return std::nullopt;
    r.status = std::stoi(r.status_line.substr(9, 3));
    while (line_end != std::string::npos) {
      const size_t start = line_end + 2;
      line_end = head_text.find("\r\n", start);
      const std::string line = head_text.substr(
          start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers[name] = value;
    }
    if (head) return r;
    const size_t length = r.has("content-length") ? std::stoul(r.header("content-length")) : 0;
    while (buffer_.size() < length) {
      if (!fill()) return std::nullopt;
    }
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return r;
  }

  int fd_ = -1;
  std::string buffer_;
};

// A one-shot GET on a fresh connection.
inline std::optional<ParsedResponse> fetch(uint16_t port, const std::string& target,
                                           const std::string& method = "GET") {
  Client client(port);
  if (!client.connected()) return std::nullopt;
  return client.get(target, method, "Connection: close\r\n");
}

}  // namespace mirror::http::testing
