// The happy path: what a valid configuration loads into, defaults, and locations.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/config/test_util.h"

namespace mirror::config::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST_F(ConfigTest, MinimalConfigGetsDefaults) {
  LoadOutcome outcome = load_text(
      "clusters:\n"
      "  a: {bootstrap_servers: 'a:9092'}\n"
      "  b: {bootstrap_servers: 'b:9092'}\n"
      "flows:\n"
      "  - {name: a-to-b, source: a, target: b}\n");
  ASSERT_THAT(lines(outcome, dir_), IsEmpty());
  const ServiceSpec& spec = outcome.spec;
  EXPECT_EQ(spec.node.availability_zone, "auto");
  EXPECT_THAT(spec.node.availability_zone_sources,
              ElementsAre("env", "file", "kubernetes", "aws", "gcp", "azure"));
  EXPECT_EQ(spec.http.listen, "0.0.0.0:9464");
  ASSERT_EQ(spec.clusters.size(), 2u);
  EXPECT_EQ(spec.clusters.at("a").rack_id_format, RackIdFormat::ZoneId);
  EXPECT_THAT(spec.clusters.at("a").properties, IsEmpty());
  ASSERT_EQ(spec.flows.size(), 1u);
  const FlowSpec& flow = spec.flows[0];
  const FlowSpec defaults;
  EXPECT_EQ(flow.name, "a-to-b");
  EXPECT_EQ(flow.source, "a");
  EXPECT_EQ(flow.target, "b");
  EXPECT_TRUE(flow.enabled);
  EXPECT_EQ(flow.topics, defaults.topics);
  EXPECT_EQ(flow.topics_exclude, defaults.topics_exclude);
  EXPECT_TRUE(flow.follower_fetching_enabled);
  EXPECT_EQ(flow.replication_policy, ReplicationPolicy::Default);
  EXPECT_EQ(flow.replication_policy_separator, ".");
  EXPECT_EQ(flow.replication_factor, -1);
  EXPECT_TRUE(flow.sync_topic_configs_enabled);
  EXPECT_EQ(flow.refresh_topics_interval_seconds, 30);
  EXPECT_FALSE(flow.sync_topic_acls_enabled);
  EXPECT_EQ(flow.sync_topic_acls_interval_seconds, 600);
  EXPECT_TRUE(flow.emit_heartbeats_enabled);
  EXPECT_TRUE(flow.emit_checkpoints_enabled);
  EXPECT_FALSE(flow.sync_group_offsets_enabled);
  EXPECT_EQ(flow.groups, defaults.groups);
  EXPECT_THAT(flow.groups_exclude, IsEmpty());
  EXPECT_THAT(flow.consumer, IsEmpty());
  EXPECT_THAT(flow.producer, IsEmpty());
  EXPECT_EQ(flow.unreplicable_records, UnreplicableRecords::Fail);
  EXPECT_EQ(flow.dead_letter_topic, "");
}

TEST_F(ConfigTest, EveryKeySet) {
  LoadOutcome outcome = load_text(
      "node:\n"
      "  availability_zone: use1-az1\n"
      "  availability_zone_sources: [aws, env]\n"
      "http:\n"
      "  listen: 127.0.0.1:8080\n"
      "clusters:\n"
      "  primary:\n"
      "    bootstrap_servers: kafka-a-0:9092,kafka-a-1:9092\n"
      "    rack_id_format: zone-name\n"
      "    properties:\n"
      "      security.protocol: SASL_SSL\n"
      "      socket.timeout.ms: 30000\n"
      "  backup:\n"
      "    bootstrap_servers: kafka-b-0:9092\n"
      "flows:\n"
      "  - name: primary-to-backup\n"
      "    source: primary\n"
      "    target: backup\n"
      "    enabled: false\n"
      "    topics: [\"orders\\\\..*\", payments]\n"
      "    topics_exclude: []\n"
      "    follower_fetching_enabled: false\n"
      "    replication_policy: identity\n"
      "    replication_policy_separator: _\n"
      "    replication_factor: 3\n"
      "    sync_topic_configs_enabled: false\n"
      "    config_properties_exclude: [\"min\\\\.insync\\\\.replicas\"]\n"
      "    refresh_topics_interval_seconds: 5\n"
      "    sync_topic_acls_enabled: true\n"
      "    sync_topic_acls_interval_seconds: 30\n"
      "    emit_heartbeats_enabled: false\n"
      "    emit_checkpoints_enabled: false\n"
      "    sync_group_offsets_enabled: true\n"
      "    groups: [app-.*]\n"
      "    groups_exclude: [test-.*]\n"
      "    unreplicable_records: dead_letter\n"
      "    dead_letter_topic: primary.dlq\n"
      "    consumer: {fetch.min.bytes: 1024}\n"
      "    producer: {linger.ms: 20, acks: all, enable.idempotence: true}\n");
  ASSERT_THAT(lines(outcome, dir_), IsEmpty());
  const ServiceSpec& spec = outcome.spec;
  EXPECT_EQ(spec.node.availability_zone, "use1-az1");
  EXPECT_THAT(spec.node.availability_zone_sources, ElementsAre("aws", "env"));
  EXPECT_EQ(spec.http.listen, "127.0.0.1:8080");
  const ClusterSpec& primary = spec.clusters.at("primary");
  EXPECT_EQ(primary.name, "primary");
  EXPECT_EQ(primary.bootstrap_servers, "kafka-a-0:9092,kafka-a-1:9092");
  EXPECT_EQ(primary.rack_id_format, RackIdFormat::ZoneName);
  EXPECT_EQ(primary.properties.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(primary.properties.at("socket.timeout.ms"), "30000");
  EXPECT_THAT(primary.secret_properties, IsEmpty());
  const FlowSpec& flow = spec.flows.at(0);
  EXPECT_FALSE(flow.enabled);
  EXPECT_THAT(flow.topics, ElementsAre("orders\\..*", "payments"));
  EXPECT_THAT(flow.topics_exclude, IsEmpty());
  EXPECT_FALSE(flow.follower_fetching_enabled);
  EXPECT_EQ(flow.replication_policy, ReplicationPolicy::Identity);
  EXPECT_EQ(flow.replication_policy_separator, "_");
  EXPECT_EQ(flow.replication_factor, 3);
  EXPECT_FALSE(flow.sync_topic_configs_enabled);
  EXPECT_EQ(flow.unreplicable_records, UnreplicableRecords::DeadLetter);
  EXPECT_EQ(flow.dead_letter_topic, "primary.dlq");
  EXPECT_THAT(flow.config_properties_exclude, ElementsAre("min\\.insync\\.replicas"));
  EXPECT_EQ(flow.refresh_topics_interval_seconds, 5);
  EXPECT_TRUE(flow.sync_topic_acls_enabled);
  EXPECT_EQ(flow.sync_topic_acls_interval_seconds, 30);
  EXPECT_FALSE(flow.emit_heartbeats_enabled);
  EXPECT_FALSE(flow.emit_checkpoints_enabled);
  EXPECT_TRUE(flow.sync_group_offsets_enabled);
  EXPECT_THAT(flow.groups, ElementsAre("app-.*"));
  EXPECT_THAT(flow.groups_exclude, ElementsAre("test-.*"));
  EXPECT_EQ(flow.consumer.at("fetch.min.bytes"), "1024");
  EXPECT_EQ(flow.producer.at("linger.ms"), "20");
  EXPECT_EQ(flow.producer.at("acks"), "all");
}

TEST_F(ConfigTest, ZeroFlowsIsValid) {
  EXPECT_THAT(problems("clusters:\n  a: {bootstrap_servers: 'a:9092'}\n"), IsEmpty());
  EXPECT_THAT(problems("http:\n  listen: 0.0.0.0:9464\n"), IsEmpty());
  EXPECT_THAT(problems("flows: []\n"), IsEmpty());
}

TEST_F(ConfigTest, EmptySectionsMeanDefaults) {
  LoadOutcome outcome = load_text(
      "node:\n"
      "  # availability_zone: use1-az1\n"
      "http:\n"
      "clusters:\n"
      "flows:\n");
  EXPECT_THAT(lines(outcome, dir_), IsEmpty());
  EXPECT_EQ(outcome.spec.node.availability_zone, "auto");
  EXPECT_EQ(outcome.spec.http.listen, "0.0.0.0:9464");
}

TEST_F(ConfigTest, TheRecordBufferBudgetDefaultsTo512MiB) {
  LoadOutcome outcome = load_text("flows: []\n");
  ASSERT_THAT(lines(outcome, dir_), IsEmpty());
  EXPECT_EQ(outcome.spec.memory.record_buffers_mib, 512);
  outcome = load_text("memory:\n  record_buffers_mib: 2048\nflows: []\n");
  ASSERT_THAT(lines(outcome, dir_), IsEmpty());
  EXPECT_EQ(outcome.spec.memory.record_buffers_mib, 2048);
}

TEST_F(ConfigTest, LogLinesAreTextUnlessJsonIsAskedFor) {
  LoadOutcome outcome = load_text("flows: []\n");
  ASSERT_THAT(lines(outcome, dir_), IsEmpty());
  EXPECT_EQ(outcome.spec.log.format, LogFormat::Text);
  outcome = load_text("log:\n  format: json\nflows: []\n");
  ASSERT_THAT(lines(outcome, dir_), IsEmpty());
  EXPECT_EQ(outcome.spec.log.format, LogFormat::Json);
}

TEST_F(ConfigTest, LocationsAreFilled) {
  LoadOutcome outcome = load_text(
      "clusters:\n"
      "  a:\n"
      "    bootstrap_servers: a:9092\n"
      "  b: {bootstrap_servers: 'b:9092'}\n"
      "flows:\n"
      "  - name: a-to-b\n"
      "    source: a\n"
      "    target: b\n"
      "  - {name: b-to-a, source: b, target: a}\n");
  ASSERT_TRUE(outcome.ok());
  std::string file = dir_.path() + "/mirror.yaml";
  const Location& a = outcome.spec.clusters.at("a").location;
  EXPECT_EQ(a.file, file);
  EXPECT_EQ(a.line, 2);
  EXPECT_EQ(a.column, 3);
  EXPECT_EQ(outcome.spec.clusters.at("b").location.line, 4);
  ASSERT_EQ(outcome.spec.flows.size(), 2u);
  EXPECT_EQ(outcome.spec.flows[0].location.file, file);
  EXPECT_EQ(outcome.spec.flows[0].location.line, 6);
  EXPECT_EQ(outcome.spec.flows[0].location.column, 5);
  EXPECT_EQ(outcome.spec.flows[1].location.line, 9);
  EXPECT_EQ(outcome.spec.flows[1].location.column, 5);
}

TEST_F(ConfigTest, HttpListenForms) {
  for (const char* listen : {"0.0.0.0:9464", "127.0.0.1:0", "localhost:65535", "[::]:9464",
                             "[::1]:80", "mirror-0.mirror.svc.cluster.local:9464"}) {
    EXPECT_THAT(problems(std::string("http: {listen: '") + listen + "'}\n"), IsEmpty()) << listen;
  }
}

TEST_F(ConfigTest, IntegersAcceptSignAndBounds) {
  std::string flow = std::string(kTwoClusters) + "flows:\n  - {name: f, source: a, target: b, ";
  EXPECT_THAT(problems(flow + "replication_factor: -1}\n"), IsEmpty());
  EXPECT_THAT(problems(flow + "replication_factor: +1}\n"), IsEmpty());
  EXPECT_THAT(problems(flow + "replication_factor: 32767}\n"), IsEmpty());
  EXPECT_THAT(problems(flow + "refresh_topics_interval_seconds: 2147483647}\n"), IsEmpty());
}

TEST_F(ConfigTest, QuotedScalarsAreReadByTheirText) {
  LoadOutcome outcome = load_text(std::string(kTwoClusters) +
                                  "flows:\n"
                                  "  - {name: f, source: a, target: b, enabled: 'false', "
                                  "replication_factor: \"2\"}\n");
  ASSERT_TRUE(outcome.ok()) << lines(outcome, dir_)[0];
  EXPECT_FALSE(outcome.spec.flows[0].enabled);
  EXPECT_EQ(outcome.spec.flows[0].replication_factor, 2);
}

TEST_F(ConfigTest, AnchorsAndAliasesWork) {
  LoadOutcome outcome = load_text(std::string(kTwoClusters) +
                                  "flows:\n"
                                  "  - name: a-to-b\n"
                                  "    source: a\n"
                                  "    target: b\n"
                                  "    consumer: &tuned {fetch.min.bytes: 1024}\n"
                                  "  - name: b-to-a\n"
                                  "    source: b\n"
                                  "    target: a\n"
                                  "    consumer: *tuned\n");
  ASSERT_THAT(lines(outcome, dir_), IsEmpty());
  EXPECT_EQ(outcome.spec.flows.at(1).consumer.at("fetch.min.bytes"), "1024");
}

TEST_F(ConfigTest, FlowsDirectoryWithTrailingSlash) {
  dir_.write("flows/a.yaml", "flows:\n  - {name: f, source: a, target: b}\n");
  LoadOutcome outcome =
      load(dir_.write("mirror.yaml", kTwoClusters), {dir_.path() + "/flows/"}, env_of({}));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.spec.flows.at(0).location.file, dir_.path() + "/flows/a.yaml");
}

TEST(ProcessEnv, ReadsTheEnvironment) {
  ::setenv("MIRROR_CONFIG_TEST_VARIABLE", "value", 1);
  EXPECT_EQ(process_env("MIRROR_CONFIG_TEST_VARIABLE"), "value");
  ::unsetenv("MIRROR_CONFIG_TEST_VARIABLE");
  EXPECT_EQ(process_env("MIRROR_CONFIG_TEST_VARIABLE"), std::nullopt);
}

TEST(Diagnostic, Format) {
  EXPECT_EQ((Diagnostic{{"a.yaml", 3, 7}, "bad"}).format(), "a.yaml:3:7: bad");
  EXPECT_EQ((Diagnostic{{"a.yaml", 3, 0}, "bad"}).format(), "a.yaml:3: bad");
  EXPECT_EQ((Diagnostic{{"a.yaml", 0, 0}, "cannot read"}).format(), "a.yaml: cannot read");
}

TEST(DisplayValue, RedactsSecrets) {
  std::set<std::string> secrets{"sasl.username"};
  EXPECT_EQ(display_value(secrets, "sasl.username", "mirror"), "***");
  EXPECT_EQ(display_value(secrets, "sasl.password", "hunter2"), "***");
  EXPECT_EQ(display_value(secrets, "ssl.key.pem", "-----BEGIN"), "***");
  EXPECT_EQ(display_value(secrets, "security.protocol", "SASL_SSL"), "SASL_SSL");
}

}  // namespace
}  // namespace mirror::config::testing
