// ${env:..} and ${file:..} references, and keeping secrets out of every message.
#include "mirror/config/references.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/config/test_util.h"

namespace mirror::config::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

// ---- resolve_references on its own ------------------------------------------------------------

TEST(ResolveReferences, PlainTextIsUnchanged) {
  Resolved r = resolve_references("just text, $ and $$ and {braces}", env_of({}));
  EXPECT_EQ(r.text, "just text, $ and $$ and {braces}");
  EXPECT_FALSE(r.had_reference);
  EXPECT_THAT(r.errors, IsEmpty());
}

TEST(ResolveReferences, SeveralReferencesWithTextAround) {
  Resolved r = resolve_references("u=${env:USER_NAME};p=${env:PASS}!",
                                  env_of({{"USER_NAME", "bob"}, {"PASS", "pw"}}));
  EXPECT_EQ(r.text, "u=bob;p=pw!");
  EXPECT_TRUE(r.had_reference);
  EXPECT_THAT(r.errors, IsEmpty());
}

TEST(ResolveReferences, DoubleDollarEscapesAReference) {
  Resolved r = resolve_references("$${env:X} costs $$5", env_of({}));
  EXPECT_EQ(r.text, "${env:X} costs $$5");
  EXPECT_FALSE(r.had_reference);
  EXPECT_THAT(r.errors, IsEmpty());
}

TEST(ResolveReferences, EmptyEnvValueIsAValue) {
  Resolved r = resolve_references("[${env:EMPTY}]", env_of({{"EMPTY", ""}}));
  EXPECT_EQ(r.text, "[]");
  EXPECT_THAT(r.errors, IsEmpty());
}

TEST(ResolveReferences, UnsetVariable) {
  Resolved r = resolve_references("${env:NOPE}", env_of({}));
  EXPECT_THAT(r.errors, ElementsAre("${env:NOPE}: environment variable NOPE is not set"));
}

TEST(ResolveReferences, InvalidVariableName) {
  EXPECT_THAT(
      resolve_references("${env:}", env_of({})).errors,
      ElementsAre("${env:}: '' is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)"));
  EXPECT_THAT(resolve_references("${env:A B}", env_of({})).errors,
              ElementsAre("${env:A B}: 'A B' is not an environment variable name "
                          "([A-Za-z_][A-Za-z0-9_]*)"));
}

TEST(ResolveReferences, UnknownKindShowsOnlyTheKind) {
  Resolved r = resolve_references("${vault:secret/path}", env_of({}));
  EXPECT_THAT(r.errors, ElementsAre("unknown reference kind '${vault:...}': use ${env:NAME} or "
                                    "${file:PATH} (write $${ for a literal ${)"));
}

TEST(ResolveReferences, UnterminatedReferenceShowsNothingOfTheText) {
  Resolved r = resolve_references("pa${ssw0rd", env_of({}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0],
            "unterminated reference: '${' without a closing '}' (write $${ for a literal ${)");
}

TEST(ResolveReferences, FileContentWithoutOneTrailingNewline) {
  TempDir dir;
  std::string one = dir.write("one", "secret\n");
  std::string two = dir.write("two", "secret\n\n");
  std::string crlf = dir.write("crlf", "secret\r\n");
  std::string none = dir.write("none", "secret");
  EXPECT_EQ(resolve_references("${file:" + one + "}", env_of({})).text, "secret");
  EXPECT_EQ(resolve_references("${file:" + two + "}", env_of({})).text, "secret\n");
  EXPECT_EQ(resolve_references("${file:" + crlf + "}", env_of({})).text, "secret");
  EXPECT_EQ(resolve_references("${file:" + none + "}", env_of({})).text, "secret");
}

TEST(ResolveReferences, UnreadableFile) {
  TempDir dir;
  std::string missing = dir.path() + "/missing";
  EXPECT_THAT(resolve_references("${file:" + missing + "}", env_of({})).errors,
              ElementsAre("${file:" + missing + "}: cannot read " + missing +
                          ": No such file or directory"));
  EXPECT_THAT(
      resolve_references("${file:" + dir.path() + "}", env_of({})).errors,
      ElementsAre("${file:" + dir.path() + "}: cannot read " + dir.path() + ": is a directory"));
  EXPECT_THAT(resolve_references("${file:}", env_of({})).errors,
              ElementsAre("${file:}: the file path is empty"));
}

// ---- References in a configuration ------------------------------------------------------------

const char* kSecuredCluster =
    "clusters:\n"
    "  a:\n"
    "    bootstrap_servers: ${env:A_SERVERS}\n"
    "    properties:\n"
    "      security.protocol: SASL_SSL\n"
    "      sasl.username: ${env:A_USER}\n"
    "      sasl.password: ${env:A_PASSWORD}\n"
    "      ssl.key.password: literal-key-password\n"
    "  b:\n"
    "    bootstrap_servers: b:9092\n";

TEST_F(ConfigTest, ReferencesResolveInPropertiesAndSettings) {
  LoadOutcome outcome = load_text(
      kSecuredCluster, {},
      env_of(
          {{"A_SERVERS", "a-0:9093,a-1:9093"}, {"A_USER", "mirror"}, {"A_PASSWORD", "s3cr3t-pw"}}));
  ASSERT_THAT(lines(outcome, dir_), IsEmpty());
  const ClusterSpec& a = outcome.spec.clusters.at("a");
  EXPECT_EQ(a.bootstrap_servers, "a-0:9093,a-1:9093");
  EXPECT_EQ(a.properties.at("sasl.username"), "mirror");
  EXPECT_EQ(a.properties.at("sasl.password"), "s3cr3t-pw");
  EXPECT_EQ(a.properties.at("ssl.key.password"), "literal-key-password");
  // Referenced values and password-like names are secret; security.protocol is not.
  EXPECT_THAT(a.secret_properties,
              UnorderedElementsAre("sasl.username", "sasl.password", "ssl.key.password"));
}

TEST_F(ConfigTest, SecretNamesAreSecretEvenWhenLiteral) {
  LoadOutcome outcome = load_text(
      "clusters:\n"
      "  a:\n"
      "    bootstrap_servers: a:9092\n"
      "    properties:\n"
      "      ssl.key.pem: PEM\n"
      "      sasl.oauthbearer.client.secret: S\n"
      "      sasl.oauthbearer.token.endpoint.url: https://idp/token\n"
      "      SASL.PASSWORD: P\n"
      "      client.id: mirror\n");
  ASSERT_TRUE(outcome.ok());
  EXPECT_THAT(outcome.spec.clusters.at("a").secret_properties,
              UnorderedElementsAre("ssl.key.pem", "sasl.oauthbearer.client.secret",
                                   "sasl.oauthbearer.token.endpoint.url", "SASL.PASSWORD"));
}

TEST_F(ConfigTest, ReferencesInFlowConsumerAndProducer) {
  LoadOutcome outcome = load_text(std::string(kTwoClusters) +
                                      "flows:\n"
                                      "  - name: f\n"
                                      "    source: a\n"
                                      "    target: b\n"
                                      "    consumer: {sasl.username: '${env:C_USER}'}\n"
                                      "    producer: {client.id: 'mirror-${env:POD}'}\n",
                                  {}, env_of({{"C_USER", "reader"}, {"POD", "p0"}}));
  ASSERT_TRUE(outcome.ok());
  const FlowSpec& flow = outcome.spec.flows.at(0);
  EXPECT_EQ(flow.consumer.at("sasl.username"), "reader");
  EXPECT_EQ(flow.producer.at("client.id"), "mirror-p0");
  EXPECT_THAT(flow.secret_properties, UnorderedElementsAre("sasl.username", "client.id"));
}

TEST_F(ConfigTest, FileReferenceInAProperty) {
  std::string password_file = dir_.write("secrets/password", "from-a-file\n");
  LoadOutcome outcome = load_text(
      "clusters:\n"
      "  a:\n"
      "    bootstrap_servers: a:9092\n"
      "    properties:\n"
      "      sasl.password: ${file:" +
      password_file + "}\n");
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.spec.clusters.at("a").properties.at("sasl.password"), "from-a-file");
}

TEST_F(ConfigTest, EscapedReferenceIsLiteralAndNotSecret) {
  LoadOutcome outcome = load_text(
      "clusters:\n"
      "  a:\n"
      "    bootstrap_servers: a:9092\n"
      "    properties:\n"
      "      client.id: $${env:NOT_A_REFERENCE}\n");
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.spec.clusters.at("a").properties.at("client.id"), "${env:NOT_A_REFERENCE}");
  EXPECT_THAT(outcome.spec.clusters.at("a").secret_properties, IsEmpty());
}

TEST_F(ConfigTest, UnresolvedReferencesAreErrorsAtTheScalar) {
  std::string missing = dir_.path() + "/nope";
  EXPECT_THAT(problems("clusters:\n"
                       "  a:\n"
                       "    bootstrap_servers: ${env:A_SERVERS}\n"
                       "    properties:\n"
                       "      sasl.password: \"${file:" +
                       missing +
                       "}\"\n"
                       "      sasl.username: x-${env:A_USER}-${env:A_SUFFIX}\n"),
              ElementsAre("mirror.yaml:3:24: bootstrap_servers: ${env:A_SERVERS}: environment "
                          "variable A_SERVERS is not set",
                          "mirror.yaml:5:22: properties.sasl.password: ${file:" + missing +
                              "}: cannot read " + missing + ": No such file or directory",
                          "mirror.yaml:6:22: properties.sasl.username: ${env:A_USER}: environment "
                          "variable A_USER is not set",
                          "mirror.yaml:6:22: properties.sasl.username: ${env:A_SUFFIX}: "
                          "environment variable A_SUFFIX is not set"));
}

TEST_F(ConfigTest, ReferencesWorkForTypedSettings) {
  LoadOutcome outcome = load_text(std::string(kTwoClusters) +
                                      "flows:\n"
                                      "  - name: ${env:FLOW}\n"
                                      "    source: a\n"
                                      "    target: b\n"
                                      "    enabled: ${env:ON}\n"
                                      "    replication_factor: ${env:RF}\n",
                                  {}, env_of({{"FLOW", "a-to-b"}, {"ON", "false"}, {"RF", "3"}}));
  ASSERT_THAT(lines(outcome, dir_), IsEmpty());
  EXPECT_EQ(outcome.spec.flows.at(0).name, "a-to-b");
  EXPECT_FALSE(outcome.spec.flows.at(0).enabled);
  EXPECT_EQ(outcome.spec.flows.at(0).replication_factor, 3);
}

// ---- Secrets never appear in a message --------------------------------------------------------

TEST_F(ConfigTest, ReferencedValuesAreNeverShown) {
  const std::string secret = "Sup3rS3cret";
  std::vector<std::string> found =
      lines(load_text(std::string(kTwoClusters) +
                          "flows:\n"
                          "  - name: ${env:S}\n"
                          "    source: ${env:S}\n"
                          "    target: b\n"
                          "    enabled: ${env:S}\n"
                          "    replication_factor: ${env:S}\n"
                          "    replication_policy: ${env:S}\n"
                          "    topics: ['${env:S}(']\n"
                          "    producer: {acks: '${env:S}', enable.idempotence: '${env:S}'}\n",
                      {}, env_of({{"S", secret}})),
            dir_);
  ASSERT_EQ(found.size(), 8u);
  for (const std::string& line : found) {
    EXPECT_THAT(line, Not(HasSubstr(secret)));
  }
  EXPECT_THAT(found[0], HasSubstr("got a value from a reference (not shown)"));
}

TEST_F(ConfigTest, LiteralSecretsUnderWrongKeysAreNotShown) {
  std::vector<std::string> found = problems(
      "clusters:\n"
      "  a:\n"
      "    bootstrap_servers: a:9092\n"
      "    sasl.password: hunter2\n"
      "    properties:\n"
      "      sasl.password: [hunter3]\n"
      "      ssl.key.pem: ${env:MISSING}hunter4\n"
      "      sasl.oauthbearer.client.secret: hunter5${\n");
  ASSERT_EQ(found.size(), 4u);
  for (const std::string& line : found) {
    EXPECT_THAT(line, Not(HasSubstr("hunter")));
  }
}

}  // namespace
}  // namespace mirror::config::testing
