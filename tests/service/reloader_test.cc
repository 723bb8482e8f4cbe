// The reload trigger: the files' fingerprint, and what the reloader does with a new version.
#include "mirror/service/reloader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "mirror/config/loader.h"
#include "mirror/service/config_files.h"

namespace mirror::service {
namespace {

namespace fs = std::filesystem;

struct ReloaderTest : ::testing::Test {
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("mirror-reloader-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
           "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir / "flows");
  }
  void TearDown() override { fs::remove_all(dir); }
  void write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::trunc) << text;
  }
  std::string config() const { return (dir / "mirror.yaml").string(); }
  std::vector<std::string> flows() const { return {(dir / "flows").string()}; }
  std::string hash() const { return fingerprint(config::input_files(config(), flows())); }
};

constexpr const char* kConfig =
    "node: {availability_zone: az-a}\n"
    "clusters:\n"
    "  a: {bootstrap_servers: \"127.0.0.1:1\"}\n"
    "  b: {bootstrap_servers: \"127.0.0.1:2\"}\n";

std::string disabled_flow(const std::string& name) {
  return "flows:\n  - {name: " + name + ", source: a, target: b, enabled: false}\n";
}

TEST_F(ReloaderTest, TheFingerprintFollowsContentFilesAndSymlinkSwaps) {
  write(dir / "mirror.yaml", kConfig);
  write(dir / "flows" / "one.yaml", disabled_flow("one"));
  const std::string first = hash();
  EXPECT_EQ(hash(), first) << "stable";
  write(dir / "flows" / "two.yaml", disabled_flow("two"));
  const std::string added = hash();
  EXPECT_NE(added, first) << "a flow file added";
  write(dir / "flows" / ".hidden.yaml", "garbage");
  write(dir / "flows" / "notes.txt", "garbage");
  EXPECT_EQ(hash(), added) << "files the loader does not read";
  // A ConfigMap: the name is a symlink through ..data, which is swapped.
  fs::create_directories(dir / "cm" / "..v1");
  fs::create_directories(dir / "cm" / "..v2");
  write(dir / "cm" / "..v1" / "f.yaml", disabled_flow("one"));
  write(dir / "cm" / "..v2" / "f.yaml", disabled_flow("uno"));
  fs::create_directory_symlink("..v1", dir / "cm" / "..data");
  fs::create_symlink("..data/f.yaml", dir / "cm" / "f.yaml");
  const std::vector<std::string> cm{(dir / "cm").string()};
  const std::string v1 = fingerprint(config::input_files(config(), cm));
  fs::create_directory_symlink("..v2", dir / "cm" / "..tmp");
  fs::rename(dir / "cm" / "..tmp", dir / "cm" / "..data");
  EXPECT_NE(fingerprint(config::input_files(config(), cm)), v1) << "the swap is seen";
  fs::remove(dir / "mirror.yaml");
  EXPECT_NE(hash(), added) << "a file gone";
}

TEST_F(ReloaderTest, AppliesAValidVersionRefusesAnInvalidOneOnceAndRetriesOnRequest) {
  write(dir / "mirror.yaml", kConfig);
  write(dir / "flows" / "one.yaml", disabled_flow("one"));
  auto outcome = config::load(config(), flows());
  ASSERT_TRUE(outcome.ok());
  Service service(std::move(outcome.spec), az::Resolution{}, ServiceOptions{});
  ASSERT_TRUE(service.start().ok());
  Reloader reloader(service, config(), flows(), nullptr, hash());
  EXPECT_FALSE(reloader.poll()) << "nothing changed";

  write(dir / "flows" / "two.yaml", disabled_flow("two"));
  EXPECT_TRUE(reloader.poll());
  auto doc = nlohmann::json::parse(service.flows_json());
  ASSERT_EQ(doc["flows"].size(), 2u);
  EXPECT_EQ(doc["config"]["hash"], hash());

  write(dir / "flows" / "two.yaml", "flows:\n  - {name: two, source: a, target: zz}\n");
  EXPECT_TRUE(reloader.poll());
  doc = nlohmann::json::parse(service.flows_json());
  EXPECT_EQ(doc["flows"].size(), 2u) << "the running configuration stays";
  const std::string error = doc["config"]["last_reload_error"];
  EXPECT_NE(error.find("two.yaml:2:"), std::string::npos) << error;
  EXPECT_NE(error.find("zz"), std::string::npos) << error;
  EXPECT_FALSE(reloader.poll()) << "a refused version is not tried again by polling";
  reloader.reload("SIGHUP");
  EXPECT_NE(service.metrics().render().find("mirror_config_reloads_total{result=\"error\"} 2"),
            std::string::npos)
      << "a request always tries";
  service.stop();
}

}  // namespace
}  // namespace mirror::service
