#include "mirror/http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <optional>

#include "mirror/http/server.h"  // parse_listen

namespace mirror::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

std::string show_address(const std::string& host, uint16_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::string seconds_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

}  // namespace

Result<ClientResponse> send_request(const std::string& address, const ClientRequest& request,
                                    const ClientOptions& options) {
  auto parsed = parse_listen(address);
  if (!parsed) return parsed.error();
  const auto& [host, port] = *parsed;
  const std::string where = show_address(host, port);
  if (port == 0) return make_error("cannot connect to " + where + ": port 0", 0, false);
  const auto verb = bhttp::string_to_verb(request.method);
  if (verb == bhttp::verb::unknown) {
    return make_error("http client: unknown method " + request.method, 0, false);
  }

  net::io_context io{1};
  beast::tcp_stream stream(io);
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  std::optional<Error> failure;
  auto fail = [&](const std::string& step, const beast::error_code& ec) {
    const std::string why = ec == beast::error::timeout
                                ? "no answer within " + seconds_text(options.timeout)
                                : ec.message();
    failure = make_error(step + " " + where + ": " + why);
  };

  bhttp::request<bhttp::string_body> req{verb, request.target, 11};
  req.set(bhttp::field::host, where);
  req.set(bhttp::field::user_agent, std::string("mirror/") + MIRROR_VERSION);
  req.set(bhttp::field::connection, "close");
  for (const auto& [name, value] : request.headers) req.insert(name, value);
  req.body() = request.body;
  if (!request.body.empty() || verb == bhttp::verb::post || verb == bhttp::verb::put ||
      verb == bhttp::verb::patch) {
    req.prepare_payload();
  }

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  // (Boost 1.74's parser checks the limit for chunked and close-delimited bodies only; a
  // Content-Length beyond it is refused below, after the header.)
  parser.body_limit(options.body_limit);

  tcp::resolver resolver(io);
  // Resolving has no timer of its own: numeric hosts resolve at once, and names of the local
  // machine or cluster quickly; io.run_until below bounds it anyway.
  resolver.async_resolve(
      host, std::to_string(port), tcp::resolver::numeric_service,
      [&](const beast::error_code& ec, const tcp::resolver::results_type& results) {
        if (ec) return fail("cannot resolve", ec);
        stream.expires_at(deadline);
        stream.async_connect(results, [&](const beast::error_code& ec, const tcp::endpoint&) {
          if (ec) return fail("cannot connect to", ec);
          stream.expires_at(deadline);
          bhttp::async_write(stream, req, [&](const beast::error_code& ec, std::size_t) {
            if (ec) return fail("cannot send the request to", ec);
            stream.expires_at(deadline);
            bhttp::async_read_header(
                stream, buffer, parser, [&](const beast::error_code& ec, std::size_t) {
                  if (ec) return fail("no valid answer from", ec);
                  if (const auto length = parser.content_length();
                      length && *length > options.body_limit) {
                    return fail("no valid answer from",
                                bhttp::make_error_code(bhttp::error::body_limit));
                  }
                  if (parser.is_done()) return;
                  bhttp::async_read(stream, buffer, parser,
                                    [&](const beast::error_code& ec, std::size_t) {
                                      if (ec) return fail("no valid answer from", ec);
                                    });
                });
          });
        });
      });
  io.run_until(deadline + std::chrono::milliseconds(100));
  if (!io.stopped()) {  // still resolving
    resolver.cancel();
    stream.close();
    io.run();  // completes the cancelled operations
    if (!failure)
      failure = make_error("cannot resolve " + where + ": no answer within " +
                           seconds_text(options.timeout));
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  if (failure) return *failure;
  if (!parser.is_done()) return make_error("no valid answer from " + where);

  auto& res = parser.get();
  ClientResponse out;
  out.status = static_cast<int>(res.result_int());
  out.reason = std::string(res.reason());
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  out.body = std::move(res.body());
  return out;
}

}  // namespace mirror::http
