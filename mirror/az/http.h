// Internal: one bounded HTTP(S) request through libcurl for the metadata sources. Not a general
// client: no proxy, no redirects, http/https only, a response size cap, a hard deadline.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "mirror/common/result.h"

namespace mirror::az::detail {

struct HttpRequest {
  std::string method = "GET";  // "GET" or "PUT" (empty body)
  std::string url;
  std::vector<std::string> headers;  // "Name: value"; may hold credentials, never echoed
  std::string ca_file;               // https: verify the server against this CA bundle only
  std::size_t max_body = std::size_t{64} * 1024;  // a larger answer is an error
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::steady_clock::time_point deadline;  // the whole request ends by then
  std::chrono::milliseconds budget{
      0};  // for messages: the caller's whole budget (0: the time left)
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names, last response only
};

// A 2xx answer, or an error whose message says what went wrong without the request headers or
// the response body ("connect timeout after 500 ms", "HTTP 500", ...). For an HTTP
// status error Error::code is the status.
Result<HttpResponse> http_fetch(const HttpRequest& request);

}  // namespace mirror::az::detail
