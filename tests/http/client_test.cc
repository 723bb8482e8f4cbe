// The HTTP client against the real server (port 0), and its errors: refused, timeout, bad
// address, oversized answer.
#include "mirror/http/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>

#include "mirror/http/server.h"

namespace mirror::http {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<Server> start_server() {
  std::vector<Route> routes = {
      {"GET", "/flows",
       [](const Request& r) {
         return Response{200, "application/json", "{\"flows\": [], \"q\": \"" + r.query + "\"}"};
       }},
      {"POST", "/flows/{flow}/pause",
       [](const Request& r) {
         Response out{r.authorization == "Bearer t" ? 200 : 401, "text/plain",
                      "pause " + r.params.at("flow") + " body=" + r.body};
         out.headers.emplace_back("X-Seen", r.authorization.empty() ? "none" : "some");
         return out;
       }},
      {"GET", "/big",
       [](const Request&) {
         return Response{200, "text/plain", std::string(4096, 'x')};
       }},
  };
  auto server = Server::start("127.0.0.1:0", std::move(routes));
  EXPECT_TRUE(server.ok()) << server.error().message;
  if (!server.ok()) return nullptr;
  return std::move(server).value();
}

std::string address(uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

TEST(HttpClient, GetsAndPosts) {
  auto server = start_server();
  ASSERT_TRUE(server);
  ClientRequest get;
  get.target = "/flows?x=1";
  auto r = send_request(address(server->port()), get);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers["content-type"], "application/json");
  EXPECT_EQ(r->body, "{\"flows\": [], \"q\": \"x=1\"}");

  ClientRequest post;
  post.method = "POST";
  post.target = "/flows/a-to-b/pause";
  post.headers.emplace_back("Authorization", "Bearer t");
  r = send_request(address(server->port()), post);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "pause a-to-b body=");
  EXPECT_EQ(r->headers["x-seen"], "some");

  post.headers.clear();
  post.body = "{}";
  r = send_request(address(server->port()), post);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 401) << "any status is a response";
  EXPECT_EQ(r->reason, "Unauthorized");
  EXPECT_EQ(r->body, "pause a-to-b body={}");
  EXPECT_EQ(r->headers["x-seen"], "none");

  ClientRequest missing;
  missing.target = "/nope";
  r = send_request(address(server->port()), missing);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
}

TEST(HttpClient, ConnectionRefusedNamesTheAddress) {
  uint16_t port = 0;
  {
    auto server = start_server();
    ASSERT_TRUE(server);
    port = server->port();
  }  // closed: nothing listens there now
  ClientRequest get;
  get.target = "/flows";
  ClientRequest post = get;
  post.method = "POST";
  post.headers.emplace_back("Authorization", "Bearer the-secret-token");
  for (const auto& request : {get, post}) {
    auto r = send_request(address(port), request);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("cannot connect to " + address(port)), std::string::npos)
        << r.error().message;
    EXPECT_EQ(r.error().message.find("the-secret-token"), std::string::npos);
  }
}

TEST(HttpClient, ASilentServerTimesOut) {
  // A listening socket nobody accepts from: the connection completes (backlog), no answer comes.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const uint16_t port = ntohs(addr.sin_port);

  ClientOptions options;
  options.timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto r = send_request(address(port), ClientRequest{}, options);
  const auto took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no answer within 300 ms"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find(address(port)), std::string::npos) << r.error().message;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 3s);
}

TEST(HttpClient, OversizedAnswerIsAnError) {
  auto server = start_server();
  ASSERT_TRUE(server);
  ClientRequest get;
  get.target = "/big";
  ClientOptions options;
  options.body_limit = 1024;
  auto r = send_request(address(server->port()), get, options);
  ASSERT_FALSE(r.ok()) << r->status << " " << r->body.size();
  EXPECT_NE(r.error().message.find(address(server->port())), std::string::npos);
  options.body_limit = 4096;
  r = send_request(address(server->port()), get, options);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body.size(), 4096u);
}

TEST(HttpClient, BadAddressesAreErrors) {
  for (const std::string bad : {"", "localhost", "127.0.0.1:", "127.0.0.1:0", "[::1:80"}) {
    SCOPED_TRACE(bad);
    auto r = send_request(bad, ClientRequest{});
    EXPECT_FALSE(r.ok());
  }
  ClientRequest weird;
  weird.method = "FROB";
  auto r = send_request("127.0.0.1:1", weird);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("FROB"), std::string::npos);
}

}  // namespace
}  // namespace mirror::http
