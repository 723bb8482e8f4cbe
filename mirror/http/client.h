// A small blocking HTTP/1.1 client (Boost.Beast) for talking to a mirror process's HTTP port:
// `mirror ctl` uses it. One request per connection (Connection: close), plain HTTP, IPv4 or IPv6.
//
// Every request has one deadline covering resolve, connect, write and read; past it the request
// fails with an error saying so. Errors name the address, never a header's value (an
// Authorization header stays out of every message).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "mirror/common/result.h"

namespace mirror::http {

struct ClientRequest {
  std::string method = "GET";
  std::string target = "/";                                  // path and query, e.g. "/flows"
  std::vector<std::pair<std::string, std::string>> headers;  // besides Host, User-Agent, ...
  std::string body;  // sent with Content-Length (also 0 for an empty POST)
};

struct ClientResponse {
  int status = 0;
  std::string reason;                          // "Forbidden"
  std::map<std::string, std::string> headers;  // names lower-cased; the last of repeated ones
  std::string body;
};

struct ClientOptions {
  std::chrono::milliseconds timeout{5000};                 // the whole request
  std::size_t body_limit = std::size_t{32} * 1024 * 1024;  // response body, bytes; beyond: error
};

// Sends `request` to `address` ("HOST:PORT" as parse_listen reads it, e.g. "127.0.0.1:9464" or
// "[::1]:9464"; port 0 is refused) and reads the answer. Any status is a response; errors are
// what kept one from arriving (bad address, refused, reset, timeout, malformed or too large).
Result<ClientResponse> send_request(const std::string& address, const ClientRequest& request,
                                    const ClientOptions& options = {});

}  // namespace mirror::http
