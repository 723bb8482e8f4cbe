// mirror migrate on configurations shaped like the published examples (tests/migrate/data): what
// maps, what is noted, that no secret is written, and that the output loads as a mirror
// configuration once the variables it names are set.
#include "mirror/migrate/migrate.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "mirror/config/loader.h"
#include "mirror_source_dir.h"  // MIRROR_SOURCE_DIR (generated)

namespace mirror::migrate {
namespace {

std::string data(const std::string& name) {
  std::ifstream in(std::string(MIRROR_SOURCE_DIR) + "/tests/migrate/data/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Migration migrated(From from, const std::string& name) {
  auto m = migrate(from, data(name), name);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return m.ok() ? std::move(m.value()) : Migration{};
}

bool noted(const Migration& m, const std::string& what) {
  for (const auto& n : m.notes) {
    if (n.find(what) != std::string::npos) return true;
  }
  return false;
}

// Loads the output as `mirror validate` does, every variable it names set to a placeholder.
config::LoadOutcome load(const Migration& m, const std::string& name) {
  const auto path =
      std::filesystem::temp_directory_path() / ("mirror-migrate-test-" + name + ".yaml");
  std::ofstream(path) << m.yaml;
  std::set<std::string> names;
  for (const auto& v : m.env) names.insert(v.name);
  auto outcome =
      config::load(path.string(), {}, [&](const std::string& var) -> std::optional<std::string> {
        if (names.count(var) == 0) return std::nullopt;
        return var.find("BOOTSTRAP") != std::string::npos ? "kafka-0:9092" : "placeholder";
      });
  for (const auto& p : outcome.problems) ADD_FAILURE() << p.format() << "\n" << m.yaml;
  std::filesystem::remove(path);
  return outcome;
}

const config::FlowSpec* flow(const config::ServiceSpec& spec, const std::string& name) {
  for (const auto& f : spec.flows) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

TEST(MigrateMm2, KafkasSampleFileBecomesTwoFlowsAndNamesTheConnectSettings) {
  const auto m = migrated(From::Mm2, "connect-mirror-maker.properties");
  const auto spec = load(m, "sample").spec;
  ASSERT_EQ(spec.flows.size(), 2u);
  const auto* ab = flow(spec, "a-to-b");
  ASSERT_NE(ab, nullptr);
  EXPECT_EQ(ab->source, "A");
  EXPECT_EQ(ab->target, "B");
  EXPECT_EQ(ab->replication_factor, 1);
  EXPECT_EQ(ab->topics, std::vector<std::string>{".*"});
  EXPECT_NE(flow(spec, "b-to-a"), nullptr);
  EXPECT_EQ(spec.clusters.at("A").bootstrap_servers, "A_host1:9092,A_host2:9092,A_host3:9092");
  const std::string file = "connect-mirror-maker.properties";
  EXPECT_TRUE(noted(m, file + ":37: offset.storage.replication.factor: a Kafka Connect setting"));
  EXPECT_TRUE(noted(m, file + ":30: checkpoints.topic.replication.factor: the checkpoints topic "
                              "gets the flow's replication_factor"));
  EXPECT_TRUE(noted(m, "groups.exclude: not set: MirrorMaker 2's default list written out"));
  EXPECT_TRUE(m.env.empty());
}

TEST(MigrateMm2, SecuredClustersKeepTheirSettingsAndNoSecretIsWritten) {
  const auto m = migrated(From::Mm2, "secured.properties");
  for (const char* secret : {"Pr1mary-Secret!", "Trust-Store-Secret", "Key-Secret"}) {
    EXPECT_EQ(m.yaml.find(secret), std::string::npos) << secret << " in\n" << m.yaml;
    for (const auto& n : m.notes) EXPECT_EQ(n.find(secret), std::string::npos) << n;
  }
  ASSERT_EQ(m.env.size(), 2u);  // by name
  EXPECT_EQ(m.env[0].name, "BACKUP_SSL_KEY_PASSWORD");
  EXPECT_EQ(m.env[1].name, "PRIMARY_SASL_PASSWORD");
  EXPECT_EQ(m.env[1].what, "the password in sasl.jaas.config of primary");
  const auto spec = load(m, "secured").spec;
  const auto& primary = spec.clusters.at("primary");
  EXPECT_EQ(primary.properties.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(primary.properties.at("sasl.mechanism"), "SCRAM-SHA-512");
  EXPECT_EQ(primary.properties.at("sasl.username"), "mirror-reader");
  EXPECT_EQ(primary.properties.at("ssl.ca.location"), "/etc/kafka/secrets/primary-ca.pem");
  EXPECT_EQ(spec.clusters.at("backup").properties.at("ssl.endpoint.identification.algorithm"),
            "none");
  ASSERT_EQ(spec.flows.size(), 1u) << "backup->primary is not enabled";
  const auto& f = spec.flows[0];
  EXPECT_EQ(f.name, "primary-to-backup");
  EXPECT_EQ(f.topics, (std::vector<std::string>{"orders\\..*", "payments"}));
  EXPECT_EQ(f.topics_exclude, (std::vector<std::string>{".*\\.internal", "__.*"}));
  EXPECT_EQ(f.groups, std::vector<std::string>{"billing-.*"});
  EXPECT_EQ(f.replication_policy, config::ReplicationPolicy::Identity);
  EXPECT_TRUE(f.sync_group_offsets_enabled);
  EXPECT_EQ(f.emit_checkpoints_interval_seconds, 30) << "A->B.<key> wins";
  EXPECT_EQ(f.emit_heartbeats_interval_seconds, 5) << "a global key applies";
  EXPECT_EQ(f.refresh_topics_interval_seconds, 60);
  EXPECT_EQ(f.replication_factor, 3);
  EXPECT_EQ(f.producer.at("linger.ms"), "20");
  EXPECT_EQ(f.producer.at("queue.buffering.max.kbytes"), "65536") << "buffer.memory in KiB";
  EXPECT_EQ(f.producer.at("compression.type"), "zstd") << "the target's producer settings";
  EXPECT_EQ(f.consumer.at("fetch.max.bytes"), "52428800") << "the source's consumer settings";
  EXPECT_EQ(f.producer.count("acks"), 0u);
  const std::string file = "secured.properties";
  EXPECT_TRUE(noted(m, file + ":32: acks: managed by mirror"));
  EXPECT_TRUE(noted(m, file + ":30: max.poll.records: no librdkafka equivalent"));
  EXPECT_TRUE(noted(m, file + ":14: ssl.truststore.location: librdkafka reads PEM"));
  EXPECT_TRUE(noted(m, file + ":34: backup->primary.enabled: false: no flow written"));
  EXPECT_TRUE(noted(m, file + ":36: tasks.max: no tasks"));
  EXPECT_TRUE(noted(m, file + ":43: dedicated.mode.enable.internal.rest: a Kafka Connect setting"));
}

TEST(MigrateMm2, ReadsJavaPropertiesSyntax) {
  const std::string text =
      "! a comment\n"
      "clusters: x,\\\n"
      "   y\n"
      "x.bootstrap.servers x-0:9092\n"
      "y.bootstrap.servers=y-0:9092\n"
      "x->y.enabled = TRUE\n"
      "x->y.topics = a\\u0062c, d\\=e\n";
  auto m = migrate(From::Mm2, text, "t.properties");
  ASSERT_TRUE(m.ok()) << m.error().message;
  const auto spec = load(*m, "syntax").spec;
  ASSERT_EQ(spec.flows.size(), 1u);
  EXPECT_EQ(spec.flows[0].name, "x-to-y");
  EXPECT_EQ(spec.flows[0].topics, (std::vector<std::string>{"abc", "d=e"}));
  EXPECT_EQ(spec.clusters.at("x").bootstrap_servers, "x-0:9092");
}

TEST(MigrateMm2, InputItCannotReadIsAnErrorThatNamesFileAndLine) {
  auto no_clusters = migrate(From::Mm2, "a.bootstrap.servers = x:1\n", "m.properties");
  ASSERT_FALSE(no_clusters.ok());
  EXPECT_NE(no_clusters.error().message.find("m.properties: no 'clusters' key"), std::string::npos);
  auto unknown = migrate(From::Mm2,
                         "clusters = a, b\na.bootstrap.servers = a:1\nb.bootstrap.servers = b:1\n"
                         "a->c.enabled = true\n",
                         "m.properties");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message,
            "m.properties:4: a->c.enabled: 'c' is not one of the clusters (a, b)");
  auto no_servers = migrate(From::Mm2, "clusters = a\n", "m.properties");
  ASSERT_FALSE(no_servers.ok());
  EXPECT_EQ(no_servers.error().message, "m.properties: cluster 'a' has no a.bootstrap.servers");
}

TEST(MigrateMm2, FlowNamesAreOnesMirrorAccepts) {
  auto m =
      migrate(From::Mm2,
              "clusters = DC_1, dc.2\nDC_1.bootstrap.servers = a:1\ndc.2.bootstrap.servers = b:1\n"
              "DC_1->dc.2.enabled = true\n",
              "m.properties");
  ASSERT_TRUE(m.ok()) << m.error().message;
  const auto spec = load(*m, "names").spec;
  ASSERT_EQ(spec.flows.size(), 1u);
  EXPECT_EQ(spec.flows[0].name, "dc-1-to-dc-2");
  EXPECT_EQ(spec.flows[0].source, "DC_1");
}

TEST(MigrateStrimzi, TheBasicExampleMapsAndItsConnectorsSettingsAreNoted) {
  const auto m = migrated(From::Strimzi, "strimzi-kafka-mirror-maker-2.yaml");
  const auto spec = load(m, "strimzi-basic").spec;
  ASSERT_EQ(spec.flows.size(), 1u);
  const auto& f = spec.flows[0];
  EXPECT_EQ(f.name, "cluster-a-to-cluster-b");
  EXPECT_EQ(f.source, "cluster-a");
  EXPECT_EQ(f.replication_factor, -1);
  EXPECT_FALSE(f.sync_topic_acls_enabled);
  EXPECT_FALSE(f.follower_fetching_enabled) << "no spec.rack: Strimzi sends no client.rack";
  EXPECT_TRUE(f.emit_heartbeats_enabled && f.emit_checkpoints_enabled) << "both connectors given";
  EXPECT_EQ(spec.clusters.at("cluster-b").bootstrap_servers, "cluster-b-kafka-bootstrap:9092");
  const std::string file = "strimzi-kafka-mirror-maker-2.yaml";
  EXPECT_TRUE(noted(m, file + ":9: spec.connectCluster"));
  EXPECT_TRUE(noted(m, file + ":17: clusters.cluster-b.config.config.storage.replication.factor: a "
                              "Kafka Connect setting"));
  EXPECT_TRUE(noted(m, file + ":24: tasks.max"));
  EXPECT_TRUE(noted(m, "spec.rack: absent"));
}

TEST(MigrateStrimzi, TlsScramAndRackBecomeLibrdkafkaSettingsSecretFilesAndFollowerFetching) {
  const auto m = migrated(From::Strimzi, "strimzi-tls-scram.yaml");
  ASSERT_EQ(m.env.size(), 1u);
  EXPECT_EQ(m.env[0].name, "MY_SOURCE_CLUSTER_SASL_PASSWORD");
  EXPECT_EQ(m.env[0].what, "key password of Secret my-source-user (the chart's secretEnv)");
  const auto spec = load(m, "strimzi-tls").spec;
  const auto& source = spec.clusters.at("my-source-cluster").properties;
  EXPECT_EQ(source.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(source.at("sasl.mechanism"), "SCRAM-SHA-512");
  EXPECT_EQ(source.at("sasl.username"), "my-source-user");
  EXPECT_EQ(source.at("ssl.ca.location"),
            "/etc/mirror-secrets/my-source-cluster-cluster-ca-cert/ca.crt");
  const auto& target = spec.clusters.at("my-target-cluster").properties;
  EXPECT_EQ(target.at("security.protocol"), "SSL");
  EXPECT_EQ(target.at("ssl.certificate.location"), "/etc/mirror-secrets/my-target-user/user.crt");
  EXPECT_EQ(target.at("ssl.key.location"), "/etc/mirror-secrets/my-target-user/user.key");
  ASSERT_EQ(spec.flows.size(), 1u);
  const auto& f = spec.flows[0];
  EXPECT_TRUE(f.follower_fetching_enabled) << "spec.rack";
  EXPECT_EQ(f.replication_policy, config::ReplicationPolicy::Identity);
  EXPECT_EQ(f.topics, std::vector<std::string>{"orders.*|payments"});
  EXPECT_EQ(f.topics_exclude, std::vector<std::string>{".*-internal"});
  EXPECT_EQ(f.groups_exclude, std::vector<std::string>{"console-consumer-.*"});
  EXPECT_TRUE(f.sync_group_offsets_enabled);
  EXPECT_EQ(f.emit_checkpoints_interval_seconds, 30);
  EXPECT_FALSE(f.emit_heartbeats_enabled) << "no heartbeatConnector";
  EXPECT_EQ(f.producer.at("compression.type"), "zstd") << "producer.override.*";
  EXPECT_TRUE(noted(m, "tls.trustedCertificates: mount Secret my-source-cluster-cluster-ca-cert"));
}

TEST(MigrateStrimzi, TheTargetShapeWorksAndBadInputIsAnError) {
  const auto m = migrated(From::Strimzi, "strimzi-v1-target.yaml");
  const auto spec = load(m, "strimzi-v1").spec;
  ASSERT_EQ(spec.flows.size(), 1u);
  EXPECT_EQ(spec.flows[0].source, "cluster-a");
  EXPECT_EQ(spec.flows[0].target, "cluster-b");
  EXPECT_FALSE(spec.flows[0].emit_checkpoints_enabled) << "no checkpointConnector";
  EXPECT_TRUE(noted(m, "clusters.cluster-b.groupId: a Kafka Connect setting"));
  auto bad = migrate(From::Strimzi, "kind: KafkaMirrorMaker2\nspec: [a,\n", "mm2.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.rfind("mm2.yaml:", 0), 0u) << bad.error().message;
  auto other = migrate(From::Strimzi, "kind: Kafka\nspec: {}\n", "k.yaml");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().message, "k.yaml: not a KafkaMirrorMaker2 resource (kind: Kafka)");
  auto unknown = migrate(
      From::Strimzi,
      "kind: KafkaMirrorMaker2\nspec:\n  clusters:\n  - alias: a\n    bootstrapServers: a:1\n"
      "  mirrors:\n  - sourceCluster: a\n    targetCluster: b\n",
      "u.yaml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message, "u.yaml:7: mirror names cluster 'b', which is not defined");
}

TEST(MigrateAiven, ReplicationFlowsKeepTheirFieldsAndClustersAreLeftToFillIn) {
  const auto m = migrated(From::Aiven, "aiven-replication-flows.json");
  ASSERT_EQ(m.env.size(), 2u);
  EXPECT_EQ(m.env[0].name, "KAFKA_EU_BOOTSTRAP_SERVERS");
  const auto spec = load(m, "aiven").spec;
  ASSERT_EQ(spec.flows.size(), 2u);
  const auto* eu = flow(spec, "kafka-eu-to-kafka-us");
  ASSERT_NE(eu, nullptr);
  EXPECT_TRUE(eu->enabled);
  EXPECT_EQ(eu->topics, (std::vector<std::string>{"orders\\..*", "payments"}));
  EXPECT_EQ(eu->topics_exclude.size(), 3u);
  EXPECT_EQ(eu->replication_policy, config::ReplicationPolicy::Default);
  EXPECT_TRUE(eu->sync_group_offsets_enabled);
  EXPECT_EQ(eu->sync_group_offsets_interval_seconds, 30);
  EXPECT_EQ(eu->replication_factor, 3);
  EXPECT_EQ(eu->config_properties_exclude.size(), 6u);
  EXPECT_TRUE(eu->follower_fetching_enabled);
  const auto* us = flow(spec, "kafka-us-to-kafka-eu");
  ASSERT_NE(us, nullptr);
  EXPECT_FALSE(us->enabled);
  EXPECT_EQ(us->replication_policy, config::ReplicationPolicy::Identity);
  EXPECT_EQ(spec.clusters.at("kafka-eu").bootstrap_servers, "kafka-0:9092");
  EXPECT_TRUE(noted(m, "emit_backward_heartbeats_enabled"));
  EXPECT_TRUE(noted(m, "offset.lag.max"));
}

TEST(MigrateAiven, OneFlowOrAListAndBadInputIsAnError) {
  const std::string one = R"({"source_cluster": "a", "target_cluster": "b", "topics": ["x"]})";
  auto m = migrate(From::Aiven, one, "f.json");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(load(*m, "aiven-one").spec.flows.size(), 1u);
  auto list = migrate(From::Aiven, "[" + one + "]", "f.json");
  ASSERT_TRUE(list.ok());
  auto bad = migrate(From::Aiven, "{", "f.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.rfind("f.json: not JSON", 0), 0u);
  auto missing = migrate(From::Aiven, R"([{"target_cluster": "b"}])", "f.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "f.json: replication flow 1: source_cluster and target_cluster (strings) are required");
}

TEST(Migrate, MalformedInputIsAnErrorNeverACrash) {
  const std::vector<std::pair<From, std::string>> inputs = {
      {From::Mm2, "clusters = a\na.bootstrap.servers = x\\uZZ"},
      {From::Mm2, "clusters = a\na.bootstrap.servers = x\\u12"},
      {From::Mm2, "clusters =\n"},
      {From::Mm2,
       "clusters = a, b\na.bootstrap.servers=a\nb.bootstrap.servers=b\na->b.enabled = maybe\n"},
      {From::Mm2, "\\"},
      {From::Strimzi, "kind: KafkaMirrorMaker2\nspec:\n  clusters: [1, 2]\n  mirrors: x\n"},
      {From::Strimzi, "kind: KafkaMirrorMaker2\nspec:\n  clusters:\n  - alias: [a]\n"},
      {From::Strimzi,
       "kind: KafkaMirrorMaker2\nspec:\n  clusters:\n  - {alias: a, bootstrapServers: b, tls: "
       "{trustedCertificates: 3}}\n  mirrors:\n  - 7\n"},
      {From::Strimzi, "- 1\n- 2\n"},
      {From::Strimzi, ""},
      {From::Aiven, "[1, 2]"},
      {From::Aiven, R"({"replication_flows": {"a": 1}})"},
      {From::Aiven, R"({"source_cluster": 1, "target_cluster": []})"},
      {From::Aiven,
       R"({"source_cluster": "a", "target_cluster": "b", "topics": {"x": [1]}, "enable": "yes"})"},
      {From::Aiven, ""},
  };
  for (const auto& [from, text] : inputs) {
    auto m = migrate(from, text, "bad");
    if (!m.ok()) {
      EXPECT_EQ(m.error().message.rfind("bad", 0), 0u) << m.error().message;
    }
  }
}

}  // namespace
}  // namespace mirror::migrate
