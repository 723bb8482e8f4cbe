#include "mirror/http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/http/client.h"

namespace mirror::http {
namespace {

using namespace std::chrono_literals;
using testing::Client;
using testing::fetch;

std::map<std::string, Handler> test_routes() {
  std::map<std::string, Handler> routes;
  routes["/healthz"] = [](const Request&) {
    return Response{200, "text/plain; charset=utf-8", "ok\n"};
  };
  routes["/echo"] = [](const Request& r) {
    return Response{200, "text/plain; charset=utf-8", r.method + " " + r.path + " " + r.query};
  };
  routes["/flows"] = [](const Request&) {
    return Response{503, "application/json", "{\"flows\": []}"};
  };
  routes["/boom"] = [](const Request&) -> Response { throw std::runtime_error("secret detail"); };
  routes["/boom-int"] = [](const Request&) -> Response { throw 42; };
  routes["/weird"] = [](const Request&) { return Response{999, "text/plain", "?"}; };
  return routes;
}

std::unique_ptr<Server> start_server(ServerOptions options = {}) {
  auto server = Server::start("127.0.0.1:0", test_routes(), options);
  EXPECT_TRUE(server.ok()) << server.error().message;
  if (!server.ok()) return nullptr;
  EXPECT_NE((*server)->port(), 0);
  return std::move(server).value();
}

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 3000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

TEST(HttpServer, ServesRoutesWithStandardHeaders) {
  auto server = start_server();
  ASSERT_TRUE(server);
  auto r = fetch(server->port(), "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok\n");
  EXPECT_EQ(r->header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r->header("content-length"), "3");
  EXPECT_EQ(r->header("server"), "mirror");
}

TEST(HttpServer, PassesStatusAndContentTypeThrough) {
  auto server = start_server();
  ASSERT_TRUE(server);
  auto r = fetch(server->port(), "/flows");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_EQ(r->body, "{\"flows\": []}");
  EXPECT_EQ(r->header("content-length"), std::to_string(r->body.size()));
}

TEST(HttpServer, SplitsOffQueryString) {
  auto server = start_server();
  ASSERT_TRUE(server);
  auto r = fetch(server->port(), "/echo?a=1&b=%2F");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "GET /echo a=1&b=%2F");
  r = fetch(server->port(), "/echo?");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "GET /echo ");
  r = fetch(server->port(), "/echo");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "GET /echo ");
}

TEST(HttpServer, AcceptsAbsoluteFormTarget) {
  auto server = start_server();
  ASSERT_TRUE(server);
  auto r = fetch(server->port(), "http://127.0.0.1/echo?x=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET /echo x=1");
}

TEST(HttpServer, UnknownPathIs404WithExactMatching) {
  auto server = start_server();
  ASSERT_TRUE(server);
  for (const std::string target :
       {"/", "/nope", "/healthz/", "/HEALTHZ", "/healthz/x", "//healthz", "/metrics"}) {
    SCOPED_TRACE(target);
    auto r = fetch(server->port(), target);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(r->header("server"), "mirror");
    EXPECT_EQ(r->header("content-length"), std::to_string(r->body.size()));
  }
  auto r = fetch(server->port(), "/nope", "POST");  // unknown path wins over the method
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST(HttpServer, OtherMethodsAre405WithAllow) {
  auto server = start_server();
  ASSERT_TRUE(server);
  for (const std::string method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
    SCOPED_TRACE(method);
    Client client(server->port());
    ASSERT_TRUE(client.connected());
    auto r = client.get("/healthz", method, "Content-Length: 0\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 405);
    EXPECT_EQ(r->header("allow"), "GET, HEAD");
    EXPECT_EQ(r->header("server"), "mirror");
    EXPECT_EQ(r->header("content-length"), std::to_string(r->body.size()));
    // The connection stays usable.
    r = client.get("/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
}

TEST(HttpServer, HeadHasSameHeadersAndNoBody) {
  auto server = start_server();
  ASSERT_TRUE(server);
  Client client(server->port());
  ASSERT_TRUE(client.connected());
  auto get = client.get("/flows");
  ASSERT_TRUE(get);
  auto head = client.get("/flows", "HEAD");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, get->status);
  EXPECT_EQ(head->header("content-length"), std::to_string(get->body.size()));
  EXPECT_EQ(head->header("content-type"), get->header("content-type"));
  EXPECT_EQ(head->header("server"), "mirror");
  auto echo = client.get("/echo", "HEAD");
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->header("content-length"), std::to_string(std::string("HEAD /echo ").size()));
  // Had a body been sent, it would now be read as the start of the next response.
  auto next = client.get("/healthz");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "ok\n");
  EXPECT_TRUE(client.pending().empty());
}

TEST(HttpServer, KeepAliveServesManyRequestsOnOneConnection) {
  auto server = start_server();
  ASSERT_TRUE(server);
  Client client(server->port());
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 5; ++i) {
    auto r = client.get("/echo?i=" + std::to_string(i));
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "GET /echo i=" + std::to_string(i));
    EXPECT_NE(r->header("connection"), "close");
  }
  auto last = client.get("/healthz", "GET", "Connection: close\r\n");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->status, 200);
  EXPECT_EQ(last->header("connection"), "close");
  EXPECT_TRUE(client.closed_by_peer());
}

TEST(HttpServer, PipelinedRequestsAnsweredInOrder) {
  auto server = start_server();
  ASSERT_TRUE(server);
  Client client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send(
      "GET /echo?1 HTTP/1.1\r\nHost: x\r\n\r\nGET /echo?2 HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto first = client.read_response();
  auto second = client.read_response();
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_EQ(first->body, "GET /echo 1");
  EXPECT_EQ(second->body, "GET /echo 2");
}

TEST(HttpServer, Http10ClosesUnlessKeepAlive) {
  auto server = start_server();
  ASSERT_TRUE(server);
  {
    Client client(server->port());
    ASSERT_TRUE(client.send("GET /healthz HTTP/1.0\r\n\r\n"));
    auto r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "ok\n");
    EXPECT_TRUE(client.closed_by_peer());
  }
  {
    Client client(server->port());
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(client.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
      auto r = client.read_response();
      ASSERT_TRUE(r) << i;
      EXPECT_EQ(r->status, 200);
    }
  }
}

TEST(HttpServer, HandlerExceptionIs500AndServerKeepsServing) {
  auto server = start_server();
  ASSERT_TRUE(server);
  Client client(server->port());
  ASSERT_TRUE(client.connected());
  for (const std::string target : {"/boom", "/boom-int", "/weird"}) {
    SCOPED_TRACE(target);
    auto r = client.get(target);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
    EXPECT_EQ(r->body, "internal server error\n");
    EXPECT_EQ(r->body.find("secret"), std::string::npos);
    EXPECT_EQ(r->header("server"), "mirror");
  }
  auto r = client.get("/boom", "HEAD");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  r = client.get("/healthz");  // same connection
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = fetch(server->port(), "/healthz");  // new connection
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServer, SilentOrSlowClientDoesNotBlockOthers) {
  auto server = start_server();
  ASSERT_TRUE(server);
  Client silent(server->port());
  ASSERT_TRUE(silent.connected());
  Client partial(server->port());
  ASSERT_TRUE(partial.connected());
  ASSERT_TRUE(partial.send("GET /heal"));
  Client partial_body(server->port());
  ASSERT_TRUE(partial_body.connected());
  ASSERT_TRUE(partial_body.send("POST /healthz HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc"));
  const auto start = std::chrono::steady_clock::now();
  auto r = fetch(server->port(), "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(HttpServer, IdleAndStalledConnectionsTimeOut) {
  ServerOptions options;
  options.read_timeout = 300ms;
  auto server = start_server(options);
  ASSERT_TRUE(server);
  Client idle(server->port(), 3000ms);
  Client stalled(server->port(), 3000ms);
  Client after_request(server->port(), 3000ms);
  ASSERT_TRUE(stalled.send("GET /healthz HTTP/1.1\r\n"));
  auto r = after_request.get("/healthz");
  ASSERT_TRUE(r);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(idle.closed_by_peer());
  EXPECT_TRUE(stalled.closed_by_peer());
  EXPECT_TRUE(after_request.closed_by_peer());  // keep-alive idle timeout
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(HttpServer, SlowDripCannotExtendTheDeadline) {
  ServerOptions options;
  options.read_timeout = 400ms;
  auto server = start_server(options);
  ASSERT_TRUE(server);
  Client client(server->port(), 3000ms);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.send("GET /healthz HTTP/1.1\r\n"));
  bool closed = false;
  for (int i = 0; i < 30 && !closed; ++i) {  // one header line every 100 ms, for up to 3 s
    std::this_thread::sleep_for(100ms);
    closed = !client.send("X-Drip-" + std::to_string(i) + ": 1\r\n");
  }
  if (!closed) closed = client.closed_by_peer();
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(HttpServer, RefusesConnectionsBeyondTheCap) {
  ServerOptions options;
  options.max_connections = 2;
  options.evict_after = std::chrono::hours(1);  // the two idle ones are never made room for
  auto server = start_server(options);
  ASSERT_TRUE(server);
  auto first = std::make_unique<Client>(server->port());
  Client second(server->port());
  ASSERT_TRUE(first->get("/healthz"));  // both are accepted and registered
  ASSERT_TRUE(second.get("/healthz"));

  Client third(server->port());
  ASSERT_TRUE(third.connected());  // the kernel accepts; the server refuses
  auto refused = third.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->header("server"), "mirror");
  EXPECT_EQ(refused->header("content-length"), std::to_string(refused->body.size()));
  EXPECT_TRUE(third.closed_by_peer());

  // The existing connections keep working; once one closes, new ones are served again.
  auto r = second.get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  first.reset();
  EXPECT_TRUE(eventually([&] {
    auto again = fetch(server->port(), "/healthz");
    return again && again->status == 200;
  }));
}

TEST(HttpServer, ClosingConnectionsDoNotCountAgainstTheCap) {
  ServerOptions options;
  options.max_connections = 2;
  options.evict_after = std::chrono::hours(1);
  auto server = start_server(options);
  ASSERT_TRUE(server);
  // Each client asks to close and then keeps its end open: the server drains it for a while.
  std::vector<std::unique_ptr<Client>> lingering;
  for (int i = 0; i < 10; ++i) {
    SCOPED_TRACE(i);
    lingering.push_back(std::make_unique<Client>(server->port()));
    ASSERT_TRUE(lingering.back()->send("GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n"));
    auto r = lingering.back()->read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << "refused while earlier connections were only closing";
  }
}

TEST(HttpServer, ClientsRequestingInALoopAreAllServed) {
  auto server = start_server();  // the production limits
  ASSERT_TRUE(server);
  std::atomic<int> ok{0};
  std::atomic<int> other{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&] {
      // A new keep-alive connection per request; each client leaves its last 20 open, idle: 160
      // in all, beyond the cap of 64.
      std::vector<std::unique_ptr<Client>> open;
      for (int i = 0; i < 375; ++i) {
        auto client = std::make_unique<Client>(server->port());
        auto r = client->get("/healthz");
        (r && r->status == 200 ? ok : other)++;
        open.push_back(std::move(client));
        if (open.size() > 20) open.erase(open.begin());
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 3000);
  EXPECT_EQ(other.load(), 0) << "requests refused or failed";
}

TEST(HttpServer, AtTheCapTheConnectionWaitingLongestMakesRoom) {
  ServerOptions options;
  options.max_connections = 4;
  options.evict_after = 100ms;
  auto server = start_server(options);
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<Client>> idle;
  for (int i = 0; i < 2; ++i) {
    idle.push_back(std::make_unique<Client>(server->port(), 3000ms));
    ASSERT_TRUE(idle.back()->get("/healthz"));  // then idle on keep-alive
    idle.push_back(std::make_unique<Client>(server->port(), 3000ms));
    ASSERT_TRUE(idle.back()->send("GET /heal"));  // a request it is slow to send
  }
  std::this_thread::sleep_for(200ms);
  for (int i = 0; i < 6; ++i) {
    SCOPED_TRACE(i);
    auto r = fetch(server->port(), "/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  size_t closed = 0;
  for (auto& c : idle) closed += c->closed_by_peer() ? 1 : 0;
  EXPECT_GE(closed, 1u) << "room was made by closing waiting connections";
}

TEST(HttpServer, AFloodOfHalfSentRequestsLeavesProbesAnswered) {
  ServerOptions options;  // the defaults, but for a small cap
  options.max_connections = 8;
  auto server = start_server(options);
  ASSERT_TRUE(server);
  std::atomic<bool> stop{false};
  std::atomic<int> opened{0};
  std::thread flood([&] {
    std::vector<std::unique_ptr<Client>> clients;
    while (!stop.load()) {
      auto c = std::make_unique<Client>(server->port(), 200ms);
      if (c->connected() && c->send("GET /healthz HTTP/1.1\r\nHost: x\r\n")) ++opened;
      clients.push_back(std::move(c));
      if (clients.size() > 400) clients.erase(clients.begin());
      std::this_thread::sleep_for(5ms);
    }
  });
  std::this_thread::sleep_for(800ms);
  int ok = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = fetch(server->port(), "/healthz");
    if (r && r->status == 200) ++ok;
    std::this_thread::sleep_for(100ms);
  }
  stop.store(true);
  flood.join();
  EXPECT_GT(opened.load(), 100) << "test setup: the flood";
  EXPECT_EQ(ok, 10) << "probes answered during a flood of half-sent requests";
}

TEST(HttpServer, RequestHeadersHaveADeadlineOfTheirOwn) {
  ServerOptions options;
  options.header_timeout = 300ms;  // the whole request still has read_timeout (10 s)
  auto server = start_server(options);
  ASSERT_TRUE(server);
  Client partial(server->port(), 3000ms);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(partial.send("GET /healthz HTTP/1.1\r\n"));
  EXPECT_TRUE(partial.closed_by_peer());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  // A body may take longer than the header deadline.
  Client slow_body(server->port(), 3000ms);
  ASSERT_TRUE(slow_body.send("POST /echo HTTP/1.1\r\nContent-Length: 6\r\n\r\nabc"));
  std::this_thread::sleep_for(600ms);
  ASSERT_TRUE(slow_body.send("def"));
  auto r = slow_body.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
}

TEST(HttpServer, ManyConcurrentClients) {
  auto server = start_server();
  ASSERT_TRUE(server);
  constexpr int kThreads = 16;
  constexpr int kRequests = 12;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      if (t % 2 == 0) {  // keep-alive
        Client client(server->port());
        for (int i = 0; i < kRequests; ++i) {
          auto r = client.get("/echo?" + std::to_string(t) + "-" + std::to_string(i));
          if (r && r->status == 200 &&
              r->body == "GET /echo " + std::to_string(t) + "-" + std::to_string(i))
            ++ok;
        }
      } else {  // a connection per request
        for (int i = 0; i < kRequests; ++i) {
          auto r = fetch(server->port(), "/healthz");
          if (r && r->status == 200 && r->body == "ok\n") ++ok;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kThreads * kRequests);
}

TEST(HttpServer, RejectsTooLargeBodyWith413) {
  ServerOptions options;
  options.body_limit = 1024;
  auto server = start_server(options);
  ASSERT_TRUE(server);
  {
    Client client(server->port());
    ASSERT_TRUE(
        client.send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"));
    auto r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(r->header("connection"), "close");
    EXPECT_EQ(r->header("server"), "mirror");
    EXPECT_TRUE(client.closed_by_peer());
  }
  {
    Client client(server->port());
    ASSERT_TRUE(
        client.send("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
    ASSERT_TRUE(client.send("800\r\n" + std::string(0x800, 'x') + "\r\n0\r\n\r\n"));
    auto r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
  }
  {  // a body within the limit is read and ignored
    Client client(server->port());
    ASSERT_TRUE(client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
    auto r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    r = client.get("/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
}

TEST(HttpServer, RejectsTooLargeHeaderWith400) {
  auto server = start_server();
  ASSERT_TRUE(server);
  Client client(server->port());
  ASSERT_TRUE(client.send(
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n"));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(client.closed_by_peer());
  r = fetch(server->port(), "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServer, MalformedRequestIs400) {
  auto server = start_server();
  ASSERT_TRUE(server);
  for (const std::string junk :
       {"garbage\r\n\r\n", "GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nContent-Length: nope\r\n\r\n"}) {
    SCOPED_TRACE(junk);
    Client client(server->port());
    ASSERT_TRUE(client.send(junk));
    auto r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_TRUE(client.closed_by_peer());
  }
}

TEST(HttpServer, StopIsPromptWithIdleConnections) {
  auto server = start_server();
  ASSERT_TRUE(server);
  const uint16_t port = server->port();
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 10; ++i) clients.push_back(std::make_unique<Client>(port));
  for (int i = 0; i < 3; ++i) {  // idle keep-alive connections after a request
    clients.push_back(std::make_unique<Client>(port));
    ASSERT_TRUE(clients.back()->get("/healthz"));
  }
  clients.push_back(std::make_unique<Client>(port));
  ASSERT_TRUE(clients.back()->send("GET /healthz HTTP/1.1\r\n"));  // a half-sent request
  std::this_thread::sleep_for(50ms);                               // let the server accept them all

  const auto start = std::chrono::steady_clock::now();
  server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  for (auto& client : clients) EXPECT_TRUE(client->closed_by_peer());
  server->stop();  // idempotent
  Client late(port);
  EXPECT_FALSE(late.connected());
}

TEST(HttpServer, DestructorStopsPromptly) {
  auto server = start_server();
  ASSERT_TRUE(server);
  Client idle(server->port());
  Client keep_alive(server->port());
  ASSERT_TRUE(keep_alive.get("/healthz"));
  const auto start = std::chrono::steady_clock::now();
  server.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_TRUE(keep_alive.closed_by_peer());
}

TEST(HttpServer, ConcurrentStopCalls) {
  auto server = start_server();
  ASSERT_TRUE(server);
  Client idle(server->port());
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&] { server->stop(); });
  for (auto& thread : threads) thread.join();
}

TEST(HttpServer, PortInUseIsAnErrorNamingTheAddress) {
  auto first = start_server();
  ASSERT_TRUE(first);
  const std::string address = "127.0.0.1:" + std::to_string(first->port());
  auto second = Server::start(address, test_routes());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find(address), std::string::npos) << second.error().message;
  // The first server is unaffected.
  auto r = fetch(first->port(), "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServer, InvalidListenAddressIsAnError) {
  auto server = Server::start("no-port-here", test_routes());
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.error().message.find("no-port-here"), std::string::npos)
      << server.error().message;
  server = Server::start("127.0.0.1:99999", test_routes());
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.error().message.find("127.0.0.1:99999"), std::string::npos)
      << server.error().message;
}

TEST(HttpServer, BadRoutesAreErrors) {
  std::map<std::string, Handler> routes;
  routes["healthz"] = [](const Request&) { return Response{}; };
  auto server = Server::start("127.0.0.1:0", routes);
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.error().message.find("healthz"), std::string::npos);

  routes.clear();
  routes["/healthz"] = Handler{};
  server = Server::start("127.0.0.1:0", routes);
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.error().message.find("/healthz"), std::string::npos);
}

TEST(HttpServer, ListensOnAHostName) {
  // (":PORT" means 0.0.0.0, see ParseListen; tests bind loopback only.)
  auto local = Server::start("localhost:0", test_routes());
  ASSERT_TRUE(local.ok()) << local.error().message;
  EXPECT_NE((*local)->port(), 0);
}

}  // namespace
}  // namespace mirror::http
