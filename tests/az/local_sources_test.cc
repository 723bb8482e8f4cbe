// The env and file sources, and the small helpers in detail.h.
#include <gtest/gtest.h>

#include <filesystem>

#include "mirror/az/detail.h"
#include "mirror/az/resolver.h"
#include "tests/az/fake_http.h"

namespace mirror::az {
namespace {

using testing::env_from;
using testing::TempDir;

Result<Zone> lookup(const std::string& source, std::map<std::string, std::string> env) {
  Options options;
  options.env = env_from(std::move(env));
  return make_source(source)->lookup(options);
}

TEST(EnvSource, AnswersTrimmedValueAsIdAndName) {
  auto zone = lookup("env", {{"MIRROR_AVAILABILITY_ZONE", "  use1-az2\n"}});
  ASSERT_TRUE(zone.ok()) << zone.error().message;
  EXPECT_EQ(zone->id, "use1-az2");
  EXPECT_EQ(zone->name, "use1-az2");
}

TEST(EnvSource, UnsetEmptyOrBlankIsNoAnswer) {
  auto unset = lookup("env", {});
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.error().message, "MIRROR_AVAILABILITY_ZONE is not set");
  auto empty = lookup("env", {{"MIRROR_AVAILABILITY_ZONE", ""}});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message, "MIRROR_AVAILABILITY_ZONE is not set");
  auto blank = lookup("env", {{"MIRROR_AVAILABILITY_ZONE", " \t "}});
  ASSERT_FALSE(blank.ok());
  EXPECT_EQ(blank.error().message, "MIRROR_AVAILABILITY_ZONE is empty");
}

TEST(EnvSource, InvalidValueIsRejectedWithAShortSanitizedPrefix) {
  auto bad =
      lookup("env", {{"MIRROR_AVAILABILITY_ZONE",
                      "zone\x1b[31m with spaces and a very long tail " + std::string(200, 'x')}});
  ASSERT_FALSE(bad.ok());
  const std::string& m = bad.error().message;
  EXPECT_NE(m.find("not a valid availability zone"), std::string::npos) << m;
  EXPECT_EQ(m.find('\x1b'), std::string::npos);
  EXPECT_EQ(m.find("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), std::string::npos);
  EXPECT_LT(m.size(), 120u);
}

TEST(EnvSource, ReadsTheProcessEnvironmentByDefault) {
  ::setenv("MIRROR_AVAILABILITY_ZONE", "from-process-env", 1);
  auto zone = make_source("env")->lookup(Options{});
  ::unsetenv("MIRROR_AVAILABILITY_ZONE");
  ASSERT_TRUE(zone.ok());
  EXPECT_EQ(zone->id, "from-process-env");
}

TEST(FileSource, FirstLineTrimmed) {
  TempDir dir;
  std::string path = dir.write("az", "  eu-west-1b \r\nsecond line\n");
  auto zone = lookup("file", {{"MIRROR_AVAILABILITY_ZONE_FILE", path}});
  ASSERT_TRUE(zone.ok()) << zone.error().message;
  EXPECT_EQ(zone->id, "eu-west-1b");
  EXPECT_EQ(zone->name, "eu-west-1b");
  std::string no_newline = dir.write("az2", "zone-x");
  auto zone2 = lookup("file", {{"MIRROR_AVAILABILITY_ZONE_FILE", no_newline}});
  ASSERT_TRUE(zone2.ok());
  EXPECT_EQ(zone2->id, "zone-x");
}

TEST(FileSource, MissingFileEmptyFileBlankFirstLineDirectory) {
  TempDir dir;
  auto missing = lookup("file", {{"MIRROR_AVAILABILITY_ZONE_FILE", dir.path() + "/nope"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, dir.path() + "/nope: No such file or directory");

  auto empty = lookup("file", {{"MIRROR_AVAILABILITY_ZONE_FILE", dir.write("empty", "")}});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("empty first line"), std::string::npos);

  // The first line decides: a blank first line is no answer even when a later line has a zone.
  auto blank =
      lookup("file", {{"MIRROR_AVAILABILITY_ZONE_FILE", dir.write("blank", "   \nzone-b\n")}});
  ASSERT_FALSE(blank.ok());
  EXPECT_NE(blank.error().message.find("empty first line"), std::string::npos);

  auto directory = lookup("file", {{"MIRROR_AVAILABILITY_ZONE_FILE", dir.path()}});
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().message.find("Is a directory"), std::string::npos)
      << directory.error().message;

  auto garbage = lookup(
      "file", {{"MIRROR_AVAILABILITY_ZONE_FILE", dir.write("garbage", "{\"zone\": \"a\"}\n")}});
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.error().message.find("not a valid availability zone"), std::string::npos);
}

TEST(FileSource, DefaultPath) {
  if (std::filesystem::exists("/etc/mirror/availability-zone"))
    GTEST_SKIP() << "the default file exists here";
  auto unset = lookup("file", {});
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.error().message, "/etc/mirror/availability-zone: No such file or directory");
  auto blank = lookup("file", {{"MIRROR_AVAILABILITY_ZONE_FILE", "  "}});
  ASSERT_FALSE(blank.ok());
  EXPECT_EQ(blank.error().message, "/etc/mirror/availability-zone: No such file or directory");
}

TEST(Detail, TrimAndSanitize) {
  EXPECT_EQ(detail::trim(" \t\r\nabc \r\n"), "abc");
  EXPECT_EQ(detail::trim(""), "");
  EXPECT_EQ(detail::sanitized_prefix("abc"), "\"abc\"");
  EXPECT_EQ(detail::sanitized_prefix("a b\"c\n"), "\"a?b?c?\"");
  EXPECT_EQ(detail::sanitized_prefix(std::string(30, 'x'), 5), "\"xxxxx...\"");
}

TEST(Detail, GcpZoneAnswer) {
  EXPECT_EQ(detail::parse_gcp_zone("projects/123456789012/zones/us-central1-b"), "us-central1-b");
  EXPECT_EQ(detail::parse_gcp_zone("projects/my-project/zones/europe-west4-a"), "europe-west4-a");
  EXPECT_EQ(detail::parse_gcp_zone("us-central1-b"), std::nullopt);
  EXPECT_EQ(detail::parse_gcp_zone("projects/123/zones/"), std::nullopt);
  EXPECT_EQ(detail::parse_gcp_zone("projects//zones/a"), std::nullopt);
  EXPECT_EQ(detail::parse_gcp_zone("projects/123/zones/a/b"), std::nullopt);
  EXPECT_EQ(detail::parse_gcp_zone("projects/1 2/zones/a"), std::nullopt);
  EXPECT_EQ(detail::parse_gcp_zone("projects/123/regions/us-central1"), std::nullopt);
}

TEST(Detail, KubernetesBaseUrl) {
  EXPECT_EQ(detail::kubernetes_base_url("10.96.0.1", "443"), "https://10.96.0.1:443");
  EXPECT_EQ(detail::kubernetes_base_url("fd00:10:96::1", "443"), "https://[fd00:10:96::1]:443");
  EXPECT_EQ(detail::kubernetes_base_url("[fd00::1]", "6443"), "https://[fd00::1]:6443");
  EXPECT_EQ(detail::kubernetes_base_url("fe80::1%eth0", "443"), "https://[fe80::1%25eth0]:443");
  EXPECT_EQ(detail::kubernetes_base_url("kubernetes.default.svc", "443"),
            "https://kubernetes.default.svc:443");
  EXPECT_EQ(detail::kubernetes_base_url("10.0.0.1", "0"), std::nullopt);
  EXPECT_EQ(detail::kubernetes_base_url("10.0.0.1", "70000"), std::nullopt);
  EXPECT_EQ(detail::kubernetes_base_url("10.0.0.1", "https"), std::nullopt);
  EXPECT_EQ(detail::kubernetes_base_url("evil/path?x", "443"), std::nullopt);
  EXPECT_EQ(detail::kubernetes_base_url("user@host", "443"), std::nullopt);
  EXPECT_EQ(detail::kubernetes_base_url("", "443"), std::nullopt);
}

TEST(Detail, EndpointBase) {
  EXPECT_EQ(detail::endpoint_base("http://169.254.169.254"), "http://169.254.169.254");
  EXPECT_EQ(detail::endpoint_base("http://169.254.169.254/"), "http://169.254.169.254");
  EXPECT_EQ(detail::endpoint_base("http://[fd00:ec2::254]"), "http://[fd00:ec2::254]");
  EXPECT_EQ(detail::endpoint_base("https://imds.local:8443/prefix/"),
            "https://imds.local:8443/prefix");
  EXPECT_EQ(detail::endpoint_base("169.254.169.254"), std::nullopt);
  EXPECT_EQ(detail::endpoint_base("ftp://169.254.169.254"), std::nullopt);
  EXPECT_EQ(detail::endpoint_base("file:///etc/passwd"), std::nullopt);
  EXPECT_EQ(detail::endpoint_base("http://user:pw@host"), std::nullopt);
  EXPECT_EQ(detail::endpoint_base("http://host/?q"), std::nullopt);
  EXPECT_EQ(detail::endpoint_base("http://"), std::nullopt);
  EXPECT_EQ(detail::endpoint_base("http:///x"), std::nullopt);
}

}  // namespace
}  // namespace mirror::az
