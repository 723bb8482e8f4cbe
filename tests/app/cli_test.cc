// The command line contract: exit codes and output of validate, az, run (bad input), --version.
#include "mirror/app/cli.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "mirror_source_dir.h"  // MIRROR_SOURCE_DIR (generated)

namespace mirror::app {
namespace {

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

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("mirror-cli-test-" + name);
  std::ofstream(path) << text;
  return path.string();
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    // The examples reference these secrets with ${env:...}.
    for (const char* v : {"PRIMARY_PASSWORD", "BACKUP_USERNAME", "BACKUP_PASSWORD",
                          "ARCHIVE_PASSWORD", "LEGACY_PASSWORD", "ANALYTICS_PASSWORD"}) {
      ::setenv(v, "s3cr3t-value", 1);
    }
  }
};

TEST_F(Cli, VersionAndUsage) {
  auto v = run_cli({"--version"});
  EXPECT_EQ(v.code, 0);
  EXPECT_NE(v.out.find("mirror "), std::string::npos);
  EXPECT_NE(v.out.find("librdkafka 2."), std::string::npos);
  EXPECT_EQ(run_cli({}).code, 1);
  EXPECT_EQ(run_cli({"bogus"}).code, 1);
  EXPECT_EQ(run_cli({"validate"}).code, 1) << "--config is required";
  EXPECT_EQ(run_cli({"validate", "--config", "x", "--nope"}).code, 1);
  EXPECT_EQ(run_cli({"--help"}).code, 0);
}

TEST_F(Cli, ValidateTheExamplesPrintsOneLinePerFlow) {
  const std::string dir = MIRROR_SOURCE_DIR;
  auto o =
      run_cli({"validate", "--config", dir + "/config/mirror.yaml", "--flows", dir + "/flows"});
  ASSERT_EQ(o.code, 0) << o.err;
  size_t lines = 0;
  for (char c : o.out) lines += c == '\n';
  EXPECT_GE(lines, 2u) << o.out;
  EXPECT_NE(o.out.find("flow primary-to-backup: primary -> backup"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("s3cr3t"), std::string::npos);
  EXPECT_EQ(o.err.find("s3cr3t"), std::string::npos);
}

TEST_F(Cli, InvalidConfigurationExitsTwoWithEveryProblem) {
  const auto file = write_temp("bad.yaml",
                               "clusters:\n"
                               "  a:\n"
                               "    bootstrap_servers: x:9092\n"
                               "flows:\n"
                               "  - name: one\n"
                               "    source: a\n"
                               "    target: a\n"
                               "  - name: two\n"
                               "    source: a\n"
                               "    target: nowhere\n"
                               "    topcs: [x]\n");
  for (const char* command : {"validate", "run"}) {
    auto o = run_cli({command, "--config", file});
    EXPECT_EQ(o.code, 2) << command << ": " << o.err;
    EXPECT_NE(o.err.find(file + ":7:"), std::string::npos) << o.err;   // source equals target
    EXPECT_NE(o.err.find(file + ":10:"), std::string::npos) << o.err;  // unknown cluster
    EXPECT_NE(o.err.find(file + ":11:"), std::string::npos) << o.err;  // unknown key
  }
}

TEST_F(Cli, AzPrintsZoneAndSourceOrExitsThree) {
  ::setenv("MIRROR_AVAILABILITY_ZONE", "use1-az4", 1);
  const auto env_only = write_temp("az.yaml", "node:\n  availability_zone_sources: [env]\n");
  auto o = run_cli({"az", "--config", env_only});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "use1-az4\tenv\n");
  ::unsetenv("MIRROR_AVAILABILITY_ZONE");
  o = run_cli({"az", "--config", env_only});
  EXPECT_EQ(o.code, 3);
  EXPECT_NE(o.err.find("env"), std::string::npos) << o.err;
}

TEST_F(Cli, ValidateRefusesLibrdkafkaPropertiesLibrdkafkaRefusesAtTheirLines) {
  const std::string config = write_temp("bad-props.yaml",
                                        "clusters:\n"
                                        "  a:\n"
                                        "    bootstrap_servers: a:9092\n"
                                        "    properties:\n"
                                        "      sasl.password: hunter2-secret\n"
                                        "  b:\n"
                                        "    bootstrap_servers: b:9092\n"
                                        "flows:\n"
                                        "  - name: a-to-b\n"
                                        "    source: a\n"
                                        "    target: b\n"
                                        "    consumer:\n"
                                        "      fetch.max.bytez: 1048576\n"
                                        "    producer:\n"
                                        "      linger.ms: soon\n");
  for (const char* command : {"validate", "run"}) {
    auto o = run_cli({command, "--config", config});
    EXPECT_EQ(o.code, 2) << command << ": " << o.err;
    EXPECT_NE(o.err.find(config + ":13:7: flow 'a-to-b': consumer: invalid librdkafka property "
                                  "'fetch.max.bytez'"),
              std::string::npos)
        << o.err;
    EXPECT_NE(o.err.find(config + ":15:7: flow 'a-to-b': producer: invalid librdkafka property "
                                  "'linger.ms'"),
              std::string::npos)
        << o.err;
    EXPECT_NE(o.err.find("2 problem(s)"), std::string::npos) << "each reported once: " << o.err;
    EXPECT_EQ(o.err.find("hunter2"), std::string::npos);
  }
}

TEST_F(Cli, MigratePrintsAConfigurationThatValidatesOnceItsVariablesAreSet) {
  const std::string data = std::string(MIRROR_SOURCE_DIR) + "/tests/migrate/data/";
  for (const auto& [from, file, variables] :
       std::vector<std::tuple<std::string, std::string, std::vector<std::string>>>{
           {"mm2", "secured.properties", {"PRIMARY_SASL_PASSWORD", "BACKUP_SSL_KEY_PASSWORD"}},
           {"strimzi", "strimzi-tls-scram.yaml", {"MY_SOURCE_CLUSTER_SASL_PASSWORD"}},
           {"aiven",
            "aiven-replication-flows.json",
            {"KAFKA_EU_BOOTSTRAP_SERVERS", "KAFKA_US_BOOTSTRAP_SERVERS"}}}) {
    auto migrated = run_cli({"migrate", "--from", from, data + file});
    ASSERT_EQ(migrated.code, 0) << migrated.err;
    EXPECT_NE(migrated.err.find("note: "), std::string::npos) << "what was not mapped";
    for (const auto& v : variables) {
      EXPECT_NE(migrated.err.find("  " + v + ": "), std::string::npos) << v << " in\n"
                                                                       << migrated.err;
      ::unsetenv(v.c_str());
    }
    const auto config = write_temp("migrated-" + from + ".yaml", migrated.out);
    auto unset = run_cli({"validate", "--config", config});
    EXPECT_EQ(unset.code, 2) << "its variables are not set yet";
    for (const auto& v : variables)
      ::setenv(v.c_str(), v.find("BOOTSTRAP") != std::string::npos ? "k:9092" : "x", 1);
    auto validated = run_cli({"validate", "--config", config});
    EXPECT_EQ(validated.code, 0) << validated.err << "\n" << migrated.out;
    EXPECT_NE(validated.out.find("flow "), std::string::npos);
    for (const auto& v : variables) ::unsetenv(v.c_str());
  }
  EXPECT_EQ(run_cli({"migrate", "--from", "mm3", data + "secured.properties"}).code, 1);
  EXPECT_EQ(run_cli({"migrate", "--from", "mm2"}).code, 1);
  auto missing = run_cli({"migrate", "--from", "mm2", "/nonexistent/mm2.properties"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_EQ(missing.err, "mirror: /nonexistent/mm2.properties: cannot be read\n");
}

}  // namespace
}  // namespace mirror::app
