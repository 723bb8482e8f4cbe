// Flows that form cycles (config/topology.h): which ones only provenance headers break, and what
// the loader says of them.
#include "mirror/config/topology.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/config/test_util.h"

namespace mirror::config::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

FlowSpec flow(const std::string& name, const std::string& source, const std::string& target,
              ReplicationPolicy policy = ReplicationPolicy::Identity,
              ProvenanceHeaders headers = ProvenanceHeaders::Auto) {
  FlowSpec f;
  f.name = name;
  f.source = source;
  f.target = target;
  f.replication_policy = policy;
  f.provenance_headers_enabled = headers;
  return f;
}

TEST(Topology, AChainHasNoCycle) {
  EXPECT_THAT(find_cycles({flow("ab", "a", "b"), flow("bc", "b", "c"), flow("ac", "a", "c")}),
              IsEmpty());
}

TEST(Topology, AnActiveActivePairUnderIdentityIsGuardedByHeaders) {
  auto cycles = find_cycles({flow("ab", "a", "b"), flow("ba", "b", "a")});
  ASSERT_EQ(cycles.size(), 1u);
  EXPECT_THAT(cycles[0].flows, ElementsAre(0u, 1u));
  EXPECT_THAT(cycles[0].clusters, ElementsAre("a", "b"));
  EXPECT_EQ(cycles[0].guard, FlowCycle::Guard::Headers);
}

TEST(Topology, DefaultNamesBreakARingByThemselves) {
  const auto d = ReplicationPolicy::Default;
  auto cycles = find_cycles({flow("ab", "a", "b", d), flow("bc", "b", "c", d),
                             flow("ca", "c", "a", d), flow("cd", "c", "d", d)});
  ASSERT_EQ(cycles.size(), 1u);
  EXPECT_THAT(cycles[0].flows, ElementsAre(0u, 1u, 2u)) << "cd leads out of the ring";
  EXPECT_EQ(cycles[0].guard, FlowCycle::Guard::Names);
}

TEST(Topology, WhatStampsDecidesTheGuard) {
  const auto off = ProvenanceHeaders::Disabled;
  const auto d = ReplicationPolicy::Default;
  EXPECT_EQ(find_cycles({flow("ab", "a", "b", ReplicationPolicy::Identity, off),
                         flow("ba", "b", "a", ReplicationPolicy::Identity, off)})[0]
                .guard,
            FlowCycle::Guard::Nothing);
  EXPECT_EQ(find_cycles({flow("ab", "a", "b"), flow("ba", "b", "a", d)})[0].guard,
            FlowCycle::Guard::SomeHeaders)
      << "auto does not stamp under default names";
  EXPECT_EQ(
      find_cycles({flow("ab", "a", "b"), flow("ba", "b", "a", d, ProvenanceHeaders::Enabled)})[0]
          .guard,
      FlowCycle::Guard::Headers);
}

TEST(Topology, DisabledFlowsCloseNoCycle) {
  auto back = flow("ba", "b", "a");
  back.enabled = false;
  EXPECT_THAT(find_cycles({flow("ab", "a", "b"), back}), IsEmpty());
}

TEST(Topology, SeparateCyclesAreReportedApart) {
  auto cycles = find_cycles(
      {flow("ab", "a", "b"), flow("ba", "b", "a"), flow("cd", "c", "d"), flow("dc", "d", "c")});
  ASSERT_EQ(cycles.size(), 2u);
}

constexpr const char* kEastWest =
    "clusters:\n"
    "  east: {bootstrap_servers: 'e:9092'}\n"
    "  west: {bootstrap_servers: 'w:9092'}\n"
    "flows:\n"
    "  - {name: east-to-west, source: east, target: west, replication_policy: identity}\n"
    "  - name: west-to-east\n"
    "    source: west\n"
    "    target: east\n"
    "    replication_policy: identity\n";

TEST_F(ConfigTest, AnIdentityCycleIsWarnedAboutAndRuns) {
  LoadOutcome outcome = load_text(kEastWest);
  EXPECT_THAT(lines(outcome, dir_), IsEmpty());
  ASSERT_EQ(outcome.warnings.size(), 1u);
  const std::string w = outcome.warnings[0].format();
  EXPECT_THAT(w, HasSubstr("mirror.yaml:5:5: warning: flows east-to-west, west-to-east form a "
                           "cycle among clusters east, west with identity topic names"));
  EXPECT_THAT(w, HasSubstr("only provenance headers"));
}

TEST_F(ConfigTest, AnIdentityCycleWithoutHeadersIsRefused) {
  LoadOutcome outcome = load_text(std::string(kEastWest) +
                                  "    provenance_headers_enabled: false\n"
                                  "  - {name: more, source: east, target: west, "
                                  "replication_policy: identity, provenance_headers_enabled: "
                                  "false, topics: [x]}\n");
  ASSERT_EQ(outcome.warnings.size(), 1u) << "east-to-west still stamps (auto)";
  EXPECT_THAT(outcome.warnings[0].message, HasSubstr("flows west-to-east, more do not stamp"));
  LoadOutcome none = load_text(
      "clusters:\n"
      "  east: {bootstrap_servers: 'e:9092'}\n"
      "  west: {bootstrap_servers: 'w:9092'}\n"
      "flows:\n"
      "  - {name: a, source: east, target: west, replication_policy: identity, "
      "provenance_headers_enabled: false}\n"
      "  - {name: b, source: west, target: east, replication_policy: identity, "
      "provenance_headers_enabled: false}\n");
  EXPECT_THAT(lines(none, dir_),
              ElementsAre(HasSubstr("mirror.yaml:5:5: flows a, b form a cycle among clusters "
                                    "east, west with identity topic names and no provenance "
                                    "headers (provenance_headers_enabled: false): every record "
                                    "would be copied round for ever")));
}

TEST_F(ConfigTest, AclSyncBothWaysRoundAnIdentityCycleIsWarnedAbout) {
  const std::string both = std::string(kEastWest) + "    sync_topic_acls_enabled: true\n";
  LoadOutcome one_way = load_text(both);
  ASSERT_EQ(one_way.warnings.size(), 1u) << "only west-to-east syncs ACLs: the cycle warning";
  std::string text = both;
  text.replace(text.find("replication_policy: identity}"),
               std::string("replication_policy: identity}").size(),
               "replication_policy: identity, sync_topic_acls_enabled: true}");
  LoadOutcome both_ways = load_text(text);
  EXPECT_THAT(lines(both_ways, dir_), IsEmpty());
  ASSERT_EQ(both_ways.warnings.size(), 2u);
  EXPECT_THAT(both_ways.warnings[1].message,
              HasSubstr("flows east-to-west, west-to-east sync topic ACLs in every direction of a "
                        "cycle with identity topic names: an ACL removed on one cluster can be "
                        "copied back from another"));
}

TEST_F(ConfigTest, ProvenanceHeadersFollowThePolicyUnlessSet) {
  LoadOutcome outcome = load_text(
      "clusters:\n"
      "  a: {bootstrap_servers: 'a:9092'}\n"
      "  b: {bootstrap_servers: 'b:9092'}\n"
      "flows:\n"
      "  - {name: f1, source: a, target: b}\n"
      "  - {name: f2, source: a, target: b, replication_policy: identity}\n"
      "  - {name: f3, source: a, target: b, provenance_headers_enabled: true}\n"
      "  - {name: f4, source: a, target: b, replication_policy: identity,\n"
      "     provenance_headers_enabled: false}\n"
      "  - {name: f5, source: a, target: b, provenance_headers_enabled: on}\n");
  EXPECT_THAT(lines(outcome, dir_),
              ElementsAre("mirror.yaml:10:66: provenance_headers_enabled: must be one of auto, "
                          "true, false, got 'on'"));
  ASSERT_EQ(outcome.spec.flows.size(), 5u);
  EXPECT_FALSE(stamps_provenance(outcome.spec.flows[0]));
  EXPECT_TRUE(stamps_provenance(outcome.spec.flows[1]));
  EXPECT_TRUE(stamps_provenance(outcome.spec.flows[2]));
  EXPECT_FALSE(stamps_provenance(outcome.spec.flows[3]));
}

}  // namespace
}  // namespace mirror::config::testing
