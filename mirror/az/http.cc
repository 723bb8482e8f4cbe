#include "mirror/az/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

namespace mirror::az::detail {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
  std::string body;
  std::size_t max_body = 0;
  bool too_large = false;
  std::map<std::string, std::string> headers;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  if (sink->body.size() + n > sink->max_body) {
    sink->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  sink->body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {  // a new response (after 100-continue, say): forget the last
    sink->headers.clear();
    return n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string key(line.substr(0, colon));
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  if (sink->headers.size() < 64) sink->headers[key] = std::string(value);
  return n;
}

struct EasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

long ms(std::chrono::milliseconds d) {
  return static_cast<long>(std::max<std::int64_t>(1, d.count()));
}

}  // namespace

Result<HttpResponse> http_fetch(const HttpRequest& request) {
  using namespace std::chrono;
  global_init();

  const auto remaining = ceil<milliseconds>(request.deadline - steady_clock::now());
  if (remaining <= milliseconds(0)) return make_error("no time left for the request");
  const auto connect_timeout = std::min(request.connect_timeout, remaining);

  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return make_error("cannot create an HTTP client");
  CURL* h = curl.get();

  std::unique_ptr<curl_slist, ListDeleter> headers;
  for (const auto& header : request.headers) {
    curl_slist* next = curl_slist_append(headers.get(), header.c_str());
    if (!next) return make_error("out of memory");
    (void)headers.release();  // `next` heads the same list
    headers.reset(next);
  }
  // No "Expect: 100-continue", and no form content type on the empty PUT body.
  for (const char* header : {"Expect:", "Content-Type:"}) {
    curl_slist* next = curl_slist_append(headers.get(), header);
    if (!next) return make_error("out of memory");
    (void)headers.release();
    headers.reset(next);
  }

  Sink sink;
  sink.max_body = request.max_body;
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms(connect_timeout));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms(remaining));
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "mirror/" MIRROR_VERSION);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!request.ca_file.empty()) {
    curl_easy_setopt(h, CURLOPT_CAINFO, request.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
  }
  if (request.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
  } else if (request.method != "GET") {
    return make_error("unsupported method");
  }

  const CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    if (sink.too_large) {
      return make_error("answer larger than " + std::to_string(request.max_body) + " bytes");
    }
    switch (rc) {
      case CURLE_OPERATION_TIMEDOUT: {
        curl_off_t connected_us = 0;
        curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connected_us);
        if (connected_us == 0 && connect_timeout < remaining) {
          return make_error("connect timeout after " + std::to_string(connect_timeout.count()) +
                            " ms");
        }
        const auto budget = request.budget.count() > 0 ? request.budget : remaining;
        return make_error("no answer within " + std::to_string(budget.count()) + " ms");
      }
      case CURLE_COULDNT_CONNECT:
        return make_error("cannot connect (connection refused or unreachable)");
      case CURLE_COULDNT_RESOLVE_HOST:
        return make_error("cannot resolve the host name");
      case CURLE_PEER_FAILED_VERIFICATION:
        return make_error("TLS: the server certificate does not verify against the CA");
      case CURLE_SSL_CACERT_BADFILE:
        return make_error("TLS: cannot read the CA certificate file");
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
        return make_error("invalid endpoint URL");
      default: {
        std::string detail = errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
        while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r'))
          detail.pop_back();
        return make_error(detail);
      }
    }
  }

  HttpResponse response;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  if (response.status < 200 || response.status > 299) {
    return make_error("HTTP " + std::to_string(response.status), static_cast<int>(response.status));
  }
  response.body = std::move(sink.body);
  response.headers = std::move(sink.headers);
  return response;
}

}  // namespace mirror::az::detail
