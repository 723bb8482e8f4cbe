// resolve(): flag > config literal > sources in order; rack_for; display; the Source seam.
#include <gtest/gtest.h>

#include <stdexcept>

#include "mirror/az/resolver.h"
#include "tests/az/fake_http.h"

namespace mirror::az {
namespace {

using testing::env_from;

// A scripted source for the seam: answers, fails, throws, and counts its calls.
class ScriptedSource : public Source {
 public:
  ScriptedSource(std::string name, Result<Zone> answer, int* calls, bool throws = false)
      : name_(std::move(name)), answer_(std::move(answer)), calls_(calls), throws_(throws) {}
  std::string name() const override { return name_; }
  Result<Zone> lookup(const Options&) override {
    ++*calls_;
    if (throws_) throw std::runtime_error("secret detail that must not leak");
    return answer_;
  }

 private:
  std::string name_;
  Result<Zone> answer_;
  int* calls_;
  bool throws_;
};

config::NodeSpec auto_node(std::vector<std::string> sources) {
  config::NodeSpec node;
  node.availability_zone = "auto";
  node.availability_zone_sources = std::move(sources);
  return node;
}

Options env_only(std::map<std::string, std::string> env) {
  Options options;
  options.env = env_from(std::move(env));
  return options;
}

TEST(Resolve, FlagWinsOverConfigAndSources) {
  int calls = 0;
  Options options;
  options.source_factory = [&](const std::string& name) {
    return std::make_unique<ScriptedSource>(name, Zone{"from-source", "from-source"}, &calls);
  };
  config::NodeSpec node = auto_node({"env"});
  node.availability_zone = "az-config";
  Resolution r = resolve(node, std::string(" az-flag "), options);
  ASSERT_TRUE(r.zone);
  EXPECT_EQ(r.zone->id, "az-flag");
  EXPECT_EQ(r.zone->name, "az-flag");
  EXPECT_EQ(r.source, "flag");
  EXPECT_EQ(r.display(), "az-flag");
  EXPECT_TRUE(r.failures.empty());
  EXPECT_EQ(calls, 0);
}

TEST(Resolve, ConfigLiteralWinsOverSources) {
  int calls = 0;
  Options options;
  options.source_factory = [&](const std::string& name) {
    return std::make_unique<ScriptedSource>(name, Zone{"from-source", "from-source"}, &calls);
  };
  config::NodeSpec node = auto_node({"env"});
  node.availability_zone = "use1-az4";
  Resolution r = resolve(node, std::nullopt, options);
  ASSERT_TRUE(r.zone);
  EXPECT_EQ(r.display(), "use1-az4");
  EXPECT_EQ(r.source, "config");
  EXPECT_EQ(calls, 0);
}

TEST(Resolve, EmptyFlagAndEmptyConfigMeanDiscover) {
  config::NodeSpec node = auto_node({"env"});
  node.availability_zone = "";
  Resolution r =
      resolve(node, std::string("  "), env_only({{"MIRROR_AVAILABILITY_ZONE", "az-env"}}));
  ASSERT_TRUE(r.zone);
  EXPECT_EQ(r.display(), "az-env");
  EXPECT_EQ(r.source, "env");
}

TEST(Resolve, InvalidFlagGivesNoZoneAndDoesNotFallBack) {
  config::NodeSpec node = auto_node({"env"});
  Resolution r = resolve(node, std::string("us east 1a;rm"),
                         env_only({{"MIRROR_AVAILABILITY_ZONE", "az-env"}}));
  EXPECT_FALSE(r.zone);
  EXPECT_EQ(r.source, "flag");
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].rfind("flag: invalid availability zone", 0), 0u) << r.failures[0];
}

TEST(Resolve, InvalidConfigLiteralGivesNoZone) {
  config::NodeSpec node = auto_node({"env"});
  node.availability_zone = std::string(70, 'a');
  Resolution r = resolve(node, std::nullopt, env_only({{"MIRROR_AVAILABILITY_ZONE", "az-env"}}));
  EXPECT_FALSE(r.zone);
  EXPECT_EQ(r.source, "config");
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_NE(r.failures[0].find("config: invalid availability zone"), std::string::npos);
  EXPECT_LT(r.failures[0].size(), 120u);  // a short prefix, not the whole value
}

TEST(Resolve, SourcesInOrderFirstAnswerWinsFailuresListed) {
  std::map<std::string, int> calls;
  Options options;
  options.source_factory = [&](const std::string& name) -> std::unique_ptr<Source> {
    if (name == "first")
      return std::make_unique<ScriptedSource>(name, make_error("nope"), &calls[name]);
    if (name == "second")
      return std::make_unique<ScriptedSource>(name, make_error("also nope"), &calls[name]);
    return std::make_unique<ScriptedSource>(name, Zone{"id-" + name, "name-" + name}, &calls[name]);
  };
  Resolution r = resolve(auto_node({"first", "second", "third", "fourth"}), std::nullopt, options);
  ASSERT_TRUE(r.zone);
  EXPECT_EQ(r.zone->id, "id-third");
  EXPECT_EQ(r.zone->name, "name-third");
  EXPECT_EQ(r.source, "third");
  EXPECT_EQ(r.failures, (std::vector<std::string>{"first: nope", "second: also nope"}));
  EXPECT_EQ(calls["first"], 1);
  EXPECT_EQ(calls["third"], 1);
  EXPECT_EQ(calls["fourth"], 0);
}

TEST(Resolve, NothingAnsweredListsEveryFailure) {
  Resolution r = resolve(auto_node({"env", "file"}), std::nullopt,
                         env_only({{"MIRROR_AVAILABILITY_ZONE_FILE", "/nonexistent/mirror-az"}}));
  EXPECT_FALSE(r.zone);
  EXPECT_EQ(r.source, "");
  EXPECT_EQ(r.display(), "");
  ASSERT_EQ(r.failures.size(), 2u);
  EXPECT_EQ(r.failures[0], "env: MIRROR_AVAILABILITY_ZONE is not set");
  EXPECT_EQ(r.failures[1], "file: /nonexistent/mirror-az: No such file or directory");
}

TEST(Resolve, UnknownSourceIsListedAndSkipped) {
  EXPECT_EQ(make_source("ec2"), nullptr);
  EXPECT_EQ(make_source(""), nullptr);
  EXPECT_EQ(make_source("AWS"), nullptr);
  Resolution r = resolve(auto_node({"ec2", "env"}), std::nullopt,
                         env_only({{"MIRROR_AVAILABILITY_ZONE", "z1"}}));
  ASSERT_TRUE(r.zone);
  EXPECT_EQ(r.source, "env");
  EXPECT_EQ(r.failures, (std::vector<std::string>{"ec2: unknown source"}));
}

TEST(Resolve, KnownSourceNames) {
  EXPECT_EQ(source_names(),
            (std::vector<std::string>{"env", "file", "kubernetes", "aws", "gcp", "azure"}));
  for (const auto& name : source_names()) {
    auto source = make_source(name);
    ASSERT_NE(source, nullptr) << name;
    EXPECT_EQ(source->name(), name);
  }
  EXPECT_EQ(config::NodeSpec{}.availability_zone_sources, source_names());
}

TEST(Resolve, EmptySourceListSaysSo) {
  Resolution r = resolve(auto_node({}), std::nullopt, env_only({}));
  EXPECT_FALSE(r.zone);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_NE(r.failures[0].find("none configured"), std::string::npos);
}

TEST(Resolve, ThrowingSourceIsAFailureNotACrash) {
  int calls = 0;
  Options options;
  options.source_factory = [&](const std::string& name) -> std::unique_ptr<Source> {
    if (name == "boom") return std::make_unique<ScriptedSource>(name, Zone{"x", "x"}, &calls, true);
    return make_source(name);
  };
  options.env = env_from({{"MIRROR_AVAILABILITY_ZONE", "z2"}});
  Resolution r = resolve(auto_node({"boom", "env"}), std::nullopt, options);
  ASSERT_TRUE(r.zone);
  EXPECT_EQ(r.display(), "z2");
  EXPECT_EQ(r.failures, (std::vector<std::string>{"boom: internal error"}));
}

TEST(Resolve, InvalidAnswerFromASourceIsRejected) {
  int calls = 0;
  Options options;
  options.source_factory = [&](const std::string& name) -> std::unique_ptr<Source> {
    if (name == "bad")
      return std::make_unique<ScriptedSource>(name, Zone{"ok-id", "bad name"}, &calls);
    if (name == "empty") return std::make_unique<ScriptedSource>(name, Zone{"", ""}, &calls);
    return std::make_unique<ScriptedSource>(name, Zone{"", "only-name"}, &calls);
  };
  Resolution r = resolve(auto_node({"bad", "empty", "good"}), std::nullopt, options);
  ASSERT_TRUE(r.zone);
  EXPECT_EQ(r.display(), "only-name");
  EXPECT_EQ(r.failures, (std::vector<std::string>{"bad: invalid answer", "empty: invalid answer"}));
}

TEST(RackFor, FollowsTheFormatAndFallsBack) {
  const Zone both{"use1-az1", "us-east-1a"};
  EXPECT_EQ(rack_for(both, config::RackIdFormat::ZoneId), "use1-az1");
  EXPECT_EQ(rack_for(both, config::RackIdFormat::ZoneName), "us-east-1a");
  const Zone id_only{"use1-az1", ""};
  EXPECT_EQ(rack_for(id_only, config::RackIdFormat::ZoneId), "use1-az1");
  EXPECT_EQ(rack_for(id_only, config::RackIdFormat::ZoneName), "use1-az1");
  const Zone name_only{"", "us-east-1a"};
  EXPECT_EQ(rack_for(name_only, config::RackIdFormat::ZoneId), "us-east-1a");
  EXPECT_EQ(rack_for(name_only, config::RackIdFormat::ZoneName), "us-east-1a");
  const Zone same{"westeurope-2", "westeurope-2"};
  EXPECT_EQ(rack_for(same, config::RackIdFormat::ZoneId), "westeurope-2");
  EXPECT_EQ(rack_for(same, config::RackIdFormat::ZoneName), "westeurope-2");
}

TEST(Display, IdFirstThenName) {
  Resolution r;
  EXPECT_EQ(r.display(), "");
  r.zone = Zone{"use1-az1", "us-east-1a"};
  EXPECT_EQ(r.display(), "use1-az1");
  r.zone = Zone{"", "us-east-1a"};
  EXPECT_EQ(r.display(), "us-east-1a");
}

TEST(IsValidZone, Grammar) {
  for (const char* ok : {"a", "use1-az1", "us-east-1a", "westeurope-2", "zone_a.b-c", "1", "A9"}) {
    EXPECT_TRUE(is_valid_zone(ok)) << ok;
  }
  EXPECT_TRUE(is_valid_zone(std::string(63, 'z')));
  EXPECT_FALSE(is_valid_zone(std::string(64, 'z')));
  for (const char* bad :
       {"", "-a", ".a", "_a", "a b", "a/b", "a\nb", "a;b", "zoné", "a\tb", "a:b"}) {
    EXPECT_FALSE(is_valid_zone(bad)) << bad;
  }
}

}  // namespace
}  // namespace mirror::az
