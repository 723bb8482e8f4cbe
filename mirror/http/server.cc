#include "mirror/http/server.h"

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <exception>
#include <iterator>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "mirror/common/log.h"

namespace mirror::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view kLog = "http";
constexpr std::chrono::milliseconds kLingerTimeout{1000};  // draining a client after we half-closed
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
constexpr std::chrono::seconds kRefusalWarningInterval{10};

std::string format_address(const std::string& host, uint16_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

bool valid_hostname(std::string_view host) {
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_'))
      return false;
  }
  return true;
}

bool is_http_error(const beast::error_code& ec) {
  return &ec.category() == &bhttp::make_error_code(bhttp::error::bad_method).category();
}

// Splits a request target into path and query. Absolute-form targets ("http://host/p?q") are
// reduced to their path.
void split_target(std::string_view target, std::string* path, std::string* query) {
  if (!target.empty() && target.front() != '/') {
    const auto scheme = target.find("://");
    if (scheme != std::string_view::npos) {
      const auto slash = target.find('/', scheme + 3);
      target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    }
  }
  const auto hash = target.find('#');
  if (hash != std::string_view::npos) target = target.substr(0, hash);
  const auto q = target.find('?');
  if (q == std::string_view::npos) {
    *path = std::string(target);
    query->clear();
  } else {
    *path = std::string(target.substr(0, q));
    *query = std::string(target.substr(q + 1));
  }
}

Response text(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

class Session;

}  // namespace

namespace detail {

// The routes, grouped by pattern and ordered so that the first matching pattern is the most
// specific one.
class RouteTable {
 public:
  struct Match {
    const Handler* handler = nullptr;  // null: no route for this method (or path)
    std::map<std::string, std::string> params;
    bool path_known = false;  // some pattern matches the path
    std::string allow;        // when path_known and no handler: the methods the path takes
  };

  static Result<RouteTable> build(std::vector<Route> routes);
  Match find(std::string_view method, std::string_view path) const;

 private:
  struct Target {
    Handler handler;
    std::vector<std::string> names;  // per segment: the parameter's name, "" for a literal
  };
  struct Pattern {
    std::vector<std::string> segments;  // literal text; "" where a parameter is
    std::vector<bool> param;
    std::map<std::string, Target> methods;
  };
  std::vector<Pattern> patterns_;
};

}  // namespace detail

namespace {

// Methods a route may name, in the order an Allow header lists them.
constexpr std::array<std::string_view, 5> kRouteMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};

// The segments of a path after its leading '/': "/a/b" -> {"a", "b"}, "/" -> {""},
// "/a/" -> {"a", ""}. Empty when the path does not start with '/'.
std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    path.remove_prefix(slash + 1);
  }
}

bool is_param_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

// RFC 9110 token characters.
bool is_token(std::string_view text) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           kExtra.find(c) != std::string_view::npos;
  });
}

bool is_header_value(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u != 0x7f);
  });
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Headers the server sets itself.
bool is_reserved_header(std::string_view name) {
  for (std::string_view reserved : {"allow", "connection", "content-length", "content-type",
                                    "server", "transfer-encoding", "keep-alive", "upgrade"}) {
    if (iequals(name, reserved)) return true;
  }
  return false;
}

// Why a handler's response cannot be sent, or nullopt.
std::optional<std::string> response_problem(const Response& response) {
  if (response.status < 200 || response.status > 599) {
    return "invalid status " + std::to_string(response.status);
  }
  for (const auto& [name, value] : response.headers) {
    if (!is_token(name)) return "invalid header name";
    if (is_reserved_header(name)) return "header " + name + " is set by the server";
    if (!is_header_value(value)) return "invalid value of header " + name;
  }
  return std::nullopt;
}

}  // namespace

namespace detail {

Result<RouteTable> RouteTable::build(std::vector<Route> routes) {
  RouteTable table;
  for (Route& route : routes) {
    auto bad = [&](const std::string& why) {
      return make_error("http: route " + route.method + " \"" + route.path + "\" " + why, 0, false);
    };
    if (route.path.empty() || route.path.front() != '/') return bad("must start with '/'");
    if (!route.handler) return bad("has no handler");
    if (std::find(kRouteMethods.begin(), kRouteMethods.end(), route.method) ==
        kRouteMethods.end()) {
      return bad("has an unsupported method (GET, POST, PUT, PATCH or DELETE)");
    }
    Pattern pattern;
    Target target;
    for (std::string_view segment : split_segments(route.path)) {
      const bool param = segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
      std::string name;
      if (param) {
        name = std::string(segment.substr(1, segment.size() - 2));
        if (!is_param_name(name)) return bad("has a bad parameter name (letters, digits, _)");
        if (std::find(target.names.begin(), target.names.end(), name) != target.names.end())
          return bad("names parameter {" + name + "} twice");
      } else if (segment.find_first_of("{}") != std::string_view::npos) {
        return bad("has a '{' or '}' outside a whole-segment {parameter}");
      }
      pattern.segments.emplace_back(param ? std::string_view() : segment);
      pattern.param.push_back(param);
      target.names.push_back(std::move(name));
    }
    auto same = std::find_if(table.patterns_.begin(), table.patterns_.end(), [&](const Pattern& p) {
      return p.segments == pattern.segments && p.param == pattern.param;
    });
    if (same == table.patterns_.end()) {
      table.patterns_.push_back(std::move(pattern));
      same = std::prev(table.patterns_.end());
    }
    if (!same->methods.emplace(route.method, Target{std::move(route.handler), target.names})
             .second) {
      return bad("is registered twice");
    }
  }
  // Literal before parameter at the first segment where two patterns differ.
  std::stable_sort(table.patterns_.begin(), table.patterns_.end(),
                   [](const Pattern& a, const Pattern& b) {
                     return std::lexicographical_compare(a.param.begin(), a.param.end(),
                                                         b.param.begin(), b.param.end());
                   });
  return table;
}

RouteTable::Match RouteTable::find(std::string_view method, std::string_view path) const {
  Match match;
  const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  const auto segments = split_segments(path);
  std::set<std::string_view> allowed;
  for (const Pattern& pattern : patterns_) {
    if (pattern.segments.size() != segments.size()) continue;
    bool matches = true;
    for (size_t i = 0; i < segments.size() && matches; ++i) {
      matches = pattern.param[i] ? !segments[i].empty() : segments[i] == pattern.segments[i];
    }
    if (!matches) continue;
    match.path_known = true;
    const auto it = pattern.methods.find(std::string(wanted));
    if (it == pattern.methods.end()) {
      for (const auto& entry : pattern.methods) allowed.insert(entry.first);
      continue;
    }
    match.handler = &it->second.handler;
    for (size_t i = 0; i < segments.size(); ++i) {
      if (pattern.param[i]) match.params[it->second.names[i]] = std::string(segments[i]);
    }
    return match;
  }
  for (std::string_view m : kRouteMethods) {
    if (!allowed.contains(m)) continue;
    if (!match.allow.empty()) match.allow += ", ";
    match.allow += m;
    if (m == "GET") match.allow += ", HEAD";
  }
  return match;
}

}  // namespace detail

Result<std::pair<std::string, uint16_t>> parse_listen(const std::string& listen) {
  auto bad = [&](const std::string& why) {
    return make_error("invalid listen address \"" + listen + "\": " + why +
                          " (expected HOST:PORT, for example 0.0.0.0:9464, [::1]:9464 or :9464)",
                      0, false);
  };
  if (listen.empty()) return bad("empty");
  std::string host;
  std::string port_text;
  if (listen.front() == '[') {
    const auto close = listen.find(']');
    if (close == std::string::npos) return bad("missing ']'");
    host = listen.substr(1, close - 1);
    if (host.empty()) return bad("empty IPv6 address");
    boost::system::error_code ec;
    net::ip::make_address_v6(host, ec);
    if (ec) return bad("\"" + host + "\" is not an IPv6 address");
    if (close + 1 >= listen.size() || listen[close + 1] != ':')
      return bad("missing :PORT after ']'");
    port_text = listen.substr(close + 2);
  } else {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) return bad("missing :PORT");
    host = listen.substr(0, colon);
    port_text = listen.substr(colon + 1);
    if (host.find(':') != std::string::npos)
      return bad("an IPv6 address needs brackets, as in [::1]:9464");
    if (host.empty()) host = "0.0.0.0";
    if (!valid_hostname(host)) return bad("bad character in host \"" + host + "\"");
  }
  if (port_text.empty()) return bad("missing port");
  if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(),
                                           [](char c) { return c >= '0' && c <= '9'; })) {
    return bad("port \"" + port_text + "\" is not a number");
  }
  const unsigned long port = std::stoul(port_text);
  if (port > 65535) return bad("port " + port_text + " is out of range 0-65535");
  return std::make_pair(host, static_cast<uint16_t>(port));
}

namespace detail {

// Everything below runs on the server thread, except construction, listen(), join and destruction.
class ServerCore {
 public:
  ServerCore(RouteTable routes, ServerOptions options)
      : routes_(std::move(routes)), options_(options) {}

  ~ServerCore() {
    // Only after the thread is gone (stop() joined it). Sessions still referenced by pending
    // handlers are destroyed with io_ and deregister from sessions_, which outlives io_.
  }

  Status listen(const std::string& host, uint16_t port) {
    address_ = format_address(host, port);
    boost::system::error_code ec;
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(host, std::to_string(port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec) return make_error("http: cannot listen on " + address_ + ": " + ec.message(), 0, false);
    std::string last_error = "no address";
    for (const auto& entry : results) {
      const tcp::endpoint endpoint = entry.endpoint();
      tcp::acceptor acceptor(io_);
      if (acceptor.open(endpoint.protocol(), ec) ||
          acceptor.set_option(net::socket_base::reuse_address(true), ec) ||
          acceptor.bind(endpoint, ec) ||
          acceptor.listen(net::socket_base::max_listen_connections, ec)) {
        last_error = ec.message();
        continue;
      }
      acceptor_ = std::move(acceptor);
      port_ = acceptor_.local_endpoint(ec).port();
      if (ec)
        return make_error("http: cannot listen on " + address_ + ": " + ec.message(), 0, false);
      log::info(kLog, "listening on ", format_address(endpoint.address().to_string(), port_));
      return {};
    }
    return make_error("http: cannot listen on " + address_ + ": " + last_error, 0, false);
  }

  void start_thread() {
    do_accept();
    thread_ = std::thread([this] { run(); });
  }

  void stop() {
    std::lock_guard lock(stop_mutex_);
    if (stopped_) return;
    stopped_ = true;
    net::post(io_, [this] { shutdown(); });
    if (thread_.joinable()) thread_.join();
  }

  uint16_t port() const { return port_; }
  const ServerOptions& options() const { return options_; }
  const RouteTable& routes() const { return routes_; }

  void add(Session* session, const std::shared_ptr<Session>& ref) {
    sessions_.emplace(session, ref);
    ++open_;
  }
  void remove(Session* session) { sessions_.erase(session); }
  // A session stops counting against the cap once it is closing (called once per session).
  void release() { --open_; }

 private:
  void run() {
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        log::error(kLog, "unexpected error in the server loop: ", e.what());
      } catch (...) {
        log::error(kLog, "unexpected error in the server loop");
      }
    }
  }

  void do_accept();
  void on_accept(const beast::error_code& ec, tcp::socket socket);
  bool evict_one();
  void refuse(tcp::socket& socket);
  void shutdown();

  RouteTable routes_;
  ServerOptions options_;
  std::string address_;
  uint16_t port_ = 0;
  // Open connections, server thread only. Declared before io_ so that it outlives it.
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  std::size_t open_ = 0;   // sessions not closing yet: what the cap counts (server thread only)
  bool stopping_ = false;  // server thread only
  std::chrono::steady_clock::time_point last_refusal_warning_{};
  std::chrono::steady_clock::time_point last_eviction_warning_{};
  std::mutex stop_mutex_;
  bool stopped_ = false;

  net::io_context io_{1};
  tcp::acceptor acceptor_{io_};
  net::steady_timer accept_retry_{io_};
  std::thread thread_;
};

}  // namespace detail

namespace {

// One connection: read a request, answer it, repeat while keep-alive; every step has a deadline.
class Session : public std::enable_shared_from_this<Session> {
 public:
  using Clock = std::chrono::steady_clock;
  Session(detail::ServerCore* core, tcp::socket socket) : core_(core), stream_(std::move(socket)) {}
  ~Session() {
    closing();
    core_->remove(this);
  }

  void start() { do_read(); }

  // Closes the socket; pending operations complete with an error and release the session.
  void close() {
    closing();
    if (closed_) return;
    closed_ = true;
    stream_.close();
  }

  // Since when it waits for a request's line and headers; nothing while it handles one or closes.
  std::optional<Clock::time_point> waiting_since() const {
    if (closed_ || closing_ || !waiting_) return std::nullopt;
    return waiting_since_;
  }

 private:
  // No longer counted against the connection cap.
  void closing() {
    if (closing_) return;
    closing_ = true;
    core_->release();
  }

  void do_read() {
    if (closed_) return;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(core_->options().header_limit));
    parser_->body_limit(core_->options().body_limit);
    const auto& o = core_->options();
    waiting_ = true;
    waiting_since_ = Clock::now();
    stream_.expires_after(std::min(o.header_timeout, o.read_timeout));
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(const beast::error_code& ec) {
    waiting_ = false;
    if (ec || closed_ || parser_->is_done()) {
      on_read(ec);
      return;
    }
    // The body, within what is left of the request's deadline.
    stream_.expires_at(waiting_since_ + core_->options().read_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(const beast::error_code& ec) {
    if (closed_) return;
    if (ec == bhttp::error::end_of_stream) {  // the client closed between requests
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      close();
      return;
    }
    if (ec == bhttp::error::body_limit) {
      reply_and_close(text(413, "request body too large\n"));
      return;
    }
    if (ec == bhttp::error::header_limit) {
      reply_and_close(text(400, "request header too large\n"));
      return;
    }
    if (ec && is_http_error(ec) && ec != bhttp::error::partial_message) {
      reply_and_close(text(400, "bad request\n"));
      return;
    }
    if (ec) {  // timeout, reset, cancelled, truncated request
      close();
      return;
    }

    const auto& req = parser_->get();
    Request request;
    request.method = std::string(req.method_string());
    split_target(std::string_view(req.target().data(), req.target().size()), &request.path,
                 &request.query);
    if (const auto [first, last] = req.equal_range(bhttp::field::authorization);
        first != last && std::next(first) == last) {
      request.authorization = std::string(first->value());
    }
    request.body = req.body();
    const bool head = req.method() == bhttp::verb::head;
    const bool keep_alive = req.keep_alive();
    const unsigned version = req.version();

    std::string allow;
    Response response = dispatch(request, &allow);
    prepare(version, keep_alive, head, allow, std::move(response));
    send(!keep_alive);
  }

  Response dispatch(Request& request, std::string* allow) {
    auto match = core_->routes().find(request.method, request.path);
    if (!match.path_known) return text(404, "not found\n");
    if (match.handler == nullptr) {
      *allow = std::move(match.allow);
      return text(405, "method not allowed\n");
    }
    request.params = std::move(match.params);
    try {
      Response response = (*match.handler)(request);
      if (auto problem = response_problem(response)) {
        log::error(kLog, "handler for ", request.method, " ", request.path,
                   " returned a bad response: ", *problem);
        return text(500, "internal server error\n");
      }
      return response;
    } catch (const std::exception& e) {
      log::error(kLog, "handler for ", request.path, " failed: ", e.what());
    } catch (...) {
      log::error(kLog, "handler for ", request.path, " failed with an unknown exception");
    }
    return text(500, "internal server error\n");
  }

  void prepare(unsigned version, bool keep_alive, bool head, const std::string& allow,
               Response response) {
    res_ = {};
    res_.version(version);
    res_.result(static_cast<unsigned>(response.status));
    res_.set(bhttp::field::server, "mirror");
    if (!response.content_type.empty()) res_.set(bhttp::field::content_type, response.content_type);
    if (!allow.empty()) res_.set(bhttp::field::allow, allow);
    for (const auto& [name, value] : response.headers) res_.insert(name, value);
    if (response.status == 204) {
      res_.body().clear();  // no body and no Content-Length (RFC 9110 8.6)
    } else {
      res_.content_length(response.body.size());
      if (!head) res_.body() = std::move(response.body);
    }
    res_.keep_alive(keep_alive);
  }

  // For requests we could not parse: answer as HTTP/1.1 and close the connection.
  void reply_and_close(Response response) {
    prepare(11, false, false, "", std::move(response));
    send(true);
  }

  void send(bool close_after) {
    stream_.expires_after(core_->options().write_timeout);
    bhttp::async_write(stream_, res_,
                       [self = shared_from_this(), close_after](beast::error_code ec, std::size_t) {
                         self->on_write(ec, close_after);
                       });
  }

  void on_write(const beast::error_code& ec, bool close_after) {
    if (closed_) return;
    if (ec) {
      close();
      return;
    }
    if (!close_after) {
      do_read();
      return;
    }
    // Half-close, then drain what the client still sends until it closes (bounded), so that
    // unread request bytes don't turn our close into a reset that could discard the response.
    closing();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTimeout);
    drain();
  }

  void drain() {
    stream_.async_read_some(net::buffer(drain_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (self->closed_) return;
                              if (ec) {
                                self->close();
                                return;
                              }
                              self->drain();
                            });
  }

  detail::ServerCore* core_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  std::array<char, 4096> drain_{};
  Clock::time_point waiting_since_{};
  bool waiting_ = false;  // for a request's line and headers
  bool closing_ = false;  // released from the cap
  bool closed_ = false;
};

}  // namespace

namespace detail {

void ServerCore::do_accept() {
  acceptor_.async_accept(
      io_, [this](beast::error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void ServerCore::on_accept(const beast::error_code& ec, tcp::socket socket) {
  if (stopping_) return;
  if (ec == net::error::operation_aborted) return;
  if (ec) {
    if (ec != net::error::connection_aborted) {
      log::warn(kLog, "accept on ", address_, " failed: ", ec.message());
      accept_retry_.expires_after(kAcceptRetryDelay);
      accept_retry_.async_wait([this](const beast::error_code& wait_ec) {
        if (!wait_ec && !stopping_) do_accept();
      });
      return;
    }
  } else if (open_ >= options_.max_connections && !evict_one()) {
    refuse(socket);
  } else {
    auto session = std::make_shared<Session>(this, std::move(socket));
    add(session.get(), session);
    session->start();
  }
  do_accept();
}

// At the cap: closes the connection that has waited longest for a request, if it waited at least
// evict_after. A prompt client (a probe) sends its request within milliseconds of connecting, so
// it is never the longest waiting: a flood of silent or dripping clients cannot keep it out. False
// when none qualifies (every connection is busy with a request or closing).
bool ServerCore::evict_one() {
  const auto now = std::chrono::steady_clock::now();
  std::shared_ptr<Session> victim;
  std::chrono::steady_clock::time_point oldest = now - options_.evict_after;
  for (const auto& [ptr, ref] : sessions_) {
    auto session = ref.lock();
    if (!session) continue;
    const auto since = session->waiting_since();
    if (since && *since <= oldest) {
      oldest = *since;
      victim = std::move(session);
    }
  }
  if (!victim) return false;
  if (now - last_eviction_warning_ >= kRefusalWarningInterval) {
    last_eviction_warning_ = now;
    log::warn(kLog, "at the limit of ", options_.max_connections,
              " connections: closing the ones waiting longest for a request");
  }
  victim->close();
  return true;
}

// Over the connection cap: a best-effort 503 without ever blocking, then close.
void ServerCore::refuse(tcp::socket& socket) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_warning_ >= kRefusalWarningInterval) {
    last_refusal_warning_ = now;
    log::warn(kLog, "refusing connections beyond the limit of ", options_.max_connections);
  }
  static constexpr std::string_view kBusy =
      "HTTP/1.1 503 Service Unavailable\r\nServer: mirror\r\nContent-Type: text/plain; "
      "charset=utf-8\r\n"
      "Content-Length: 21\r\nConnection: close\r\n\r\ntoo many connections\n";
  beast::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(net::buffer(kBusy.data(), kBusy.size()), ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

void ServerCore::shutdown() {
  stopping_ = true;
  beast::error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  std::vector<std::shared_ptr<Session>> open;
  open.reserve(sessions_.size());
  for (const auto& [ptr, ref] : sessions_) {
    if (auto session = ref.lock()) open.push_back(std::move(session));
  }
  for (const auto& session : open) session->close();
}

}  // namespace detail

Server::Server(std::unique_ptr<detail::ServerCore> core) : core_(std::move(core)) {}

Server::~Server() {
  stop();
}

Result<std::unique_ptr<Server>> Server::start(const std::string& listen,
                                              const std::map<std::string, Handler>& get_routes,
                                              ServerOptions options) {
  std::vector<Route> routes;
  routes.reserve(get_routes.size());
  for (const auto& [path, handler] : get_routes) routes.push_back(Route{"GET", path, handler});
  return start(listen, std::move(routes), options);
}

Result<std::unique_ptr<Server>> Server::start(const std::string& listen, std::vector<Route> routes,
                                              ServerOptions options) {
  auto parsed = parse_listen(listen);
  if (!parsed) return parsed.error();
  auto table = detail::RouteTable::build(std::move(routes));
  if (!table) return table.error();
  if (options.max_connections == 0)
    return make_error("http: max_connections must be at least 1", 0, false);
  auto core = std::make_unique<detail::ServerCore>(std::move(table).value(), options);
  auto status = core->listen(parsed->first, parsed->second);
  if (!status) return status.error();
  core->start_thread();
  return std::unique_ptr<Server>(new Server(std::move(core)));
}

uint16_t Server::port() const {
  return core_->port();
}

void Server::stop() {
  if (core_) core_->stop();
}

}  // namespace mirror::http
