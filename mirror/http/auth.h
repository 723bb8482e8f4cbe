// The admin check of the HTTP port's state-changing routes (POST /flows/<name>/pause|resume):
// `Authorization: Bearer <http.admin_token>`.
//
// The token is a secret: nothing here logs it, and no response or error contains it (nor the
// credentials a client sent).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mirror/http/server.h"

namespace mirror::http {

// nullopt when `authorization` (an Authorization header's value) carries `token`; else the
// refusal to send:
// - no token configured (empty): 403, admin requests are disabled (http.admin_token is unset);
// - no Authorization header, or not "Bearer <credentials>" (scheme case-insensitive): 401 with
//   `WWW-Authenticate: Bearer realm="mirror"`;
// - other credentials: 403.
// The comparison takes the same time whatever the two values hold: it depends only on the length
// of what the client sent, never on where the values differ nor on the token's length.
std::optional<Response> check_admin(std::string_view token, std::string_view authorization);

// True when a and b are equal, in time that depends on b's length only (a is the secret; a may
// be empty).
bool constant_time_equal(std::string_view secret, std::string_view presented);

// `handler` behind check_admin. `token` is asked on every request (the configured token may
// change with a reload); it runs on the server thread and must guard what it shares.
Handler admin_only(std::function<std::string()> token, Handler handler);

// Does what POST /flows/<flow>/pause (pause = true) or /resume asks, and says how it went: 200
// (done, or already so), 404 (no such flow), 409 (the flow's state does not allow it), ...
using FlowControl = std::function<Response(const std::string& flow, bool pause)>;

// The routes POST /flows/{flow}/pause and POST /flows/{flow}/resume, both behind admin_only(token).
std::vector<Route> flow_control_routes(const std::function<std::string()>& token,
                                       const FlowControl& control);

}  // namespace mirror::http
