#include <gtest/gtest.h>

#include "mirror/http/server.h"

namespace mirror::http {
namespace {

void expect_ok(const std::string& text, const std::string& host, uint16_t port) {
  auto parsed = parse_listen(text);
  ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error().message;
  EXPECT_EQ(parsed->first, host) << text;
  EXPECT_EQ(parsed->second, port) << text;
}

void expect_invalid(const std::string& text) {
  auto parsed = parse_listen(text);
  ASSERT_FALSE(parsed.ok()) << "\"" << text << "\" parsed as " << parsed->first << " "
                            << parsed->second;
  EXPECT_NE(parsed.error().message.find("\"" + text + "\""), std::string::npos)
      << parsed.error().message;
  EXPECT_FALSE(parsed.error().retriable);
}

TEST(ParseListen, Valid) {
  expect_ok("0.0.0.0:9464", "0.0.0.0", 9464);
  expect_ok("localhost:0", "localhost", 0);
  expect_ok("127.0.0.1:65535", "127.0.0.1", 65535);
  expect_ok("[::1]:9464", "::1", 9464);
  expect_ok("[::1]:80", "::1", 80);
  expect_ok("[::]:1", "::", 1);
  expect_ok(":9464", "0.0.0.0", 9464);
  expect_ok("mirror-0.mirror.svc.cluster.local:9464", "mirror-0.mirror.svc.cluster.local", 9464);
  expect_ok("host:00080", "host", 80);
}

TEST(ParseListen, Invalid) {
  for (const std::string text : {"",
                                 "host",
                                 "host:99999",
                                 "host:65536",
                                 "a:b",
                                 "host:",
                                 ":",
                                 "host:-1",
                                 "host:+80",
                                 "host: 80",
                                 "host:80 ",
                                 " host:80",
                                 "host:123456",
                                 "::1:80",
                                 "::1",
                                 "[::1]",
                                 "[::1]80",
                                 "[::1",
                                 "[]:80",
                                 "[nothost]:80",
                                 "[127.0.0.1]:80",
                                 "ho st:80",
                                 "host/x:80"}) {
    SCOPED_TRACE(text);
    expect_invalid(text);
  }
}

TEST(ParseListen, ErrorSaysWhatIsExpected) {
  auto parsed = parse_listen("host:99999");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("out of range"), std::string::npos)
      << parsed.error().message;
  EXPECT_NE(parsed.error().message.find("HOST:PORT"), std::string::npos) << parsed.error().message;
}

}  // namespace
}  // namespace mirror::http
