#include "mirror/http/auth.h"

#include <cctype>
#include <cstddef>
#include <utility>

namespace mirror::http {
namespace {

Response refusal(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// The credentials of "Bearer <credentials>", or nullopt when the header is not of that form.
std::optional<std::string_view> bearer_credentials(std::string_view header) {
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return std::nullopt;
  }
  std::string_view rest = header.substr(kScheme.size());
  if (!is_blank(rest.front())) return std::nullopt;
  while (!rest.empty() && is_blank(rest.front())) rest.remove_prefix(1);
  while (!rest.empty() && is_blank(rest.back())) rest.remove_suffix(1);
  if (rest.empty()) return std::nullopt;
  for (char c : rest) {
    if (is_blank(c)) return std::nullopt;  // one token68, no parameters
  }
  return rest;
}

}  // namespace

bool constant_time_equal(std::string_view secret, std::string_view presented) {
  // Walks the presented value once, comparing it with the secret repeated (the secret's bytes are
  // read at i % size, so neither its length nor its content changes the work done); any
  // difference, the length's included, sets bits of `diff` without a branch on the data.
  if (secret.empty()) return presented.empty();  // nothing to compare (no secret to leak)
  std::size_t diff = secret.size() ^ presented.size();
  for (std::size_t i = 0; i < presented.size(); ++i) {
    diff |= static_cast<std::size_t>(static_cast<unsigned char>(presented[i]) ^
                                     static_cast<unsigned char>(secret[i % secret.size()]));
  }
  return diff == 0;
}

std::optional<Response> check_admin(std::string_view token, std::string_view authorization) {
  if (token.empty()) {
    return refusal(403,
                   "admin requests are disabled: http.admin_token is not set in the "
                   "configuration\n");
  }
  const auto credentials = bearer_credentials(authorization);
  if (!credentials) {
    Response r = refusal(401,
                         "admin request without credentials: send the header "
                         "'Authorization: Bearer <http.admin_token>'\n");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"mirror\"");
    return r;
  }
  if (!constant_time_equal(token, *credentials)) {
    return refusal(403, "admin request refused: the bearer token is not http.admin_token\n");
  }
  return std::nullopt;
}

Handler admin_only(std::function<std::string()> token, Handler handler) {
  return [token = std::move(token), handler = std::move(handler)](const Request& request) {
    const std::string configured = token ? token() : std::string();
    if (auto refused = check_admin(configured, request.authorization)) return std::move(*refused);
    return handler(request);
  };
}

std::vector<Route> flow_control_routes(const std::function<std::string()>& token,
                                       const FlowControl& control) {
  std::vector<Route> routes;
  for (const bool pause : {true, false}) {
    routes.push_back(Route{"POST", pause ? "/flows/{flow}/pause" : "/flows/{flow}/resume",
                           admin_only(token, [control, pause](const Request& request) {
                             return control(request.params.at("flow"), pause);
                           })});
  }
  return routes;
}

}  // namespace mirror::http
