// The service's one HTTP port (/metrics /healthz /readyz /flows, POST /flows/<name>/pause|resume):
// a small HTTP/1.1 server on Boost.Beast with one I/O thread.
//
// Routing: a route is a method and a path pattern (see Route). A GET route also answers HEAD (same
// headers, no body). A path no route matches is 404; a path some route matches, with a method no
// route of that path takes, is 405 with an Allow header listing the methods it takes.
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
#include <vector>

#include "mirror/common/result.h"

namespace mirror::http {

struct Request {
  std::string method;  // as sent ("GET", "HEAD", "POST")
  std::string path;    // target without the query string, e.g. "/metrics" (not decoded)
  std::string query;   // after '?', without it; "" when absent (not decoded)
  // The text of each {name} segment of the route's pattern, by name (not decoded).
  std::map<std::string, std::string> params;
  // The Authorization header's value; "" when absent or sent more than once. A credential: never
  // log it nor echo it in a response.
  std::string authorization;
  std::string body;  // at most ServerOptions::body_limit bytes
};

struct Response {
  int status = 200;  // 200..599; anything else is answered with 500
  std::string content_type = "text/plain; charset=utf-8";  // "" = no Content-Type header
  std::string body;
  // Further headers, such as WWW-Authenticate. Names must be tokens and values free of control
  // characters; the server's own (Allow, Connection, Content-Length, Content-Type, Server,
  // Transfer-Encoding) cannot be set here. A response breaking these rules is answered with 500.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Called on the server thread; whatever it shares with other threads it must guard itself.
// An exception thrown by a handler becomes a 500 with a generic body (the message is logged).
using Handler = std::function<Response(const Request&)>;

// One route. `method` is GET (which answers HEAD too), POST, PUT, PATCH or DELETE. `path` is a
// pattern of '/'-separated segments: a literal segment matches itself exactly (case-sensitive), a
// segment "{name}" matches any one non-empty segment and puts its text in Request::params["name"].
// "/flows" matches only "/flows" (not "/flows/"); "/flows/{flow}/pause" matches
// "/flows/a-to-b/pause". When several patterns match a path, the one with a literal segment where
// the others have a parameter, at the first segment where they differ, wins (so "/flows/all" beats
// "/flows/{flow}"). One handler per method and pattern (patterns that differ only in parameter
// names are the same pattern).
struct Route {
  std::string method;
  std::string path;
  Handler handler;
};

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
  // starting with '/', a bad method or parameter, two handlers for one method and pattern, an
  // empty handler) come back as values; the message names the address or the route.
  static Result<std::unique_ptr<Server>> start(const std::string& listen, std::vector<Route> routes,
                                               ServerOptions options = {});
  // GET routes by exact path (a path here may use {name} segments too).
  static Result<std::unique_ptr<Server>> start(const std::string& listen,
                                               const std::map<std::string, Handler>& get_routes,
                                               ServerOptions options = {});

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
