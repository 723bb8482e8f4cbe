// The shipped examples, config/mirror.yaml and flows/*.yaml, load without a problem.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "mirror_source_dir.h"  // MIRROR_SOURCE_DIR (generated)
#include "tests/config/test_util.h"

namespace mirror::config::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::string kSource = MIRROR_SOURCE_DIR;

// The variables the examples reference, as a deployment would set them.
EnvLookup example_env() {
  return env_of({{"PRIMARY_PASSWORD", "example-primary-password"},
                 {"BACKUP_USERNAME", "mirror"},
                 {"BACKUP_PASSWORD", "example-backup-password"}});
}

std::vector<std::string> format_all(const LoadOutcome& outcome) {
  std::vector<std::string> out;
  for (const Diagnostic& problem : outcome.problems) out.push_back(problem.format());
  return out;
}

TEST(Examples, ConfigWithTheFlowsDirectoryIsValid) {
  LoadOutcome outcome = load(kSource + "/config/mirror.yaml", {kSource + "/flows"}, example_env());
  ASSERT_THAT(format_all(outcome), IsEmpty());
  std::vector<std::string> names;
  for (const FlowSpec& flow : outcome.spec.flows) names.push_back(flow.name);
  EXPECT_THAT(names, ElementsAre("primary-to-backup", "primary-audit-to-backup",
                                 "backup-to-primary-inventory"));
  EXPECT_THAT(outcome.spec.clusters.at("primary").secret_properties, Contains("sasl.password"));
  EXPECT_THAT(outcome.spec.clusters.at("backup").secret_properties, Contains("sasl.username"));
}

TEST(Examples, EveryFlowFileIsValidOnItsOwn) {
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kSource + "/flows")) {
    ++files;
    LoadOutcome outcome =
        load(kSource + "/config/mirror.yaml", {entry.path().string()}, example_env());
    EXPECT_THAT(format_all(outcome), IsEmpty()) << entry.path();
  }
  EXPECT_GE(files, 2u);
}

TEST(Examples, ShowFollowerFetchingOffAndTheIdentityPolicy) {
  LoadOutcome outcome = load(kSource + "/config/mirror.yaml", {kSource + "/flows"}, example_env());
  ASSERT_TRUE(outcome.ok());
  bool leader_reads = false;
  bool identity = false;
  for (const FlowSpec& flow : outcome.spec.flows) {
    leader_reads |= !flow.follower_fetching_enabled;
    identity |= flow.replication_policy == ReplicationPolicy::Identity;
  }
  EXPECT_TRUE(leader_reads);
  EXPECT_TRUE(identity);
}

TEST(Examples, ConfigNeedsItsSecretsFromTheEnvironment) {
  LoadOutcome outcome = load(kSource + "/config/mirror.yaml", {}, env_of({}));
  std::vector<std::string> found = format_all(outcome);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_THAT(found[0], ::testing::HasSubstr("environment variable PRIMARY_PASSWORD is not set"));
}

}  // namespace
}  // namespace mirror::config::testing
