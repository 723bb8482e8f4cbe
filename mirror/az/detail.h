// Internal helpers of the AZ sources, exposed for the tests.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "mirror/az/resolver.h"
#include "mirror/common/result.h"

namespace mirror::az::detail {

// Without leading/trailing spaces, tabs, CR and LF.
std::string trim(std::string_view text);

// At most max_len characters of text for an error message, quoted: anything outside
// [A-Za-z0-9._:/-] becomes '?', and "..." marks a cut.
std::string sanitized_prefix(std::string_view text, std::size_t max_len = 24);

// options.env, or std::getenv; an empty value counts as unset.
std::optional<std::string> env_value(const Options& options, const std::string& name);

// Up to max_bytes of a file ("<path>: No such file or directory" and the like on error).
Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes);

// "projects/123/zones/us-central1-a" -> "us-central1-a"; nullopt for anything else.
std::optional<std::string> parse_gcp_zone(std::string_view answer);

// "https://HOST:PORT" with an IPv6 HOST bracketed; nullopt when host or port is unusable.
std::optional<std::string> kubernetes_base_url(std::string_view host, std::string_view port);

// An http:// or https:// URL (host, optional port and path prefix; no query, fragment or
// user info) with any trailing '/' removed; nullopt otherwise.
std::optional<std::string> endpoint_base(std::string_view url);

}  // namespace mirror::az::detail
