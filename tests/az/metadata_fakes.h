// Handlers for FakeHttpServer that behave like the cloud metadata services as far as the AZ
// sources use them, and reject requests without the headers/method the real ones require.
#pragma once

#include <string>

#include "tests/az/fake_http.h"

namespace mirror::az::testing {

inline bool has_query(const std::string& target, const std::string& item) {
  auto q = target.find('?');
  if (q == std::string::npos) return false;
  std::string query = "&" + target.substr(q + 1) + "&";
  return query.find("&" + item + "&") != std::string::npos;
}

inline std::string path_of(const std::string& target) {
  return target.substr(0, target.find('?'));
}

// AWS IMDSv2: PUT /latest/api/token with a TTL header gives a token; metadata GETs need it.
struct AwsImdsFake {
  std::string token = "imds-token-SECRET-4f9a";
  std::string zone_id = "use1-az1";
  std::string zone_name = "us-east-1a";
  bool zone_id_not_found = false;
  std::string accept_token;  // when set, the token GETs must carry (else `token`)

  FakeResponse operator()(const FakeRequest& r) const {
    if (r.has_header("x-forwarded-for")) return FakeResponse::text(403, "Forbidden");
    const std::string path = path_of(r.target);
    if (path == "/latest/api/token") {
      if (r.method != "PUT") return FakeResponse::text(405, "Method Not Allowed");
      const std::string ttl = r.header("x-aws-ec2-metadata-token-ttl-seconds");
      if (ttl.empty()) return FakeResponse::text(400, "Bad Request");
      int seconds = std::atoi(ttl.c_str());
      if (seconds < 1 || seconds > 21600) return FakeResponse::text(400, "Bad Request");
      return FakeResponse::text(200, token);
    }
    if (r.method != "GET") return FakeResponse::text(405, "Method Not Allowed");
    const std::string expected = accept_token.empty() ? token : accept_token;
    if (r.header("x-aws-ec2-metadata-token") != expected)
      return FakeResponse::text(401, "Unauthorized");
    if (path == "/latest/meta-data/placement/availability-zone-id") {
      if (zone_id_not_found) return FakeResponse::text(404, "Not Found");
      return FakeResponse::text(200, zone_id);
    }
    if (path == "/latest/meta-data/placement/availability-zone")
      return FakeResponse::text(200, zone_name);
    return FakeResponse::text(404, "Not Found");
  }
};

// GCE metadata server: GET with Metadata-Flavor: Google; answers carry the same header.
struct GcpMetadataFake {
  std::string answer = "projects/123456789012/zones/us-central1-b";
  bool flavor_in_answer = true;

  FakeResponse operator()(const FakeRequest& r) const {
    if (r.has_header("x-forwarded-for")) return FakeResponse::text(403, "Forbidden");
    if (r.header("metadata-flavor") != "Google") {
      return FakeResponse::text(403, "Missing Metadata-Flavor:Google header.");
    }
    if (r.method != "GET") return FakeResponse::text(405, "Method Not Allowed");
    if (path_of(r.target) != "/computeMetadata/v1/instance/zone")
      return FakeResponse::text(404, "Not Found");
    FakeResponse response = FakeResponse::text(200, answer);
    response.headers.push_back({"Content-Type", "application/text"});
    if (flavor_in_answer) response.headers.push_back({"Metadata-Flavor", "Google"});
    return response;
  }
};

// Azure IMDS: GET with Metadata: true and an api-version; format=text gives plain values.
struct AzureImdsFake {
  std::string location = "westeurope";
  std::string zone = "2";

  FakeResponse operator()(const FakeRequest& r) const {
    if (r.has_header("x-forwarded-for")) return FakeResponse::text(403, "Forbidden");
    if (r.header("metadata") != "true") {
      return FakeResponse::text(
          400, "{\"error\":\"Bad request. Required metadata header not specified\"}");
    }
    if (r.method != "GET") return FakeResponse::text(405, "Method Not Allowed");
    if (!has_query(r.target, "api-version=2021-02-01")) {
      return FakeResponse::text(400, "{\"error\":\"Bad request. api-version was not specified\"}");
    }
    if (!has_query(r.target, "format=text")) return FakeResponse::text(200, "\"json, not text\"");
    const std::string path = path_of(r.target);
    if (path == "/metadata/instance/compute/location") return FakeResponse::text(200, location);
    if (path == "/metadata/instance/compute/zone") return FakeResponse::text(200, zone);
    return FakeResponse::text(404, "Not Found");
  }
};

}  // namespace mirror::az::testing
