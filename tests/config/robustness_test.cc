// Malformed input of every sort: load() must neither crash nor throw, and must say what is wrong.
#include <gtest/gtest.h>

#include <random>

#include "tests/config/test_util.h"

namespace mirror::config::testing {
namespace {

std::string repeat(const std::string& text, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += text;
  return out;
}

// Each of these is wrong as a config file and as a flow file.
std::vector<std::string> malformed_inputs() {
  return {
      "\t- a\n",
      "node:\n\tavailability_zone: auto\n",
      "clusters: {a: [\n",
      "flows: [{name: a, source: b\n",
      "a: &x [*x]\n",
      "flows: &x [*x]\n",
      "clusters: &c {a: *c}\nflows: [{name: f, source: a, target: a}]\n",
      "node: &n {availability_zone: *n}\n",
      "node: {availability_zone_sources: [*undefined]}\n",
      "flows: [{name: f, source: a, target: b, replication_factor: " + repeat("9", 400) + "}]\n",
      "flows: [{name: f, refresh_topics_interval_seconds: -99999999999999999999}]\n",
      std::string("\x00\x01\x02\x03 binary", 11),
      "\xff\xfe\xfd\xfc",
      "flows:\n  - name: \xff\xfe\n",
      "flows: 5\n",
      "clusters: []\n",
      "node: ~\nhttp: ~\nclusters: ~\nflows: [~]\n",
      "~\n",
      "null\n",
      "[]\n",
      "--- \n--- \n",
      "key: value: other\n",
      "? complex\n: key\n",
      "!!binary aGVsbG8=\n",
      "flows:\n  - name: !!int x\n",
      "'unterminated\n",
      "\"bad escape \\q\"\n",
      repeat("{", 5000),
      repeat("[", 5000) + repeat("]", 5000),
      "flows: " + repeat("[", 3000) + repeat("]", 3000) + "\n",
      "clusters:\n  a:\n    bootstrap_servers: a:1\n    properties: {x: {y: z}}\n",
      "%YAML 9.9\n---\na: 1\n",
      "%TAG ! tag:example.com,2000:\n---\n!foo a: 1\n",
      repeat("k", 100000) + ": 1\n",
      "flows:\n" + repeat("  - 1\n", 5000),
      "flows:\n  - name: a\n    name: b\n    name: c\n",
      "flows: [{}]\n",
      "clusters:\r\n  a: 5\r\n",
      "http: {listen: '[::1'}\n",
      "http: {listen: ''}\n",
      "flows: [{name: f, source: a, target: b, topics: ['" + repeat("(", 900) + "']}]\n",
      "flows: [{name: f, source: a, target: b, topics: ['" + repeat("(", 20000) + "']}]\n",
      "flows: [{name: f, source: a, target: b, topics: ['a{99999}']}]\n",
      "flows: [{name: f, source: a, target: b, consumer: {a: '${env:X'}}]\n",
      "flows: [{name: f, source: a, target: b, consumer: {a: '${file:/proc/self/mem}'}}]\n",
      "flows: [{name: f, source: a, target: b, consumer: {a: '${file:/dev/zero}'}}]\n",
      "\xef\xbb\xbf",
      "flows:\n  - <<: {name: f}\n",
      "flows: [{name: f, source: a, target: b, enabled: !!bool yes}]\n",
      ",",
      ",\n,\n",
      "a: 1\n,\n",
      "- !+(.,.)\n",
      "[:\n",
  };
}

class Robustness : public ConfigTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(Robustness, ConfigFileReportsAProblem) {
  LoadOutcome outcome = load_text(GetParam());
  EXPECT_FALSE(outcome.problems.empty());
  for (const Diagnostic& problem : outcome.problems) EXPECT_FALSE(problem.message.empty());
}

TEST_P(Robustness, FlowFileReportsAProblem) {
  LoadOutcome outcome = load_text(kTwoClusters, {{"flows.yaml", GetParam()}});
  EXPECT_FALSE(outcome.problems.empty());
}

INSTANTIATE_TEST_SUITE_P(Malformed, Robustness, ::testing::ValuesIn(malformed_inputs()));

// Random bytes biased towards YAML's own characters: any outcome will do, as long as it is one.
TEST_F(ConfigTest, RandomInputNeverCrashes) {
  const std::string alphabet = "{}[]:-?,&*!|>'\"%@`#\t\n\r ~.$\\abc019xyz\x00\xff";
  std::mt19937 random(20240601);
  for (int round = 0; round < 500; ++round) {
    std::string input;
    size_t length = random() % 200;
    for (size_t i = 0; i < length; ++i) input += alphabet[random() % alphabet.size()];
    LoadOutcome outcome = load_text(input, {{"flows.yaml", input}});
    (void)outcome;
  }
}

// Mutations of a valid config: every byte position cut or replaced.
TEST_F(ConfigTest, MutatedValidConfigNeverCrashes) {
  const std::string valid = std::string(kTwoClusters) +
                            "flows:\n"
                            "  - name: a-to-b\n"
                            "    source: a\n"
                            "    target: b\n"
                            "    topics: ['orders\\..*']\n"
                            "    consumer: {fetch.min.bytes: 1}\n";
  for (size_t i = 0; i < valid.size(); ++i) {
    for (char c : std::string("{[:-&*'\"\t\n\0", 11)) {
      std::string mutated = valid;
      mutated[i] = c;
      (void)load_text(mutated);
    }
    (void)load_text(valid.substr(0, i));
  }
}

}  // namespace
}  // namespace mirror::config::testing
