// `mirror ctl pause|resume|status FLOW [--http HOST:PORT]` against a real HTTP server with test
// handlers: what it sends, what it prints, its exit codes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mirror/app/cli.h"
#include "mirror/http/auth.h"
#include "mirror/http/server.h"

namespace mirror::app {
namespace {

const std::string kToken = "ctl-test-admin-token-0123456789";

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "mirror");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int code = mirror::app::main(static_cast<int>(argv.size()), argv.data());
  Outcome o{code, ::testing::internal::GetCapturedStdout(),
            ::testing::internal::GetCapturedStderr()};
  return o;
}

constexpr const char* kFlowsJson = R"({"availability_zone": "az-b", "flows": [
  {"name": "a-to-b", "state": "running", "source": "a", "target": "b", "restarts": 0,
   "partitions": [{"topic": "t", "partition": 0, "lag": 3}, {"topic": "t", "partition": 1, "lag": 4}]},
  {"name": "b-to-c", "state": "paused", "source": "b", "target": "c", "partitions": []}]})";

class Ctl : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("MIRROR_ADMIN_TOKEN");
    std::vector<http::Route> routes = http::flow_control_routes(
        [] { return kToken; },
        [this](const std::string& flow, bool pause) {
          std::lock_guard lock(mutex_);
          calls_.push_back((pause ? "pause " : "resume ") + flow);
          if (flow != "a-to-b") return http::Response{404, "text/plain", "no flow " + flow + "\n"};
          return http::Response{200, "text/plain", flow + (pause ? ": paused\n" : ": resumed\n")};
        });
    routes.push_back({"GET", "/flows", [](const http::Request&) {
                        return http::Response{200, "application/json", kFlowsJson};
                      }});
    auto server = http::Server::start("127.0.0.1:0", std::move(routes));
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(server).value();
    address_ = "127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override { ::unsetenv("MIRROR_ADMIN_TOKEN"); }

  std::vector<std::string> calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

  std::mutex mutex_;
  std::vector<std::string> calls_;
  std::unique_ptr<http::Server> server_;
  std::string address_;
};

TEST_F(Ctl, StatusPrintsTheFlowsLine) {
  auto o = run_cli({"ctl", "status", "a-to-b", "--http", address_});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "flow a-to-b: running, a -> b, 2 partitions, lag 7, 0 restarts\n");
  o = run_cli({"ctl", "status", "b-to-c", "--http", address_});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "flow b-to-c: paused, b -> c, 0 partitions\n");
  o = run_cli({"ctl", "--http", address_, "status", "b-to-c"});  // options anywhere
  EXPECT_EQ(o.code, 0) << o.err;
}

TEST_F(Ctl, StatusOfAnUnknownFlowFails) {
  auto o = run_cli({"ctl", "status", "nope", "--http", address_});
  EXPECT_EQ(o.code, 4);
  EXPECT_EQ(o.out, "");
  EXPECT_NE(o.err.find("no flow 'nope' on " + address_ + " (flows: a-to-b, b-to-c)"),
            std::string::npos)
      << o.err;
}

TEST_F(Ctl, PauseAndResumeSendTheToken) {
  ::setenv("MIRROR_ADMIN_TOKEN", kToken.c_str(), 1);
  auto o = run_cli({"ctl", "pause", "a-to-b", "--http", address_});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "a-to-b: paused\n");
  o = run_cli({"ctl", "resume", "a-to-b", "--http", address_});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "a-to-b: resumed\n");
  o = run_cli({"ctl", "pause", "zzz", "--http", address_});
  EXPECT_EQ(o.code, 4);
  EXPECT_NE(o.err.find("POST /flows/zzz/pause: 404 Not Found: no flow zzz"), std::string::npos)
      << o.err;
  EXPECT_EQ(calls(), (std::vector<std::string>{"pause a-to-b", "resume a-to-b", "pause zzz"}));
}

TEST_F(Ctl, RefusedTokensAreReportedWithoutTheToken) {
  ::setenv("MIRROR_ADMIN_TOKEN", "not-the-right-token-at-all", 1);
  auto o = run_cli({"ctl", "pause", "a-to-b", "--http", address_});
  EXPECT_EQ(o.code, 4);
  EXPECT_NE(o.err.find("403 Forbidden"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("MIRROR_ADMIN_TOKEN"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("not-the-right-token-at-all"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find(kToken), std::string::npos) << o.err;
  EXPECT_TRUE(calls().empty());
}

TEST_F(Ctl, WithoutTheTokenNothingIsSent) {
  auto o = run_cli({"ctl", "pause", "a-to-b", "--http", address_});
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("MIRROR_ADMIN_TOKEN is not set"), std::string::npos) << o.err;
  ::setenv("MIRROR_ADMIN_TOKEN", "", 1);
  o = run_cli({"ctl", "resume", "a-to-b", "--http", address_});
  EXPECT_EQ(o.code, 1);
  EXPECT_TRUE(calls().empty());
}

TEST_F(Ctl, UnreachableServiceIsARuntimeFailure) {
  const std::string gone = address_;
  server_->stop();
  auto o = run_cli({"ctl", "status", "a-to-b", "--http", gone});
  EXPECT_EQ(o.code, 4);
  EXPECT_NE(o.err.find("cannot connect to " + gone), std::string::npos) << o.err;
}

TEST_F(Ctl, UsageErrors) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"ctl"},
                                             {"ctl", "status"},
                                             {"ctl", "frobnicate", "a-to-b"},
                                             {"ctl", "status", "Not/A/Flow"},
                                             {"ctl", "status", "a-to-b", "extra"},
                                             {"ctl", "status", "a-to-b", "--http", "nowhere"},
                                             {"ctl", "status", "a-to-b", "--http", "127.0.0.1:0"},
                                             {"ctl", "status", "a-to-b", "--bogus"}}) {
    auto o = run_cli(args);
    EXPECT_EQ(o.code, 1) << args.size() << " " << o.err;
  }
  EXPECT_TRUE(calls().empty());
}

}  // namespace
}  // namespace mirror::app
