// http.admin_token: unset by default, read through references or literally, checked, and never
// shown in a message.
#include <gmock/gmock.h>

#include "tests/config/test_util.h"

namespace mirror::config::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kToken = "tok-0123456789abcdef0123";

TEST_F(ConfigTest, AdminTokenIsUnsetByDefault) {
  auto outcome = load_text("http:\n  listen: 127.0.0.1:9464\n");
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.spec.http.admin_token, "");
  outcome = load_text("http:\n  admin_token: ''\n");
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.spec.http.admin_token, "");
}

TEST_F(ConfigTest, AdminTokenFromAReferenceOrLiterally) {
  auto outcome = load_text("http:\n  admin_token: ${env:MIRROR_ADMIN_TOKEN}\n", {},
                           env_of({{"MIRROR_ADMIN_TOKEN", kToken}}));
  ASSERT_TRUE(outcome.ok()) << lines(outcome, dir_).front();
  EXPECT_EQ(outcome.spec.http.admin_token, kToken);

  const std::string file = dir_.write("admin-token", kToken + "\n");
  outcome = load_text("http:\n  admin_token: ${file:" + file + "}\n");
  ASSERT_TRUE(outcome.ok()) << lines(outcome, dir_).front();
  EXPECT_EQ(outcome.spec.http.admin_token, kToken) << "the file's line break is not part of it";

  outcome = load_text("http:\n  admin_token: " + kToken + "\n");
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.spec.http.admin_token, kToken);
}

TEST_F(ConfigTest, AnUnresolvedAdminTokenReferenceIsAnError) {
  EXPECT_THAT(problems("http:\n  admin_token: ${env:MIRROR_ADMIN_TOKEN}\n"),
              ElementsAre("mirror.yaml:2:16: admin_token: ${env:MIRROR_ADMIN_TOKEN}: environment "
                          "variable MIRROR_ADMIN_TOKEN is not set"));
}

TEST_F(ConfigTest, BadAdminTokensAreErrorsThatNeverShowIt) {
  const std::string short_token = "short-s3cr3t";
  EXPECT_THAT(problems("http:\n  admin_token: " + short_token + "\n"),
              ElementsAre("mirror.yaml:2:16: admin_token: the admin token must have at least 16 "
                          "characters, it has 12 (the value is not shown)"));
  EXPECT_THAT(problems("http:\n  admin_token: ${env:T}\n", env_of({{"T", short_token}})),
              ElementsAre(HasSubstr("at least 16 characters")));
  auto spaced = problems("http:\n  admin_token: 's3cr3t with spaces inside'\n");
  ASSERT_EQ(spaced.size(), 1u);
  EXPECT_THAT(spaced[0], HasSubstr("printable ASCII without spaces"));
  EXPECT_THAT(problems("http:\n  admin_token: '" + std::string(4097, 'x') + "'\n"),
              ElementsAre(HasSubstr("more than 4096 characters")));
  for (const auto& found : {problems("http:\n  admin_token: " + short_token + "\n"), spaced,
                            problems("http:\n  admin_token: [" + kToken + "]\n")}) {
    for (const std::string& line : found) {
      EXPECT_THAT(line, ::testing::Not(HasSubstr("s3cr3t")));
      EXPECT_THAT(line, ::testing::Not(HasSubstr(kToken)));
    }
  }
  EXPECT_THAT(problems("http:\n  admin_token: " + kToken + "\n"), IsEmpty());
}

}  // namespace
}  // namespace mirror::config::testing
