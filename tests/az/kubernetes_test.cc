// The kubernetes source against a fake API server over TLS (tests/az/fake_k8s_api.py), with a CA
// generated at test time; and the whole-resolve budget when every network source hangs.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "mirror/az/resolver.h"
#include "mirror_source_dir.h"  // MIRROR_SOURCE_DIR (generated)
#include "tests/az/fake_http.h"

namespace mirror::az {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::ChildProcess;
using testing::TempDir;

const std::string kScript = std::string(MIRROR_SOURCE_DIR) + "/tests/az/fake_k8s_api.py";
const std::string kToken = "k8s-token-SECRET-0b1c2d3e";
constexpr int kNoServer = 9;  // for lookups that fail before connecting

class Kubernetes : public ::testing::Test {
 protected:
  // Certificates with the openssl CLI: a CA, a server certificate it signed for 127.0.0.1, ::1
  // and localhost, and an unrelated CA.
  static void SetUpTestSuite() {
    certs_ = new TempDir;
    certs_->write("server.ext",
                  "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n"
                  "extendedKeyUsage=serverAuth\n");
    const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt",
                                         "ec_paramgen_curve:prime256v1", "-nodes"};
    auto openssl = [&](std::vector<std::string> args, bool with_key) {
      args.insert(args.begin(), "openssl");
      if (with_key) args.insert(args.begin() + 2, ec.begin(), ec.end());
      return testing::run_command(args) == 0;
    };
    bool ok = openssl({"req", "-x509", "-keyout", cert("ca.key"), "-out", cert("ca.crt"), "-days",
                       "2", "-subj", "/CN=mirror-test-ca"},
                      true) &&
              openssl({"req", "-x509", "-keyout", cert("other-ca.key"), "-out",
                       cert("other-ca.crt"), "-days", "2", "-subj", "/CN=mirror-other-ca"},
                      true) &&
              openssl({"req", "-keyout", cert("server.key"), "-out", cert("server.csr"), "-subj",
                       "/CN=kube-apiserver"},
                      true) &&
              openssl({"x509", "-req", "-in", cert("server.csr"), "-CA", cert("ca.crt"), "-CAkey",
                       cert("ca.key"), "-CAcreateserial", "-out", cert("server.crt"), "-days", "2",
                       "-extfile", cert("server.ext")},
                      false);
    if (!ok) {
      setup_error_ = "could not make test certificates with the openssl CLI";
      return;
    }
    account_ = new TempDir;
    account_->write("token", kToken + "\n");
    std::filesystem::copy_file(cert("ca.crt"), account_->path() + "/ca.crt");
  }
  static void TearDownTestSuite() {
    delete server_;
    delete account_;
    delete certs_;
    server_ = nullptr;
    account_ = nullptr;
    certs_ = nullptr;
  }
  void SetUp() override {
    if (!setup_error_.empty()) GTEST_FAIL() << setup_error_;
  }

  // The fake API server, started on first use (python startup is the slow part of this suite).
  static int port() {
    if (!server_) {
      server_ =
          new ChildProcess({"python3", kScript, cert("server.crt"), cert("server.key"), kToken});
      auto line = server_->first_line(20s);
      if (line && !line->empty()) port_ = std::stoi(*line);
    }
    EXPECT_NE(port_, 0) << "the fake API server did not start";
    return port_;
  }

  static std::string cert(const std::string& name) { return certs_->path() + "/" + name; }

  // The pod environment; api_port 0: the fake API server's (started if need be).
  static std::map<std::string, std::string> env(const std::string& node,
                                                const std::string& account_dir = "",
                                                const std::string& host = "127.0.0.1",
                                                int api_port = 0) {
    return {
        {"KUBERNETES_SERVICE_HOST", host},
        {"KUBERNETES_SERVICE_PORT", std::to_string(api_port ? api_port : port())},
        {"NODE_NAME", node},
        {"MIRROR_K8S_SERVICEACCOUNT_DIR", account_dir.empty() ? account_->path() : account_dir}};
  }

  static Result<Zone> lookup(std::map<std::string, std::string> values,
                             std::chrono::milliseconds total = 2000ms) {
    Options options;
    options.connect_timeout = 500ms;
    options.total_timeout = total;
    options.env = testing::env_from(std::move(values));
    return make_source("kubernetes")->lookup(options);
  }

  static std::string failure(const Result<Zone>& result) {
    EXPECT_FALSE(result.ok());
    if (result.ok()) return "";
    const std::string& m = result.error().message;
    EXPECT_EQ(m.find(kToken), std::string::npos) << "the token leaked";
    EXPECT_EQ(m.find("SECRET"), std::string::npos) << m;
    return m;
  }

  static inline TempDir* certs_ = nullptr;
  static inline TempDir* account_ = nullptr;
  static inline ChildProcess* server_ = nullptr;
  static inline int port_ = 0;
  static inline std::string setup_error_;
};

TEST_F(Kubernetes, AnswersTheNodeZoneLabel) {
  config::NodeSpec node;
  node.availability_zone_sources = {"kubernetes"};
  Options options;
  options.env = testing::env_from(env("node-a"));
  Resolution r = resolve(node, std::nullopt, options);
  ASSERT_TRUE(r.zone) << (r.failures.empty() ? "" : r.failures[0]);
  EXPECT_EQ(r.zone->id, "zone-a");
  EXPECT_EQ(r.zone->name, "zone-a");
  EXPECT_EQ(r.source, "kubernetes");
}

TEST_F(Kubernetes, FallsBackToTheLegacyLabelAndPrefersTheCurrentOne) {
  auto legacy = lookup(env("node-legacy"));
  ASSERT_TRUE(legacy.ok()) << legacy.error().message;
  EXPECT_EQ(legacy->id, "zone-legacy");
  auto both = lookup(env("node-both"));
  ASSERT_TRUE(both.ok()) << both.error().message;
  EXPECT_EQ(both->id, "zone-new");
}

TEST_F(Kubernetes, AwsNodeZoneIdLabelGivesTheZoneId) {
  auto zone = lookup(env("node-eks"));
  ASSERT_TRUE(zone.ok()) << zone.error().message;
  EXPECT_EQ(zone->id, "use1-az1");
  EXPECT_EQ(zone->name, "us-east-1a");
  EXPECT_EQ(rack_for(*zone, config::RackIdFormat::ZoneId), "use1-az1");
  EXPECT_EQ(rack_for(*zone, config::RackIdFormat::ZoneName), "us-east-1a");
}

TEST_F(Kubernetes, NodeWithoutZoneLabel) {
  EXPECT_EQ(failure(lookup(env("node-nolabel"))),
            "node \"node-nolabel\" has no topology.kubernetes.io/zone label");
}

TEST_F(Kubernetes, InvalidLabelValueAndGarbageAnswer) {
  std::string bad = failure(lookup(env("node-badlabel")));
  EXPECT_EQ(bad.rfind("invalid answer: label topology.kubernetes.io/zone is \"zone?a??", 0), 0u)
      << bad;
  EXPECT_EQ(bad.find('$'), std::string::npos);
  EXPECT_EQ(failure(lookup(env("node-garbage"))),
            "invalid answer from the API server (not a JSON object)");
}

TEST_F(Kubernetes, WrongTokenIsRefusedAndNotEchoed) {
  TempDir account;
  account.write("token", "wrong-token-SECRET");
  std::filesystem::copy_file(cert("ca.crt"), account.path() + "/ca.crt");
  std::string m = failure(lookup(env("node-a", account.path())));
  EXPECT_EQ(m, "HTTP 401 from the API server: the service-account token was not accepted");
}

TEST_F(Kubernetes, ForbiddenUnknownNodeAndServerError) {
  EXPECT_NE(failure(lookup(env("node-forbidden")))
                .find("HTTP 403 from the API server: the service account may not get nodes"),
            std::string::npos);
  EXPECT_EQ(failure(lookup(env("node-unknown"))),
            "HTTP 404 from the API server: no node \"node-unknown\"");
  EXPECT_EQ(failure(lookup(env("node-error"))), "API server: HTTP 500");
}

TEST_F(Kubernetes, OversizedAnswer) {
  EXPECT_EQ(failure(lookup(env("node-big"))), "API server: answer larger than 1048576 bytes");
}

TEST_F(Kubernetes, ServerCertificateMustVerifyAgainstTheAccountCA) {
  TempDir account;
  account.write("token", kToken);
  std::filesystem::copy_file(cert("other-ca.crt"), account.path() + "/ca.crt");
  EXPECT_EQ(failure(lookup(env("node-a", account.path()))),
            "API server: TLS: the server certificate does not verify against the CA");
}

TEST_F(Kubernetes, HangingServerGivesUpWithinTheBudget) {
  auto start = Clock::now();
  std::string m = failure(lookup(env("node-hang"), 700ms));
  auto elapsed = Clock::now() - start;
  EXPECT_EQ(m.rfind("API server: no answer within", 0), 0u) << m;
  EXPECT_GE(elapsed, 650ms);
  EXPECT_LT(elapsed, 2500ms);
}

TEST_F(Kubernetes, MissingPieces) {
  auto values = env("node-a", "", "127.0.0.1", kNoServer);
  values.erase("KUBERNETES_SERVICE_HOST");
  EXPECT_EQ(failure(lookup(values)),
            "not in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set)");

  values = env("node-a", "", "127.0.0.1", kNoServer);
  values.erase("NODE_NAME");
  EXPECT_EQ(failure(lookup(values)),
            "NODE_NAME is not set (pass spec.nodeName through the downward API)");

  EXPECT_EQ(failure(lookup(env("../../api/v1/secrets", "", "127.0.0.1", kNoServer)))
                .rfind("NODE_NAME is not a valid node name", 0),
            0u);

  values = env("node-a", "", "127.0.0.1", kNoServer);
  values["KUBERNETES_SERVICE_PORT"] = "https";
  EXPECT_EQ(failure(lookup(values)),
            "KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT do not form a usable address");

  TempDir empty_account;
  EXPECT_EQ(failure(lookup(env("node-a", empty_account.path(), "127.0.0.1", kNoServer))),
            "cannot read the service-account token: " + empty_account.path() +
                "/token: No such file or directory");

  empty_account.write("token", kToken);
  EXPECT_EQ(
      failure(lookup(env("node-a", empty_account.path(), "127.0.0.1", kNoServer))),
      "cannot read the cluster CA: " + empty_account.path() + "/ca.crt: No such file or directory");

  empty_account.write("token", "   \n");
  EXPECT_EQ(
      failure(lookup(env("node-a", empty_account.path(), "127.0.0.1", kNoServer))),
      "the service-account token file " + empty_account.path() + "/token holds no usable token");
}

TEST_F(Kubernetes, DefaultServiceAccountFolder) {
  if (std::filesystem::exists("/var/run/secrets/kubernetes.io/serviceaccount/token"))
    GTEST_SKIP() << "in a pod";
  auto values = env("node-a", "", "127.0.0.1", kNoServer);
  values.erase("MIRROR_K8S_SERVICEACCOUNT_DIR");
  EXPECT_EQ(failure(lookup(values)),
            "cannot read the service-account token: "
            "/var/run/secrets/kubernetes.io/serviceaccount/token: No such file "
            "or directory");
}

TEST_F(Kubernetes, IPv6ServiceHostIsBracketed) {
  ChildProcess v6({"python3", kScript, cert("server.crt"), cert("server.key"), kToken, "::1"});
  auto line = v6.first_line(15s);
  if (!line || line->empty()) GTEST_SKIP() << "no IPv6 loopback here";
  auto zone = lookup(env("node-a", "", "::1", std::stoi(*line)));
  ASSERT_TRUE(zone.ok()) << zone.error().message;
  EXPECT_EQ(zone->id, "zone-a");
}

// Every network source hangs: resolve tries them in order, each bounded by total_timeout.
TEST_F(Kubernetes, ResolveGivesUpInTimeWhenEverySourceHangs) {
  testing::FakeHttpServer hang(
      [](const testing::FakeRequest&) { return testing::FakeResponse::hanging(); });
  testing::SilentListener silent;
  auto values = env("node-hang");
  values["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = hang.url();
  values["GCE_METADATA_HOST"] = "127.0.0.1:" + std::to_string(silent.port());
  values["MIRROR_AZURE_IMDS_ENDPOINT"] = hang.url();
  Options options;
  options.connect_timeout = 250ms;
  options.total_timeout = 500ms;
  options.env = testing::env_from(values);
  config::NodeSpec node;  // the default order: env, file, kubernetes, aws, gcp, azure
  values["MIRROR_AVAILABILITY_ZONE_FILE"] = "/nonexistent/az";
  options.env = testing::env_from(values);

  auto start = Clock::now();
  Resolution r = resolve(node, std::nullopt, options);
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  std::cout << "[ timing  ] resolve with 4 hanging network sources, 500 ms each: "
            << elapsed.count() << " ms\n";

  EXPECT_FALSE(r.zone);
  ASSERT_EQ(r.failures.size(), 6u);
  EXPECT_EQ(r.failures[0], "env: MIRROR_AVAILABILITY_ZONE is not set");
  EXPECT_EQ(r.failures[1], "file: /nonexistent/az: No such file or directory");
  EXPECT_EQ(r.failures[2], "kubernetes: API server: no answer within 500 ms");
  EXPECT_EQ(r.failures[3],
            "aws: IMDSv2 token request: no answer within 500 ms "
            "(from a pod, the instance needs an IMDS hop limit >= 2)");
  EXPECT_EQ(r.failures[4], "gcp: metadata server: no answer within 500 ms");
  EXPECT_EQ(r.failures[5], "azure: compute/zone: no answer within 500 ms");
  EXPECT_GE(elapsed, 1900ms);
  EXPECT_LT(elapsed, 5000ms);
}

}  // namespace
}  // namespace mirror::az
