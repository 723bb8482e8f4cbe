// Routes by method and by pattern: POST routes, {name} segments, 405 with Allow, the request's
// Authorization header and body, handlers' extra response headers.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "mirror/http/server.h"
#include "tests/http/client.h"

namespace mirror::http {
namespace {

using testing::Client;
using testing::fetch;

Handler says(const std::string& what) {
  return [what](const Request& r) {
    std::string params;
    for (const auto& [name, value] : r.params) params += " " + name + "=" + value;
    return Response{200, "text/plain", what + " " + r.method + params};
  };
}

std::vector<Route> routes() {
  return {
      {"GET", "/flows", says("list")},
      {"POST", "/flows/{flow}/pause", says("pause")},
      {"POST", "/flows/{flow}/resume", says("resume")},
      {"POST", "/flows/all/pause", says("pause-all")},
      {"GET", "/flows/{flow}", says("show")},
      {"DELETE", "/flows/{name}", says("delete")},
      {"GET", "/both", says("get")},
      {"POST", "/both", says("post")},
      {"POST", "/inspect",
       [](const Request& r) {
         return Response{200, "text/plain", "auth=[" + r.authorization + "] body=[" + r.body + "]"};
       }},
      {"GET", "/www",
       [](const Request&) {
         Response r{401, "text/plain", "who?\n"};
         r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"mirror\"");
         r.headers.emplace_back("X-Two", "1");
         r.headers.emplace_back("X-Two", "2");
         return r;
       }},
      {"GET", "/sets-length",
       [](const Request&) {
         Response r;
         r.headers.emplace_back("Content-Length", "0");
         return r;
       }},
      {"GET", "/splits",
       [](const Request&) {
         Response r;
         r.headers.emplace_back("X-Evil", "a\r\nSet-Cookie: b");
         return r;
       }},
      {"GET", "/bad-name",
       [](const Request&) {
         Response r;
         r.headers.emplace_back("X Evil", "a");
         return r;
       }},
  };
}

std::unique_ptr<Server> start_server() {
  auto server = Server::start("127.0.0.1:0", routes());
  EXPECT_TRUE(server.ok()) << server.error().message;
  if (!server.ok()) return nullptr;
  return std::move(server).value();
}

std::optional<testing::ParsedResponse> post(uint16_t port, const std::string& target,
                                            const std::string& headers = "",
                                            const std::string& body = "") {
  Client client(port);
  if (!client.connected()) return std::nullopt;
  return client.get(target, "POST",
                    "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
                        headers + "\r\n" + body);
}

std::optional<testing::ParsedResponse> request(uint16_t port, const std::string& method,
                                               const std::string& target) {
  Client client(port);
  if (!client.connected()) return std::nullopt;
  return client.get(target, method, "Connection: close\r\nContent-Length: 0\r\n");
}

TEST(HttpRoutes, PostRoutesWithParameters) {
  auto server = start_server();
  ASSERT_TRUE(server);
  auto r = post(server->port(), "/flows/a-to-b/pause");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "pause POST flow=a-to-b");
  r = post(server->port(), "/flows/a-to-b/resume?x=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "resume POST flow=a-to-b");
  r = fetch(server->port(), "/flows/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "show GET flow=x");
  r = request(server->port(), "DELETE", "/flows/x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "delete DELETE name=x") << "each method has its own parameter names";
  r = fetch(server->port(), "/flows/x", "HEAD");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-length"), std::to_string(std::string("show HEAD flow=x").size()));
}

TEST(HttpRoutes, ALiteralSegmentBeatsAParameter) {
  auto server = start_server();
  ASSERT_TRUE(server);
  auto r = post(server->port(), "/flows/all/pause");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "pause-all POST");
  r = post(server->port(), "/flows/all/resume");  // no literal route: the parameter matches
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "resume POST flow=all");
}

TEST(HttpRoutes, ParametersMatchOneNonEmptySegment) {
  auto server = start_server();
  ASSERT_TRUE(server);
  for (const std::string target : {"/flows//pause", "/flows/a/b/pause", "/flows/a/pause/",
                                   "/flows/a/Pause", "/flows/", "/flows/a/b"}) {
    SCOPED_TRACE(target);
    auto r = post(server->port(), target);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
  }
}

TEST(HttpRoutes, WrongMethodIs405WithTheMethodsOfThePath) {
  auto server = start_server();
  ASSERT_TRUE(server);
  struct Case {
    std::string method, target, allow;
  };
  for (const Case& c : std::vector<Case>{{"GET", "/flows/a/pause", "POST"},
                                         {"HEAD", "/flows/a/resume", "POST"},
                                         {"POST", "/flows", "GET, HEAD"},
                                         {"PUT", "/both", "GET, HEAD, POST"},
                                         {"POST", "/flows/x", "GET, HEAD, DELETE"},
                                         {"OPTIONS", "/inspect", "POST"}}) {
    SCOPED_TRACE(c.method + " " + c.target);
    Client client(server->port());
    ASSERT_TRUE(client.connected());
    auto r = client.get(c.target, c.method, "Content-Length: 0\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 405);
    EXPECT_EQ(r->header("allow"), c.allow);
    r = client.get("/flows");  // the connection stays usable
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  auto get = fetch(server->port(), "/both");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body, "get GET");
  auto posted = post(server->port(), "/both");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->body, "post POST");
}

TEST(HttpRoutes, HandlersSeeTheAuthorizationHeaderAndTheBody) {
  auto server = start_server();
  ASSERT_TRUE(server);
  auto r = post(server->port(), "/inspect", "Authorization: Bearer abc\r\n", "{\"x\":1}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "auth=[Bearer abc] body=[{\"x\":1}]");
  r = post(server->port(), "/inspect");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "auth=[] body=[]");
  r = post(server->port(), "/inspect", "authorization: Bearer a\r\nAuthorization: Bearer b\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "auth=[] body=[]") << "an ambiguous Authorization counts as none";
}

TEST(HttpRoutes, HandlersAddHeadersButNotTheServersOwn) {
  auto server = start_server();
  ASSERT_TRUE(server);
  auto r = fetch(server->port(), "/www");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->header("www-authenticate"), "Bearer realm=\"mirror\"");
  EXPECT_EQ(r->header("x-two"), "2");  // (the test client keeps the last)
  EXPECT_EQ(r->body, "who?\n");
  for (const std::string target : {"/sets-length", "/splits", "/bad-name"}) {
    SCOPED_TRACE(target);
    r = fetch(server->port(), target);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
    EXPECT_FALSE(r->has("x-evil"));
    EXPECT_FALSE(r->has("set-cookie"));
  }
}

TEST(HttpRoutes, BadRouteTablesAreErrors) {
  const Handler ok = says("x");
  struct Case {
    std::vector<Route> routes;
    std::string expected;  // part of the message
  };
  for (const Case& c : std::vector<Case>{
           {{{"HEAD", "/a", ok}}, "unsupported method"},
           {{{"get", "/a", ok}}, "unsupported method"},
           {{{"GET", "a", ok}}, "must start with '/'"},
           {{{"GET", "/a", Handler{}}}, "no handler"},
           {{{"GET", "/a/{}", ok}}, "bad parameter name"},
           {{{"GET", "/a/{x-y}", ok}}, "bad parameter name"},
           {{{"GET", "/a/{x}/{x}", ok}}, "twice"},
           {{{"GET", "/a/b{x}", ok}}, "outside"},
           {{{"GET", "/a", ok}, {"GET", "/a", ok}}, "registered twice"},
           {{{"POST", "/f/{a}/p", ok}, {"POST", "/f/{b}/p", ok}}, "registered twice"},
       }) {
    auto server = Server::start("127.0.0.1:0", c.routes);
    ASSERT_FALSE(server.ok()) << c.expected;
    EXPECT_NE(server.error().message.find(c.expected), std::string::npos) << server.error().message;
    EXPECT_NE(server.error().message.find(c.routes.back().path), std::string::npos)
        << server.error().message;
  }
}

}  // namespace
}  // namespace mirror::http
