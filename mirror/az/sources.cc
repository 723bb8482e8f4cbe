// The six AZ sources. Each one bounds everything it does by Options::total_timeout, and its error
// messages never hold a credential (the service-account token, the IMDSv2 token).
#include <algorithm>
#include <nlohmann/json.hpp>

#include "mirror/az/detail.h"
#include "mirror/az/http.h"
#include "mirror/az/resolver.h"

namespace mirror::az {
namespace {

using detail::env_value;
using detail::http_fetch;
using detail::HttpRequest;
using detail::sanitized_prefix;
using detail::trim;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxMetadataAnswer = std::size_t{64} * 1024;
constexpr std::size_t kMaxNodeAnswer =
    std::size_t{1024} * 1024;  // a Node object with many images is large

Error fail(std::string message) {
  return make_error(std::move(message));
}

// A literal value (env, file): the same string as zone id and name.
Result<Zone> literal_zone(const std::string& value, const std::string& where) {
  if (!is_valid_zone(value)) {
    return fail(where + " is not a valid availability zone: " + sanitized_prefix(value));
  }
  return Zone{value, value};
}

HttpRequest request_for(const Options& options, Clock::time_point deadline, std::string url) {
  HttpRequest request;
  request.url = std::move(url);
  request.connect_timeout = options.connect_timeout;
  request.deadline = deadline;
  request.budget = options.total_timeout;
  request.max_body = kMaxMetadataAnswer;
  return request;
}

// ---- env -------------------------------------------------------------------------------------

class EnvSource : public Source {
 public:
  std::string name() const override { return "env"; }
  Result<Zone> lookup(const Options& options) override {
    auto value = env_value(options, "MIRROR_AVAILABILITY_ZONE");
    if (!value) return fail("MIRROR_AVAILABILITY_ZONE is not set");
    std::string zone = trim(*value);
    if (zone.empty()) return fail("MIRROR_AVAILABILITY_ZONE is empty");
    return literal_zone(zone, "MIRROR_AVAILABILITY_ZONE");
  }
};

// ---- file ------------------------------------------------------------------------------------

class FileSource : public Source {
 public:
  std::string name() const override { return "file"; }
  Result<Zone> lookup(const Options& options) override {
    std::string path = "/etc/mirror/availability-zone";
    if (auto configured = env_value(options, "MIRROR_AVAILABILITY_ZONE_FILE")) {
      std::string trimmed = trim(*configured);
      if (!trimmed.empty()) path = trimmed;
    }
    auto content = detail::read_small_file(path, 4096);
    if (!content.ok()) return content.error();
    std::string_view text = *content;
    text = text.substr(0, text.find('\n'));
    std::string zone = trim(text);
    if (zone.empty()) return fail(path + ": empty first line");
    return literal_zone(zone, path);
  }
};

// ---- kubernetes ------------------------------------------------------------------------------

bool valid_node_name(std::string_view name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.front() == '-') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// A bearer token goes into a header: visible ASCII only.
bool valid_token(std::string_view token) {
  if (token.empty() || token.size() > std::size_t{16} * 1024) return false;
  for (char c : token) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

class KubernetesSource : public Source {
 public:
  std::string name() const override { return "kubernetes"; }
  Result<Zone> lookup(const Options& options) override {
    const auto deadline = Clock::now() + options.total_timeout;
    auto host = env_value(options, "KUBERNETES_SERVICE_HOST");
    if (!host) return fail("not in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set)");
    std::string port = trim(env_value(options, "KUBERNETES_SERVICE_PORT").value_or("443"));
    auto base = detail::kubernetes_base_url(trim(*host), port);
    if (!base)
      return fail("KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT do not form a usable address");

    auto node = env_value(options, "NODE_NAME");
    if (!node) return fail("NODE_NAME is not set (pass spec.nodeName through the downward API)");
    std::string node_name = trim(*node);
    if (!valid_node_name(node_name))
      return fail("NODE_NAME is not a valid node name: " + sanitized_prefix(node_name));

    std::string dir = "/var/run/secrets/kubernetes.io/serviceaccount";
    if (auto configured = env_value(options, "MIRROR_K8S_SERVICEACCOUNT_DIR"))
      dir = trim(*configured);
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();

    auto token_file = detail::read_small_file(dir + "/token", std::size_t{64} * 1024);
    if (!token_file.ok())
      return fail("cannot read the service-account token: " + token_file.error().message);
    std::string token = trim(*token_file);
    if (!valid_token(token))
      return fail("the service-account token file " + dir + "/token holds no usable token");
    const std::string ca_file = dir + "/ca.crt";
    if (auto probe = detail::read_small_file(ca_file, 1); !probe.ok()) {
      return fail("cannot read the cluster CA: " + probe.error().message);
    }

    HttpRequest request = request_for(options, deadline, *base + "/api/v1/nodes/" + node_name);
    request.ca_file = ca_file;
    request.max_body = kMaxNodeAnswer;
    // Only the metadata when the server can (PartialObjectMetadata), else the full Node.
    request.headers = {
        "Authorization: Bearer " + token,
        "Accept: application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"};
    auto response = http_fetch(request);
    if (!response.ok()) {
      const Error& e = response.error();
      switch (e.code) {
        case 401:
          return fail("HTTP 401 from the API server: the service-account token was not accepted");
        case 403:
          return fail(
              "HTTP 403 from the API server: the service account may not get nodes "
              "(grant a ClusterRole with get on nodes)");
        case 404:
          return fail("HTTP 404 from the API server: no node " + sanitized_prefix(node_name, 64));
        default:
          return fail("API server: " + e.message);
      }
    }

    auto json = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object())
      return fail("invalid answer from the API server (not a JSON object)");
    auto metadata = json.find("metadata");
    if (metadata == json.end() || !metadata->is_object())
      return fail("invalid answer from the API server (no metadata)");
    auto labels = metadata->find("labels");
    for (const char* key :
         {"topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"}) {
      if (labels == metadata->end() || !labels->is_object()) break;
      auto label = labels->find(key);
      if (label == labels->end()) continue;
      if (!label->is_string())
        return fail(std::string("invalid answer: label ") + key + " is not a string");
      std::string value = trim(label->get<std::string>());
      if (value.empty()) continue;
      if (!is_valid_zone(value)) {
        return fail(std::string("invalid answer: label ") + key + " is " + sanitized_prefix(value));
      }
      // On AWS the zone label is the AZ name; cloud-provider-aws also labels nodes with the AZ id.
      std::string id = value;
      if (auto zone_id = labels->find("topology.k8s.aws/zone-id");
          zone_id != labels->end() && zone_id->is_string()) {
        std::string text = trim(zone_id->get<std::string>());
        if (is_valid_zone(text)) id = text;
      }
      return Zone{id, value};
    }
    return fail("node " + sanitized_prefix(node_name, 64) +
                " has no topology.kubernetes.io/zone label");
  }
};

// ---- aws -------------------------------------------------------------------------------------

class AwsSource : public Source {
 public:
  std::string name() const override { return "aws"; }
  Result<Zone> lookup(const Options& options) override {
    const auto deadline = Clock::now() + options.total_timeout;
    std::string endpoint = "http://169.254.169.254";
    if (auto configured = env_value(options, "AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
      auto base = detail::endpoint_base(trim(*configured));
      if (!base) return fail("AWS_EC2_METADATA_SERVICE_ENDPOINT is not an http:// URL");
      endpoint = *base;
    }

    HttpRequest put = request_for(options, deadline, endpoint + "/latest/api/token");
    put.method = "PUT";
    put.headers = {"X-aws-ec2-metadata-token-ttl-seconds: 60"};
    put.max_body = 4096;
    auto token_answer = http_fetch(put);
    if (!token_answer.ok()) {
      std::string message = "IMDSv2 token request: " + token_answer.error().message;
      if (message.find("no answer within") != std::string::npos) {
        message += " (from a pod, the instance needs an IMDS hop limit >= 2)";
      }
      return fail(message);
    }
    std::string token = trim(token_answer->body);
    if (!valid_token(token)) return fail("IMDSv2 token request: invalid answer");

    const std::string token_header = "X-aws-ec2-metadata-token: " + token;
    auto get = [&](const std::string& leaf) -> Result<std::optional<std::string>> {
      HttpRequest request =
          request_for(options, deadline, endpoint + "/latest/meta-data/placement/" + leaf);
      request.headers = {token_header};
      auto response = http_fetch(request);
      if (!response.ok()) {
        if (response.error().code == 404) return std::optional<std::string>();
        return fail("placement/" + leaf + ": " + response.error().message);
      }
      std::string value = trim(response->body);
      if (!is_valid_zone(value))
        return fail("invalid answer for placement/" + leaf + ": " + sanitized_prefix(value));
      return std::optional<std::string>(value);
    };

    auto id = get("availability-zone-id");
    if (!id.ok()) return id.error();
    auto name = get("availability-zone");
    if (!name.ok()) return name.error();
    if (!*id && !*name)
      return fail("HTTP 404 for placement/availability-zone-id and placement/availability-zone");
    return Zone{id->value_or(""), name->value_or("")};
  }
};

// ---- gcp -------------------------------------------------------------------------------------

bool valid_host_port(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

class GcpSource : public Source {
 public:
  std::string name() const override { return "gcp"; }
  Result<Zone> lookup(const Options& options) override {
    const auto deadline = Clock::now() + options.total_timeout;
    std::string host = "metadata.google.internal";
    if (auto configured = env_value(options, "GCE_METADATA_HOST")) {
      host = trim(*configured);
      if (!valid_host_port(host)) return fail("GCE_METADATA_HOST is not a host[:port]");
    }
    HttpRequest request =
        request_for(options, deadline, "http://" + host + "/computeMetadata/v1/instance/zone");
    request.headers = {"Metadata-Flavor: Google"};
    auto response = http_fetch(request);
    if (!response.ok()) return fail("metadata server: " + response.error().message);
    auto flavor = response->headers.find("metadata-flavor");
    if (flavor == response->headers.end() || flavor->second != "Google") {
      return fail("the answer is not from a GCE metadata server (no Metadata-Flavor: Google)");
    }
    std::string answer = trim(response->body);
    auto zone = detail::parse_gcp_zone(answer);
    if (!zone) return fail("invalid answer: " + sanitized_prefix(answer, 40));
    return Zone{*zone, *zone};
  }
};

// ---- azure -----------------------------------------------------------------------------------

class AzureSource : public Source {
 public:
  std::string name() const override { return "azure"; }
  Result<Zone> lookup(const Options& options) override {
    const auto deadline = Clock::now() + options.total_timeout;
    std::string endpoint = "http://169.254.169.254";
    if (auto configured = env_value(options, "MIRROR_AZURE_IMDS_ENDPOINT")) {
      auto base = detail::endpoint_base(trim(*configured));
      if (!base) return fail("MIRROR_AZURE_IMDS_ENDPOINT is not an http:// URL");
      endpoint = *base;
    }
    auto get = [&](const std::string& leaf) -> Result<std::string> {
      HttpRequest request = request_for(
          options, deadline,
          endpoint + "/metadata/instance/compute/" + leaf + "?api-version=2021-02-01&format=text");
      request.headers = {"Metadata: true"};
      auto response = http_fetch(request);
      if (!response.ok()) return fail("compute/" + leaf + ": " + response.error().message);
      return trim(response->body);
    };
    auto zone = get("zone");
    if (!zone.ok()) return zone.error();
    if (zone->empty()) return fail("the VM is not in an availability zone (compute/zone is empty)");
    if (!is_valid_zone(*zone))
      return fail("invalid answer for compute/zone: " + sanitized_prefix(*zone));
    auto location = get("location");
    if (!location.ok()) return location.error();
    if (!is_valid_zone(*location)) {
      return fail("invalid answer for compute/location: " + sanitized_prefix(*location));
    }
    std::string value = *location + "-" + *zone;
    if (!is_valid_zone(value)) return fail("invalid answer: " + sanitized_prefix(value));
    return Zone{value, value};
  }
};

}  // namespace

const std::vector<std::string>& source_names() {
  static const std::vector<std::string> names{"env", "file", "kubernetes", "aws", "gcp", "azure"};
  return names;
}

std::unique_ptr<Source> make_source(const std::string& name) {
  if (name == "env") return std::make_unique<EnvSource>();
  if (name == "file") return std::make_unique<FileSource>();
  if (name == "kubernetes") return std::make_unique<KubernetesSource>();
  if (name == "aws") return std::make_unique<AwsSource>();
  if (name == "gcp") return std::make_unique<GcpSource>();
  if (name == "azure") return std::make_unique<AzureSource>();
  return nullptr;
}

}  // namespace mirror::az
