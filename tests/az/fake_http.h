// Test fakes on 127.0.0.1 ephemeral ports: a tiny HTTP/1.1 server (one request per connection)
// driven by a handler, and sockets that accept but never answer, refuse, or never accept.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mirror/az/resolver.h"

namespace mirror::az::testing {

struct FakeRequest {
  std::string method;
  std::string target;                          // path and query, as sent
  std::map<std::string, std::string> headers;  // lower-case names
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool has_header(const std::string& name) const { return headers.count(name) != 0; }
};

struct FakeResponse {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool hang = false;  // read the request, then never answer (until the server stops)
  static FakeResponse text(int status, std::string body) {
    return FakeResponse{status, std::move(body), {}, false};
  }
  static FakeResponse hanging() { return FakeResponse{0, "", {}, true}; }
};

class FakeHttpServer {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&)>;
  explicit FakeHttpServer(Handler handler);
  ~FakeHttpServer();
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  int port() const { return port_; }
  std::string host_port() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url() const { return "http://" + host_port(); }
  std::vector<FakeRequest> requests() const;

 private:
  void accept_loop();
  void serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::thread> connections_;
  std::vector<FakeRequest> requests_;
};

// Listens (so connects succeed through the kernel backlog) and never accepts: no answer ever.
class SilentListener {
 public:
  SilentListener();
  ~SilentListener();
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A bound port with nothing listening: connects are refused.
class RefusingPort {
 public:
  RefusingPort();
  ~RefusingPort();
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A listener whose accept queue is full, so further SYNs are dropped: connects time out.
class BlackholeListener {
 public:
  BlackholeListener();
  ~BlackholeListener();
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> fillers_;
};

// A child process (our own helper script) whose first stdout line is read back.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // The first line the child printed, or nullopt if none within timeout.
  std::optional<std::string> first_line(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
};

// Runs a command to completion; its exit status (-1 if it could not run).
int run_command(const std::vector<std::string>& argv);

// An EnvLookup over a fixed map (nothing else is visible, the real environment included).
EnvLookup env_from(std::map<std::string, std::string> values);

// A fresh temporary directory, removed with its files on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string write(const std::string& name,
                    const std::string& content) const;  // returns the file path

 private:
  std::string path_;
};

}  // namespace mirror::az::testing
