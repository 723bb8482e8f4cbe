// Every kind of problem, with its exact "FILE:LINE:COL: message".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/config/test_util.h"

namespace mirror::config::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A flow file with one valid flow (lines 1-4) plus `extra` lines from line 5 on, inside the flow.
std::string flow_with(const std::string& extra) {
  return "flows:\n"
         "  - name: f\n"
         "    source: a\n"
         "    target: b\n" +
         extra;
}

// ---- YAML syntax and file shape --------------------------------------------------------------

TEST_F(ConfigTest, SyntaxErrorHasItsPosition) {
  EXPECT_THAT(problems("clusters:\n  a: [1,\n"),
              ElementsAre("mirror.yaml:3:1: YAML syntax error: end of sequence flow not found"));
}

TEST_F(ConfigTest, TabIndentationIsASyntaxError) {
  EXPECT_THAT(problems("node:\n\tavailability_zone: auto\n"),
              ElementsAre("mirror.yaml:2:19: YAML syntax error: illegal map value"));
}

TEST_F(ConfigTest, UndefinedAliasIsASyntaxError) {
  EXPECT_THAT(
      problems("node: *nothing\n"),
      ElementsAre("mirror.yaml:1:7: YAML syntax error: the referenced anchor is not defined"));
}

TEST_F(ConfigTest, StrayTokenAtTheRoot) {
  // yaml-cpp 0.7 alone would loop forever on this (its LoadAll never gets past the comma).
  EXPECT_THAT(problems(","), ElementsAre("mirror.yaml:1:1: YAML syntax error: unexpected ','"));
  EXPECT_THAT(problems("node: {}\n---\n,\n"),
              ElementsAre("mirror.yaml:3:1: YAML syntax error: unexpected ','"));
}

TEST_F(ConfigTest, EmptyFile) {
  EXPECT_THAT(problems(""), ElementsAre("mirror.yaml: the file is empty"));
  EXPECT_THAT(problems("# just a comment\n"), ElementsAre("mirror.yaml: the file is empty"));
}

TEST_F(ConfigTest, FileThatIsNotAMapping) {
  EXPECT_THAT(problems("- node\n"),
              ElementsAre("mirror.yaml:1:1: expected a mapping at the top level, got a list"));
  EXPECT_THAT(problems("just words\n"),
              ElementsAre("mirror.yaml:1:1: expected a mapping at the top level, got a scalar"));
}

TEST_F(ConfigTest, SecondDocument) {
  EXPECT_THAT(problems("http: {}\n---\nnode: {}\n"),
              ElementsAre("mirror.yaml:3:1: a second YAML document: a file holds exactly one"));
}

TEST_F(ConfigTest, MissingConfigFile) {
  LoadOutcome outcome = load(dir_.path() + "/missing.yaml", {}, env_of({}));
  EXPECT_THAT(lines(outcome, dir_),
              ElementsAre("missing.yaml: cannot read the file: No such file or directory"));
}

TEST_F(ConfigTest, ConfigFileThatIsADirectory) {
  LoadOutcome outcome = load(dir_.mkdir("conf"), {}, env_of({}));
  EXPECT_THAT(lines(outcome, dir_), ElementsAre("conf: cannot read the file: is a directory"));
}

// ---- Unknown and duplicate keys --------------------------------------------------------------

TEST_F(ConfigTest, UnknownTopLevelKeySuggestsNearest) {
  EXPECT_THAT(problems("nodes: {}\n"),
              ElementsAre("mirror.yaml:1:1: unknown key 'nodes' in the config file; did you mean "
                          "'node'?"));
}

TEST_F(ConfigTest, UnknownTopLevelKeyListsTheKnownOnes) {
  EXPECT_THAT(problems("replication: {}\n"),
              ElementsAre("mirror.yaml:1:1: unknown key 'replication' in the config file "
                          "(expected node, http, log, memory, clusters, flows)"));
}

TEST_F(ConfigTest, UnknownFlowKeySuggestsNearest) {
  EXPECT_THAT(flow_file_problems(flow_with("    topic_exclude: []\n")),
              ElementsAre("flows.yaml:5:5: unknown key 'topic_exclude' in flow 'f'; did you mean "
                          "'topics_exclude'?"));
}

TEST_F(ConfigTest, UnknownFlowKeyFarFromAnyKnownOne) {
  EXPECT_THAT(flow_file_problems(flow_with("    colour: red\n")),
              ElementsAre("flows.yaml:5:5: unknown key 'colour' in flow 'f'"));
}

TEST_F(ConfigTest, UnknownClusterKey) {
  EXPECT_THAT(problems("clusters:\n"
                       "  a:\n"
                       "    bootstrap_servers: a:9092\n"
                       "    bootstrap_server: a:9092\n"),
              ElementsAre("mirror.yaml:4:5: unknown key 'bootstrap_server' in cluster 'a'; did you "
                          "mean 'bootstrap_servers'?"));
}

TEST_F(ConfigTest, UnknownNodeAndHttpKeys) {
  EXPECT_THAT(
      problems("node:\n  zone: a\nhttp:\n  port: 1\n"),
      ElementsAre("mirror.yaml:2:3: unknown key 'zone' in node (expected availability_zone, "
                  "availability_zone_sources, instance_id)",
                  "mirror.yaml:4:3: unknown key 'port' in http (expected listen, admin_token)"));
}

TEST_F(ConfigTest, MergeKeysAreNotSupported) {
  EXPECT_THAT(problems("node:\n  <<: {availability_zone: a}\n"),
              ElementsAre("mirror.yaml:2:3: unknown key '<<' in node: YAML merge keys are not "
                          "supported"));
}

TEST_F(ConfigTest, DuplicateTopLevelKey) {
  EXPECT_THAT(problems("http: {}\nnode: {}\nhttp: {}\n"),
              ElementsAre("mirror.yaml:3:1: duplicate key 'http' (first at line 1)"));
}

TEST_F(ConfigTest, DuplicateKeyInAFlow) {
  EXPECT_THAT(flow_file_problems(flow_with("    source: b\n")),
              ElementsAre("flows.yaml:5:5: duplicate key 'source' (first at line 3)"));
}

TEST_F(ConfigTest, DuplicateClusterName) {
  EXPECT_THAT(problems("clusters:\n"
                       "  a: {bootstrap_servers: 'a:1'}\n"
                       "  a: {bootstrap_servers: 'a:2'}\n"),
              ElementsAre("mirror.yaml:3:3: duplicate key 'a' (first at line 2)"));
}

TEST_F(ConfigTest, DuplicatePropertyInAFlowMapping) {
  EXPECT_THAT(
      flow_file_problems(flow_with("    consumer: {fetch.min.bytes: 1, fetch.min.bytes: 2}\n")),
      ElementsAre("flows.yaml:5:36: duplicate key 'fetch.min.bytes' (first at line 5)"));
}

TEST_F(ConfigTest, KeyThatIsNotAString) {
  EXPECT_THAT(problems("? [a, b]\n: 1\n"),
              ElementsAre("mirror.yaml:1:3: keys must be strings, got a list"));
}

// ---- Wrong types -------------------------------------------------------------------------------

TEST_F(ConfigTest, BoolMustBeTrueOrFalse) {
  EXPECT_THAT(flow_file_problems(flow_with("    enabled: yes\n")),
              ElementsAre("flows.yaml:5:14: enabled: expected true or false, got 'yes'"));
  EXPECT_THAT(flow_file_problems(flow_with("    enabled: True\n")),
              ElementsAre("flows.yaml:5:14: enabled: expected true or false, got 'True'"));
  EXPECT_THAT(flow_file_problems(flow_with("    enabled: 1\n")),
              ElementsAre("flows.yaml:5:14: enabled: expected true or false, got '1'"));
}

TEST_F(ConfigTest, NothingWhereABoolIsExpected) {
  EXPECT_THAT(flow_file_problems(flow_with("    enabled:\n")),
              ElementsAre("flows.yaml:5:5: enabled: expected true or false, got nothing"));
}

TEST_F(ConfigTest, IntMustBeDigits) {
  EXPECT_THAT(flow_file_problems(flow_with("    replication_factor: three\n")),
              ElementsAre("flows.yaml:5:25: replication_factor: expected an integer, got 'three'"));
  EXPECT_THAT(flow_file_problems(flow_with("    replication_factor: 1.5\n")),
              ElementsAre("flows.yaml:5:25: replication_factor: expected an integer, got '1.5'"));
  EXPECT_THAT(flow_file_problems(flow_with("    replication_factor: 0x3\n")),
              ElementsAre("flows.yaml:5:25: replication_factor: expected an integer, got '0x3'"));
  EXPECT_THAT(flow_file_problems(flow_with("    replication_factor: ' 3'\n")),
              ElementsAre("flows.yaml:5:25: replication_factor: expected an integer, got ' 3'"));
}

TEST_F(ConfigTest, HugeIntIsOutOfRange) {
  EXPECT_THAT(flow_file_problems(flow_with("    replication_factor: 99999999999999999999999\n")),
              ElementsAre("flows.yaml:5:25: replication_factor: out of range (-1 or 1..32767), got "
                          "'99999999999999999999999'"));
  EXPECT_THAT(
      flow_file_problems(flow_with("    refresh_topics_interval_seconds: 2147483648\n")),
      ElementsAre("flows.yaml:5:38: refresh_topics_interval_seconds: must be at most 2147483647, "
                  "got '2147483648'"));
}

TEST_F(ConfigTest, ARecordBufferBudgetBelow16MiBIsRefused) {
  EXPECT_THAT(problems("memory:\n  record_buffers_mib: 8\n"),
              ElementsAre("mirror.yaml:2:23: record_buffers_mib: must be 16..1048576, got '8'"));
  EXPECT_THAT(problems("memory:\n  record_buffer_mib: 64\n"),
              ElementsAre("mirror.yaml:2:3: unknown key 'record_buffer_mib' in memory; did you "
                          "mean 'record_buffers_mib'?"));
}

TEST_F(ConfigTest, ALogFormatOtherThanTextOrJsonIsRefused) {
  EXPECT_THAT(problems("log:\n  format: logfmt\n"),
              ElementsAre("mirror.yaml:2:11: format: must be one of text, json, got 'logfmt'"));
}

TEST_F(ConfigTest, ScalarWhereAListIsExpected) {
  EXPECT_THAT(flow_file_problems(flow_with("    topics: orders\n")),
              ElementsAre("flows.yaml:5:13: topics: expected a list of regexes, got a scalar"));
}

TEST_F(ConfigTest, NothingWhereAListIsExpected) {
  EXPECT_THAT(flow_file_problems(flow_with("    groups_exclude:\n")),
              ElementsAre("flows.yaml:5:5: groups_exclude: expected a list of regexes, got "
                          "nothing (write [] for an empty list)"));
}

TEST_F(ConfigTest, ListItemOfTheWrongType) {
  EXPECT_THAT(flow_file_problems(flow_with("    topics: [orders, [a], {b: c}]\n")),
              ElementsAre("flows.yaml:5:22: topics[1]: expected a regex, got a list",
                          "flows.yaml:5:27: topics[2]: expected a regex, got a mapping"));
}

TEST_F(ConfigTest, ListWhereAStringIsExpected) {
  EXPECT_THAT(flow_file_problems("flows:\n  - name: [f]\n    source: a\n    target: b\n"),
              ElementsAre("flows.yaml:2:11: name: expected a string, got a list"));
}

TEST_F(ConfigTest, ListWhereAMappingIsExpected) {
  EXPECT_THAT(flow_file_problems(flow_with("    consumer: [a]\n")),
              ElementsAre("flows.yaml:5:15: consumer: expected a mapping of librdkafka "
                          "properties, got a list"));
  EXPECT_THAT(problems("clusters: []\n"),
              ElementsAre("mirror.yaml:1:11: clusters: expected a mapping of cluster names to "
                          "clusters, got a list"));
  EXPECT_THAT(problems("node: [a]\n"),
              ElementsAre("mirror.yaml:1:7: node: expected a mapping, got a list"));
}

TEST_F(ConfigTest, ScalarWhereFlowsAreExpected) {
  EXPECT_THAT(problems("flows: 5\n"),
              ElementsAre("mirror.yaml:1:8: flows: expected a list of flows, got a scalar"));
  EXPECT_THAT(problems("flows: {name: f}\n"),
              ElementsAre("mirror.yaml:1:8: flows: expected a list of flows, got a mapping"));
}

TEST_F(ConfigTest, FlowThatIsNotAMapping) {
  EXPECT_THAT(problems("flows:\n  - 5\n  -\n"),
              // An empty item has no position of its own: the list's is used.
              ElementsAre("mirror.yaml:2:3: flows[1]: expected a mapping (a flow), got nothing",
                          "mirror.yaml:2:5: flows[0]: expected a mapping (a flow), got a scalar"));
}

TEST_F(ConfigTest, PropertyValueMustBeAScalar) {
  EXPECT_THAT(problems("clusters:\n"
                       "  a:\n"
                       "    bootstrap_servers: a:9092\n"
                       "    properties:\n"
                       "      ssl.ca.location: [a]\n"
                       "      sasl.mechanism:\n"),
              ElementsAre("mirror.yaml:5:24: properties.ssl.ca.location: expected a scalar value, "
                          "got a list",
                          "mirror.yaml:6:7: properties.sasl.mechanism: expected a scalar value, "
                          "got nothing"));
}

// ---- Required keys -----------------------------------------------------------------------------

TEST_F(ConfigTest, ClusterWithoutBootstrapServers) {
  EXPECT_THAT(
      problems("clusters:\n  a:\n    rack_id_format: zone-id\n  b:\n"),
      ElementsAre("mirror.yaml:2:3: cluster 'a' is missing required key 'bootstrap_servers'",
                  "mirror.yaml:4:3: cluster 'b' is missing required key "
                  "'bootstrap_servers'"));
}

TEST_F(ConfigTest, FlowWithoutNameSourceTarget) {
  EXPECT_THAT(flow_file_problems("flows:\n  - enabled: true\n"),
              ElementsAre("flows.yaml:2:5: flow is missing required key 'name'",
                          "flows.yaml:2:5: flow is missing required key 'source'",
                          "flows.yaml:2:5: flow is missing required key 'target'"));
}

TEST_F(ConfigTest, EmptyBootstrapServers) {
  EXPECT_THAT(problems("clusters:\n  a: {bootstrap_servers: ''}\n"),
              ElementsAre("mirror.yaml:2:26: bootstrap_servers: must not be empty, got ''"));
}

// ---- Clusters referenced by flows --------------------------------------------------------------

TEST_F(ConfigTest, UnknownClusterListsTheDefinedOnes) {
  EXPECT_THAT(flow_file_problems("flows:\n  - name: f\n    source: primary\n    target: b\n"),
              ElementsAre("flows.yaml:3:13: source: unknown cluster 'primary' (defined: a, b)"));
}

TEST_F(ConfigTest, UnknownClusterSuggestsNearest) {
  EXPECT_THAT(problems("clusters:\n"
                       "  primary: {bootstrap_servers: 'p:9092'}\n"
                       "  backup: {bootstrap_servers: 'b:9092'}\n"
                       "flows:\n"
                       "  - {name: f, source: primary, target: bakcup}\n"),
              ElementsAre("mirror.yaml:5:40: target: unknown cluster 'bakcup'; did you mean "
                          "'backup'?"));
}

TEST_F(ConfigTest, FlowsWithoutAnyCluster) {
  EXPECT_THAT(problems("flows:\n  - {name: f, source: a, target: b}\n"),
              ElementsAre("mirror.yaml:2:23: source: unknown cluster 'a' (the config file defines "
                          "no clusters)",
                          "mirror.yaml:2:34: target: unknown cluster 'b' (the config file defines "
                          "no clusters)"));
}

TEST_F(ConfigTest, SourceEqualsTarget) {
  EXPECT_THAT(flow_file_problems("flows:\n  - name: f\n    source: a\n    target: a\n"),
              ElementsAre("flows.yaml:4:13: target: same cluster as source ('a'); a flow copies "
                          "between two different clusters"));
}

TEST_F(ConfigTest, InvalidClusterName) {
  EXPECT_THAT(problems("clusters:\n  '-a': {bootstrap_servers: 'a:1'}\n"),
              ElementsAre("mirror.yaml:2:3: clusters: a cluster name is letters, digits, '.', '_' "
                          "and '-', starting with a letter or digit, got '-a'"));
}

// ---- Flow names --------------------------------------------------------------------------------

TEST_F(ConfigTest, DuplicateFlowNameInOneFile) {
  EXPECT_THAT(flow_file_problems("flows:\n"
                                 "  - {name: f, source: a, target: b}\n"
                                 "  - {name: f, source: b, target: a}\n"),
              ElementsAre("flows.yaml:3:12: duplicate flow name 'f' (first defined at " +
                          dir_.path() + "/flows.yaml:2)"));
}

TEST_F(ConfigTest, InvalidFlowNames) {
  const std::string message =
      "name: a flow name is lower-case letters, digits and '-', starting with a letter or digit";
  EXPECT_THAT(flow_file_problems("flows:\n  - {name: Orders, source: a, target: b}\n"),
              ElementsAre("flows.yaml:2:12: " + message + ", got 'Orders'"));
  EXPECT_THAT(flow_file_problems("flows:\n  - {name: -orders, source: a, target: b}\n"),
              ElementsAre("flows.yaml:2:12: " + message + ", got '-orders'"));
  EXPECT_THAT(flow_file_problems("flows:\n  - {name: a_b, source: a, target: b}\n"),
              ElementsAre("flows.yaml:2:12: " + message + ", got 'a_b'"));
  EXPECT_THAT(flow_file_problems("flows:\n  - {name: '', source: a, target: b}\n"),
              ElementsAre("flows.yaml:2:12: " + message + ", got ''"));
  std::string long_name(101, 'a');
  EXPECT_THAT(flow_file_problems("flows:\n  - {name: " + long_name + ", source: a, target: b}\n"),
              ElementsAre("flows.yaml:2:12: name: a flow name has at most 100 characters, got '" +
                          std::string(60, 'a') + "'..."));
  EXPECT_THAT(flow_file_problems("flows:\n  - {name: " + std::string(100, 'a') +
                                 ", source: a, target: b}\n"),
              IsEmpty());
}

// ---- Regexes -----------------------------------------------------------------------------------

TEST_F(ConfigTest, BadRegexes) {
  EXPECT_THAT(
      flow_file_problems(flow_with("    topics: ['orders(']\n"
                                   "    groups_exclude: ['[a']\n"
                                   "    config_properties_exclude: ['*']\n")),
      ElementsAre(
          "flows.yaml:5:14: topics[0]: invalid regex: Mismatched '(' and ')' in regular "
          "expression, got 'orders('",
          "flows.yaml:6:22: groups_exclude[0]: invalid regex: Unexpected character within "
          "'[...]' in regular expression, got '[a'",
          "flows.yaml:7:33: config_properties_exclude[0]: invalid regex: Mismatched '(' and ')' "
          "in regular expression, got '*'"));
}

TEST_F(ConfigTest, OverlongRegex) {
  EXPECT_THAT(
      flow_file_problems(flow_with("    topics_exclude: [" + std::string(1001, 'a') + "]\n")),
      ElementsAre("flows.yaml:5:22: topics_exclude[0]: a regex has at most 1000 characters "
                  "(split it into several entries), got '" +
                  std::string(60, 'a') + "'..."));
}

// ---- Enums and values --------------------------------------------------------------------------

TEST_F(ConfigTest, RackIdFormatValues) {
  EXPECT_THAT(problems("clusters:\n  a: {bootstrap_servers: 'a:1', rack_id_format: zone}\n"),
              ElementsAre("mirror.yaml:2:49: rack_id_format: must be one of zone-id, zone-name, "
                          "got 'zone'"));
}

TEST_F(ConfigTest, ReplicationPolicyValuesWithSuggestion) {
  EXPECT_THAT(flow_file_problems(flow_with("    replication_policy: identiy\n")),
              ElementsAre("flows.yaml:5:25: replication_policy: must be one of default, identity, "
                          "got 'identiy'; did you mean 'identity'?"));
}

TEST_F(ConfigTest, UnreplicableRecordsValues) {
  EXPECT_THAT(flow_file_problems(flow_with("    unreplicable_records: dead-letter\n")),
              ElementsAre("flows.yaml:5:27: unreplicable_records: must be one of fail, skip, "
                          "dead_letter, got 'dead-letter'; did you mean 'dead_letter'?"));
  EXPECT_THAT(flow_file_problems(flow_with("    unreplicable_records: [skip]\n")),
              ElementsAre("flows.yaml:5:27: unreplicable_records: expected one of fail, skip, "
                          "dead_letter, got a list"));
}

TEST_F(ConfigTest, DeadLetterTopicMustBeATopicName) {
  EXPECT_THAT(flow_file_problems(flow_with("    dead_letter_topic: 'dead letters'\n")),
              ElementsAre("flows.yaml:5:24: dead_letter_topic: a topic name is letters, digits, "
                          "'.', '_' and '-', got 'dead letters'"));
  EXPECT_THAT(flow_file_problems(flow_with("    dead_letter_topic: ..\n")),
              ElementsAre("flows.yaml:5:24: dead_letter_topic: a topic name cannot be '.' or "
                          "'..', got '..'"));
  EXPECT_THAT(
      flow_file_problems(flow_with("    dead_letter_topic: " + std::string(250, 'x') + "\n")),
      ElementsAre("flows.yaml:5:24: dead_letter_topic: a topic name has at most 249 "
                  "characters, got '" +
                  std::string(60, 'x') + "'..."));
  EXPECT_THAT(flow_file_problems(flow_with("    unreplicable_records: dead_letter\n"
                                           "    dead_letter_topic: orders.dlq\n")),
              IsEmpty());
}

TEST_F(ConfigTest, AvailabilityZoneSources) {
  EXPECT_THAT(problems("node:\n  availability_zone_sources: [env, amazon, aws, env]\n"),
              ElementsAre("mirror.yaml:2:36: availability_zone_sources[1]: must be one of env, "
                          "file, kubernetes, aws, gcp, azure, got 'amazon'",
                          "mirror.yaml:2:49: availability_zone_sources[3]: 'env' is listed twice"));
  EXPECT_THAT(problems("node:\n  availability_zone_sources: [kuberntes]\n"),
              ElementsAre("mirror.yaml:2:31: availability_zone_sources[0]: must be one of env, "
                          "file, kubernetes, aws, gcp, azure (did you mean 'kubernetes'?), got "
                          "'kuberntes'"));
}

TEST_F(ConfigTest, AvailabilityZoneValues) {
  EXPECT_THAT(problems("node: {availability_zone: auto}\n"), IsEmpty());
  EXPECT_THAT(problems("node: {availability_zone: us-east-1a}\n"), IsEmpty());
  EXPECT_THAT(problems("node: {availability_zone: az_1.b}\n"), IsEmpty());
  EXPECT_THAT(problems("node: {availability_zone: 'us east'}\n"),
              ElementsAre("mirror.yaml:1:27: availability_zone: must be 'auto' or a zone name "
                          "such as use1-az1 (letters, digits, '.', '_', '-'), got 'us east'"));
  EXPECT_THAT(problems("node: {availability_zone: ''}\n"),
              ElementsAre("mirror.yaml:1:27: availability_zone: must be 'auto' or a zone name "
                          "such as use1-az1 (letters, digits, '.', '_', '-'), got ''"));
}

TEST_F(ConfigTest, InstanceIdValues) {
  EXPECT_THAT(problems("node: {instance_id: mirror-0}\n"), IsEmpty());
  EXPECT_THAT(problems("node: {instance_id: ''}\n"), IsEmpty()) << "empty: dynamic membership";
  EXPECT_THAT(problems("node: {instance_id: 'pod 0'}\n"),
              ElementsAre("mirror.yaml:1:21: instance_id: an instance id is letters, digits, '.', "
                          "'_' and '-', starting with a letter or digit (a pod name is one), got "
                          "'pod 0'"));
}

TEST_F(ConfigTest, HttpListenValues) {
  auto listen_problem = [this](const std::string& listen) {
    std::vector<std::string> found = problems("http:\n  listen: '" + listen + "'\n");
    return found.size() == 1 ? found[0] : "(" + std::to_string(found.size()) + " problems)";
  };
  const std::string at = "mirror.yaml:2:11: listen: invalid HOST:PORT: ";
  EXPECT_EQ(listen_problem("9464"), at + "expected HOST:PORT, got '9464'");
  EXPECT_EQ(listen_problem(":9464"), at + "invalid host name, got ':9464'");
  EXPECT_EQ(listen_problem("0.0.0.0:65536"), at + "the port must be 0..65535, got '0.0.0.0:65536'");
  EXPECT_EQ(listen_problem("0.0.0.0:-1"), at + "the port must be 0..65535, got '0.0.0.0:-1'");
  EXPECT_EQ(listen_problem("0.0.0.0:"), at + "the port must be 0..65535, got '0.0.0.0:'");
  EXPECT_EQ(listen_problem("0.0.0.0:http"), at + "the port must be 0..65535, got '0.0.0.0:http'");
  EXPECT_EQ(listen_problem("300.0.0.1:80"), at + "invalid IPv4 address, got '300.0.0.1:80'");
  EXPECT_EQ(listen_problem("::1:80"),
            at + "an IPv6 address needs brackets, as in [::]:9464, got '::1:80'");
  EXPECT_EQ(listen_problem("[::1]80"), at + "expected [IPV6]:PORT, got '[::1]80'");
  EXPECT_EQ(listen_problem("[nope]:80"), at + "invalid IPv6 address, got '[nope]:80'");
  EXPECT_EQ(listen_problem("my_host:80"), at + "invalid host name, got 'my_host:80'");
  EXPECT_EQ(listen_problem("-host:80"), at + "invalid host name, got '-host:80'");
}

TEST_F(ConfigTest, ReplicationFactorRange) {
  const std::string message = "replication_factor: must be -1 (the broker default) or 1..32767";
  EXPECT_THAT(flow_file_problems(flow_with("    replication_factor: 0\n")),
              ElementsAre("flows.yaml:5:25: " + message + ", got '0'"));
  EXPECT_THAT(flow_file_problems(flow_with("    replication_factor: -2\n")),
              ElementsAre("flows.yaml:5:25: " + message + ", got '-2'"));
  EXPECT_THAT(flow_file_problems(flow_with("    replication_factor: 32768\n")),
              ElementsAre("flows.yaml:5:25: " + message + ", got '32768'"));
}

TEST_F(ConfigTest, RefreshIntervalAtLeastOne) {
  EXPECT_THAT(flow_file_problems(flow_with("    refresh_topics_interval_seconds: 0\n")),
              ElementsAre("flows.yaml:5:38: refresh_topics_interval_seconds: must be >= 1, got "
                          "'0'"));
}

TEST_F(ConfigTest, AclSyncIntervalAtLeastOne) {
  EXPECT_THAT(flow_file_problems(flow_with("    sync_topic_acls_interval_seconds: 0\n")),
              ElementsAre("flows.yaml:5:39: sync_topic_acls_interval_seconds: must be >= 1, got "
                          "'0'"));
}

TEST_F(ConfigTest, EmptySeparator) {
  EXPECT_THAT(flow_file_problems(flow_with("    replication_policy_separator: ''\n")),
              ElementsAre("flows.yaml:5:35: replication_policy_separator: must not be empty, got "
                          "''"));
}

// ---- Properties mirror manages -----------------------------------------------------------------

TEST_F(ConfigTest, ManagedPropertiesAreRefusedWithTheKeyInCharge) {
  EXPECT_THAT(
      problems("clusters:\n"
               "  a:\n"
               "    bootstrap_servers: a:9092\n"
               "    properties:\n"
               "      bootstrap.servers: x:9092\n"
               "      client.rack: az1\n"
               "  b:\n"
               "    bootstrap_servers: b:9092\n"
               "flows:\n"
               "  - name: f\n"
               "    source: a\n"
               "    target: b\n"
               "    consumer:\n"
               "      group.id: mine\n"
               "      enable.auto.commit: false\n"
               "    producer:\n"
               "      enable.idempotence: false\n"
               "      acks: 1\n"),
      ElementsAre(
          "mirror.yaml:5:7: properties: 'bootstrap.servers' is managed by mirror: set the "
          "cluster's 'bootstrap_servers' instead",
          "mirror.yaml:6:7: properties: 'client.rack' is managed by mirror: mirror sets it to the "
          "node's availability zone ('node.availability_zone'); switch it off per flow with "
          "'follower_fetching_enabled: false'",
          "mirror.yaml:14:7: consumer: 'group.id' is managed by mirror: mirror derives the "
          "consumer group from the flow's 'name'",
          "mirror.yaml:15:7: consumer: 'enable.auto.commit' is managed by mirror: mirror commits "
          "a source offset only after the target acknowledged the records before it",
          "mirror.yaml:17:7: producer: 'enable.idempotence' may only be true: the target "
          "producer must be idempotent so retries cannot reorder or duplicate records",
          "mirror.yaml:18:7: producer: 'acks' may only be all or -1: mirror commits a source "
          "offset only after all in-sync replicas of the target have the records"));
}

TEST_F(ConfigTest, ManagedPropertiesWithTheirAllowedValues) {
  EXPECT_THAT(
      flow_file_problems(flow_with("    producer: {acks: all, enable.idempotence: true}\n")),
      IsEmpty());
  EXPECT_THAT(flow_file_problems(flow_with("    producer: {acks: -1}\n")), IsEmpty());
  EXPECT_THAT(flow_file_problems(flow_with("    producer: {request.required.acks: 0}\n")),
              ElementsAre("flows.yaml:5:16: producer: 'request.required.acks' may only be all or "
                          "-1: mirror commits a source offset only after all in-sync replicas of "
                          "the target have the records"));
  EXPECT_THAT(flow_file_problems(flow_with("    consumer: {enable.auto.offset.store: true}\n")),
              ElementsAre("flows.yaml:5:16: consumer: 'enable.auto.offset.store' is managed by "
                          "mirror: mirror stores a source offset only after the target "
                          "acknowledged the records before it"));
  EXPECT_THAT(flow_file_problems(flow_with("    consumer: {metadata.broker.list: 'x:1'}\n")),
              ElementsAre("flows.yaml:5:16: consumer: 'metadata.broker.list' is managed by "
                          "mirror: set the cluster's 'bootstrap_servers' instead"));
}

TEST_F(ConfigTest, AnExactlyOnceFlowReadsCommittedRecordsOnly) {
  EXPECT_THAT(flow_file_problems(flow_with("    exactly_once_delivery_enabled: true\n"
                                           "    consumer: {isolation.level: read_committed}\n")),
              IsEmpty());
  EXPECT_THAT(flow_file_problems(flow_with("    consumer: {isolation.level: read_uncommitted}\n")),
              IsEmpty())
      << "an at-least-once flow may read uncommitted records";
  EXPECT_THAT(flow_file_problems(flow_with("    exactly_once_delivery_enabled: true\n"
                                           "    consumer: {isolation.level: read_uncommitted}\n")),
              ElementsAre("flows.yaml:6:16: consumer: 'isolation.level' must be read_committed "
                          "when 'exactly_once_delivery_enabled' is true (records of aborted "
                          "source transactions must not be copied)"));
  EXPECT_THAT(flow_file_problems(flow_with("    producer: {transactional.id: x}\n")),
              ElementsAre("flows.yaml:5:16: producer: 'transactional.id' is managed by mirror: "
                          "set 'exactly_once_delivery_enabled: true' on the flow; mirror derives "
                          "the ids from the flow's name"));
}

// ---- Many problems at once ---------------------------------------------------------------------

TEST_F(ConfigTest, EveryProblemIsReportedInFileOrder) {
  EXPECT_THAT(
      problems("node:\n"
               "  availability_zone: 'a b'\n"
               "http:\n"
               "  listen: nowhere\n"
               "clusters:\n"
               "  a:\n"
               "    rack_id_format: zone-id\n"
               "  b: {bootstrap_servers: 'b:1'}\n"
               "flows:\n"
               "  - name: X\n"
               "    source: c\n"
               "    target: b\n"
               "    enabled: maybe\n"
               "    topics: ['(']\n"
               "  - name: y\n"
               "    source: b\n"
               "    target: b\n"
               "    folower_fetching_enabled: false\n"),
      ElementsAre("mirror.yaml:2:22: availability_zone: must be 'auto' or a zone name such "
                  "as use1-az1 (letters, digits, '.', '_', '-'), got 'a b'",
                  "mirror.yaml:4:11: listen: invalid HOST:PORT: expected HOST:PORT, got "
                  "'nowhere'",
                  "mirror.yaml:6:3: cluster 'a' is missing required key 'bootstrap_servers'",
                  "mirror.yaml:10:11: name: a flow name is lower-case letters, digits and "
                  "'-', starting with a letter or digit, got 'X'",
                  "mirror.yaml:11:13: source: unknown cluster 'c' (defined: a, b)",
                  "mirror.yaml:13:14: enabled: expected true or false, got 'maybe'",
                  "mirror.yaml:14:14: topics[0]: invalid regex: Mismatched '(' and ')' in "
                  "regular expression, got '('",
                  "mirror.yaml:17:13: target: same cluster as source ('b'); a flow copies "
                  "between two different clusters",
                  "mirror.yaml:18:5: unknown key 'folower_fetching_enabled' in flow 'y'; did "
                  "you mean 'follower_fetching_enabled'?"));
}

}  // namespace
}  // namespace mirror::config::testing
