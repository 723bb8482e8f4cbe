// The status page served at "/" on the HTTP port: one self-contained HTML document (inline style
// and script, no external assets; the response's Content-Security-Policy forbids any) that polls
// /flows every two seconds and renders it: per flow its state and fetch mode, per partition its
// leader, the broker it is read from and that broker's rack, lag and records per second (from the
// difference of `replicated` between two polls). Every value from /flows is set as text, never
// parsed as HTML.
#pragma once

#include <string_view>

namespace mirror::service {

std::string_view status_page_html();

// The Content-Security-Policy sent with it: nothing from elsewhere, requests only to this origin.
constexpr std::string_view kStatusPagePolicy =
    "default-src 'none'; connect-src 'self'; script-src 'unsafe-inline'; style-src "
    "'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

}  // namespace mirror::service
