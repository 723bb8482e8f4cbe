// --flows: flow files and directories of them, and checks across files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/config/test_util.h"

namespace mirror::config::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> names_of(const LoadOutcome& outcome) {
  std::vector<std::string> names;
  for (const FlowSpec& flow : outcome.spec.flows) names.push_back(flow.name);
  return names;
}

std::string one_flow(const std::string& name) {
  return "flows:\n  - {name: " + name + ", source: a, target: b}\n";
}

TEST_F(ConfigTest, FlowFileAddsToTheConfigFlowsInOrder) {
  LoadOutcome outcome = load_text(std::string(kTwoClusters) + one_flow("first"),
                                  {{"x.yaml", one_flow("second")}, {"y.yaml", one_flow("third")}});
  ASSERT_THAT(lines(outcome, dir_), IsEmpty());
  EXPECT_THAT(names_of(outcome), ElementsAre("first", "second", "third"));
  EXPECT_EQ(outcome.spec.flows[1].location.file, dir_.path() + "/x.yaml");
  EXPECT_EQ(outcome.spec.flows[1].location.line, 2);
}

TEST_F(ConfigTest, DirectoryIsLoadedInNameOrder) {
  std::string flows = dir_.mkdir("flows");
  dir_.write("flows/20-b.yml", one_flow("b"));
  dir_.write("flows/10-c.yaml", one_flow("c"));
  dir_.write("flows/30-a.yaml", one_flow("a"));
  dir_.write("flows/README.md", "not yaml");
  dir_.write("flows/.hidden.yaml", "not: [yaml");
  dir_.mkdir("flows/nested.yaml");  // a directory, not a file: skipped
  LoadOutcome outcome = load(dir_.write("mirror.yaml", kTwoClusters), {flows}, env_of({}));
  ASSERT_THAT(lines(outcome, dir_), IsEmpty());
  EXPECT_THAT(names_of(outcome), ElementsAre("c", "b", "a"));
}

TEST_F(ConfigTest, DirectoryWithoutYamlFiles) {
  std::string flows = dir_.mkdir("flows");
  dir_.write("flows/notes.txt", "x");
  LoadOutcome outcome = load(dir_.write("mirror.yaml", kTwoClusters), {flows}, env_of({}));
  EXPECT_THAT(lines(outcome, dir_),
              ElementsAre("flows: no flow files (*.yaml, *.yml) in this directory"));
}

TEST_F(ConfigTest, MissingFlowPath) {
  LoadOutcome outcome =
      load(dir_.write("mirror.yaml", kTwoClusters), {dir_.path() + "/nowhere"}, env_of({}));
  EXPECT_THAT(lines(outcome, dir_),
              ElementsAre("nowhere: cannot read the file: No such file or directory"));
}

TEST_F(ConfigTest, DuplicateFlowNameAcrossFilesNamesTheFirst) {
  EXPECT_THAT(lines(load_text(std::string(kTwoClusters) + one_flow("orders"),
                              {{"more.yaml",
                                "flows:\n"
                                "  - {name: payments, source: a, target: b}\n"
                                "  - {name: orders, source: b, target: a}\n"}}),
                    dir_),
              ElementsAre("more.yaml:3:12: duplicate flow name 'orders' (first defined at " +
                          dir_.path() + "/mirror.yaml:7)"));
}

TEST_F(ConfigTest, FlowFilesUseTheConfigFileClusters) {
  EXPECT_THAT(flow_file_problems("flows:\n  - {name: f, source: a, target: c}\n"),
              ElementsAre("flows.yaml:2:34: target: unknown cluster 'c' (defined: a, b)"));
}

TEST_F(ConfigTest, FlowFileHoldsOnlyFlows) {
  EXPECT_THAT(
      flow_file_problems("clusters:\n  c: {bootstrap_servers: 'c:1'}\n" + one_flow("f")),
      ElementsAre("flows.yaml:1:1: unknown key 'clusters' in a flow file (expected flows)"));
}

TEST_F(ConfigTest, FlowFileWithoutFlows) {
  EXPECT_THAT(flow_file_problems("{}\n"),
              ElementsAre("flows.yaml:1:1: a flow file is missing required key 'flows'"));
  EXPECT_THAT(
      flow_file_problems("flow:\n  - {name: f, source: a, target: b}\n"),
      ElementsAre("flows.yaml:1:1: unknown key 'flow' in a flow file; did you mean 'flows'?",
                  "flows.yaml:1:1: a flow file is missing required key 'flows'"));
}

TEST_F(ConfigTest, FlowFileOfTheWrongShape) {
  EXPECT_THAT(flow_file_problems("- {name: f, source: a, target: b}\n"),
              ElementsAre("flows.yaml:1:1: expected a mapping at the top level, got a list"));
  EXPECT_THAT(flow_file_problems("flows: 5\n"),
              ElementsAre("flows.yaml:1:8: flows: expected a list of flows, got a scalar"));
  EXPECT_THAT(flow_file_problems(""), ElementsAre("flows.yaml: the file is empty"));
}

TEST_F(ConfigTest, BrokenConfigFileDoesNotFloodFlowFilesWithUnknownClusters) {
  LoadOutcome outcome = load_text("clusters: {a: [\n", {{"flows.yaml", one_flow("f")}});
  EXPECT_THAT(lines(outcome, dir_),
              ElementsAre("mirror.yaml:2:1: YAML syntax error: end of sequence flow not found"));
  outcome = load_text("clusters: 5\n", {{"flows.yaml", one_flow("f")}});
  EXPECT_THAT(lines(outcome, dir_),
              ElementsAre("mirror.yaml:1:11: clusters: expected a mapping of cluster names to "
                          "clusters, got a scalar"));
}

TEST_F(ConfigTest, ProblemsOfSeveralFilesComeInFileOrder) {
  LoadOutcome outcome = load_text(
      std::string(kTwoClusters) + "flows:\n  - {name: F}\n",
      {{"z.yaml", "flows:\n  - {name: z, source: a, target: x}\n"}, {"a.yaml", "flows: [\n"}});
  EXPECT_THAT(lines(outcome, dir_),
              ElementsAre("mirror.yaml:7:5: flow 'F' is missing required key 'source'",
                          "mirror.yaml:7:5: flow 'F' is missing required key 'target'",
                          "mirror.yaml:7:12: name: a flow name is lower-case letters, digits and "
                          "'-', starting with a letter or digit, got 'F'",
                          "z.yaml:2:34: target: unknown cluster 'x' (defined: a, b)",
                          "a.yaml:2:1: YAML syntax error: end of sequence flow not found"));
}

}  // namespace
}  // namespace mirror::config::testing
