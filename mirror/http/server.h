// The service's one HTTP port (/metrics /healthz /readyz /flows): a small HTTP/1.1 server on
// Boost.Beast with one I/O thread. Routes are exact paths; GET and HEAD only.
//
// Robustness: every connection has a deadline for a request's line and headers (which is also the
// idle keep-alive timeout), one for the whole request and one for writing the response; oversized
// requests are rejected (header -> 400, body -> 413). The connection cap counts open connections
// (not those closing after their last response); at the cap, a new connection takes the place of
// the one that has waited longest for a request (idle, or a request it is slow to send), so a
// flood of silent or slow clients cannot keep a prompt one (a liveness probe) out; only when every
// connection is busy or just arrived is it refused (503). A slow or silent client never blocks
// other clients or stop(). Handlers run on the server thread, one at a time, so a slow handler
// delays other requests: keep them fast (render from state kept up to date elsewhere).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "mirror/common/result.h"

namespace mirror::http {

struct Request {
  std::string method;  // as sent ("GET", "HEAD")
  std::string path;    // target without the query string, e.g. "/metrics"
  std::string query;   // after '?', without it; "" when absent (not decoded)
};

struct Response {
  int status = 200;  // 200..599; anything else is answered with 500
  std::string content_type = "text/plain; charset=utf-8";  // "" = no Content-Type header
  std::string body;
};

// Called on the server thread; whatever it shares with other threads it must guard itself.
// An exception thrown by a handler becomes a 500 with a generic body (the message is logged).
using Handler = std::function<Response(const Request&)>;

// Limits; the defaults suit production. Tests shorten the timeouts.
struct ServerOptions {
  std::chrono::milliseconds read_timeout{10000};  // whole request
  // Request line and headers, from when the connection starts waiting for them (also the idle
  // time allowed between requests); at most read_timeout.
  std::chrono::milliseconds header_timeout{3000};
  std::chrono::milliseconds write_timeout{10000};  // whole response
  std::size_t max_connections = 64;  // open connections; beyond: evict (below) or refuse (503)
  // At the cap, a connection that has waited at least this long for a request may be closed for a
  // new one (0: any that waits). The newest arrival is never the one that waited longest, so a
  // client that sends its request at once is served however many others stall.
  std::chrono::milliseconds evict_after{0};
  std::size_t header_limit = std::size_t{8} * 1024;  // request line + headers, bytes; beyond: 400
  std::size_t body_limit = std::size_t{64} * 1024;   // request body, bytes; beyond: 413
};

// Parses "HOST:PORT": "0.0.0.0:9464", "localhost:0", "[::1]:9464" (host "::1"), ":9464" (all IPv4
// interfaces: host "0.0.0.0"). PORT is 0..65535 (0 = any free port). IPv6 addresses need brackets.
Result<std::pair<std::string, uint16_t>> parse_listen(const std::string& listen);

namespace detail {
class ServerCore;
}

class Server {
 public:
  // Binds and starts serving on a background thread. Errors (bad address, port in use, a route not
  // starting with '/', an empty handler) come back as values; the message names the address.
  static Result<std::unique_ptr<Server>> start(const std::string& listen,
                                               std::map<std::string, Handler> routes);
  static Result<std::unique_ptr<Server>> start(const std::string& listen,
                                               std::map<std::string, Handler> routes,
                                               ServerOptions options);

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();  // calls stop()

  uint16_t port() const;  // the bound port (useful with port 0)

  // Idempotent and thread-safe; closes the listener and every connection and joins the thread.
  // Returns promptly unless a handler is running (it waits for that handler). Must not be called
  // from inside a handler.
  void stop();

 private:
  explicit Server(std::unique_ptr<detail::ServerCore> core);
  std::unique_ptr<detail::ServerCore> core_;
};

}  // namespace mirror::http
