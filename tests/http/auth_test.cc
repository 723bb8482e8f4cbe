// The admin check: no token configured, missing or malformed credentials, wrong and right tokens;
// and the pause/resume routes behind it on a live server.
#include "mirror/http/auth.h"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tests/http/client.h"

namespace mirror::http {
namespace {

const std::string kToken = "0123456789abcdef-the-admin-token";

TEST(AdminCheck, NoTokenConfiguredRefusesEveryRequest) {
  for (const std::string& header : {std::string(), "Bearer " + kToken, std::string("Bearer x")}) {
    auto refused = check_admin("", header);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403);
    EXPECT_NE(refused->body.find("http.admin_token is not set"), std::string::npos);
    EXPECT_TRUE(refused->headers.empty());
  }
}

TEST(AdminCheck, MissingOrMalformedCredentialsAre401WithAChallenge) {
  for (const std::string& header : {std::string(), std::string("Bearer"), std::string("Bearer "),
                                    std::string("Bearer  "), "Basic " + kToken, "Bearer" + kToken,
                                    "Bearer " + kToken + " extra", kToken, "Token " + kToken}) {
    SCOPED_TRACE(header);
    auto refused = check_admin(kToken, header);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 401);
    ASSERT_EQ(refused->headers.size(), 1u);
    EXPECT_EQ(refused->headers[0].first, "WWW-Authenticate");
    EXPECT_EQ(refused->headers[0].second, "Bearer realm=\"mirror\"");
    EXPECT_EQ(refused->body.find(kToken), std::string::npos);
  }
}

TEST(AdminCheck, WrongTokenIs403) {
  for (const std::string& presented :
       {kToken.substr(0, kToken.size() - 1), kToken + "x", kToken + kToken, std::string("x"),
        "1" + kToken.substr(1), std::string(kToken.size(), 'a')}) {
    SCOPED_TRACE(presented);
    auto refused = check_admin(kToken, "Bearer " + presented);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403);
    EXPECT_EQ(refused->body.find(kToken), std::string::npos);
    EXPECT_EQ(refused->body.find(presented), std::string::npos);
  }
}

TEST(AdminCheck, RightTokenPasses) {
  EXPECT_FALSE(check_admin(kToken, "Bearer " + kToken));
  EXPECT_FALSE(check_admin(kToken, "bearer " + kToken)) << "the scheme is case-insensitive";
  EXPECT_FALSE(check_admin(kToken, "BEARER   " + kToken + " "));
}

TEST(AdminCheck, ConstantTimeEqualIsEquality) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("abc", "abcabc")) << "the secret repeated is not the secret";
  EXPECT_FALSE(constant_time_equal("abc", ""));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), "a"));
  // Lengths differing by a multiple of 256 (low bits equal).
  EXPECT_FALSE(constant_time_equal(std::string(256, 'a'), std::string(512, 'a')));
}

class FlowControlRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    auto routes = flow_control_routes(
        [this] {
          std::lock_guard lock(mutex_);
          return token_;
        },
        [this](const std::string& flow, bool pause) {
          std::lock_guard lock(mutex_);
          calls_.push_back((pause ? "pause " : "resume ") + flow);
          if (flow != "a-to-b") return Response{404, "text/plain", "no flow " + flow + "\n"};
          return Response{200, "text/plain", flow + (pause ? ": paused\n" : ": resumed\n")};
        });
    auto server = Server::start("127.0.0.1:0", std::move(routes));
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(server).value();
  }

  std::optional<testing::ParsedResponse> post(const std::string& target,
                                              const std::string& authorization) {
    testing::Client client(server_->port());
    std::string headers = "Connection: close\r\nContent-Length: 0\r\n";
    if (!authorization.empty()) headers += "Authorization: " + authorization + "\r\n";
    return client.get(target, "POST", headers);
  }

  void set_token(std::string token) {
    std::lock_guard lock(mutex_);
    token_ = std::move(token);
  }
  std::vector<std::string> calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

  std::mutex mutex_;
  std::string token_ = kToken;
  std::vector<std::string> calls_;
  std::unique_ptr<Server> server_;
};

TEST_F(FlowControlRoutes, RefusalsNeverReachTheFlow) {
  auto r = post("/flows/a-to-b/pause", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->header("www-authenticate"), "Bearer realm=\"mirror\"");
  r = post("/flows/a-to-b/pause", "Bearer wrong-token-wrong-token");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->body.find(kToken), std::string::npos);
  set_token("");
  r = post("/flows/a-to-b/resume", "Bearer " + kToken);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("http.admin_token is not set"), std::string::npos);
  EXPECT_TRUE(calls().empty());
}

TEST_F(FlowControlRoutes, TheRightTokenPausesAndResumes) {
  auto r = post("/flows/a-to-b/pause", "Bearer " + kToken);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "a-to-b: paused\n");
  r = post("/flows/a-to-b/resume", "Bearer " + kToken);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "a-to-b: resumed\n");
  r = post("/flows/nope/pause", "Bearer " + kToken);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(calls(), (std::vector<std::string>{"pause a-to-b", "resume a-to-b", "pause nope"}));
  // The token is read per request: a reload that changes it takes effect at once.
  set_token("another-token-of-enough-length");
  r = post("/flows/a-to-b/pause", "Bearer " + kToken);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
}

TEST_F(FlowControlRoutes, GetIs405) {
  testing::Client client(server_->port());
  auto r = client.get("/flows/a-to-b/pause", "GET", "Authorization: Bearer " + kToken + "\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("allow"), "POST");
  EXPECT_TRUE(calls().empty());
}

}  // namespace
}  // namespace mirror::http
