// The two log formats: text as before (with the flow after the component) and JSON lines that
// parse whatever the message holds.
#include "mirror/common/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace mirror::log {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class LogTest : public ::testing::Test {
 protected:
  void TearDown() override {
    set_format(Format::Text);
    set_level(Level::Info);
  }
};

TEST_F(LogTest, TextNamesTheFlowAfterTheComponent) {
  EXPECT_THAT(format_line(Format::Text, Level::Warn, "flow", "orders", "target behind"),
              MatchesRegex(R"(^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z WARN  flow: )"
                           R"(orders: target behind$)"));
  EXPECT_THAT(format_line(Format::Text, Level::Info, "service", "", "stopped"),
              MatchesRegex(R"(^[0-9T:.-]{23}Z INFO  service: stopped$)"));
}

TEST_F(LogTest, JsonLinesHaveTimeLevelComponentFlowAndMessage) {
  const auto doc = nlohmann::json::parse(
      format_line(Format::Json, Level::Error, "flow", "orders", "stalled at offset 7"));
  EXPECT_THAT(doc["time"].get<std::string>(),
              MatchesRegex(R"(^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$)"));
  EXPECT_EQ(doc["level"], "error");
  EXPECT_EQ(doc["component"], "flow");
  EXPECT_EQ(doc["flow"], "orders");
  EXPECT_EQ(doc["message"], "stalled at offset 7");
  EXPECT_EQ(doc.size(), 5u);

  const auto none = nlohmann::json::parse(format_line(Format::Json, Level::Debug, "az", "", "x"));
  EXPECT_EQ(none["level"], "debug");
  EXPECT_FALSE(none.contains("flow")) << "a line about no one flow has no flow field";
}

TEST_F(LogTest, AJsonLineIsOneValidLineWhateverTheMessageHolds) {
  const std::string nasty = "quote \" backslash \\ newline \n tab \t bell \x07 bad utf-8 \xff\xfe";
  const std::string line = format_line(Format::Json, Level::Warn, "rdkafka", "a\"b", nasty);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  const auto doc = nlohmann::json::parse(line);  // throws on invalid JSON or UTF-8
  EXPECT_THAT(doc["message"].get<std::string>(), HasSubstr("quote \" backslash \\ newline \n"));
  EXPECT_EQ(doc["flow"], "a\"b");
}

TEST_F(LogTest, TheLoggerWritesTheFormatInForceAndTakesTheFlowAsItsFirstArgument) {
  set_format(Format::Json);
  ::testing::internal::CaptureStderr();
  info("flow", Flow{"orders"}, "assigned ", 12, " partition(s)");
  warn("service", "reload refused: ", 2, " problem(s)");
  debug("flow", Flow{"orders"}, "not at this level");
  const auto lines = lines_of(::testing::internal::GetCapturedStderr());
  ASSERT_EQ(lines.size(), 2u);
  const auto first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["flow"], "orders");
  EXPECT_EQ(first["message"], "assigned 12 partition(s)");
  const auto second = nlohmann::json::parse(lines[1]);
  EXPECT_FALSE(second.contains("flow"));
  EXPECT_EQ(second["message"], "reload refused: 2 problem(s)");

  set_format(Format::Text);
  ::testing::internal::CaptureStderr();
  error("flow", Flow{"orders"}, "stopped");
  EXPECT_THAT(::testing::internal::GetCapturedStderr(),
              HasSubstr(" ERROR flow: orders: stopped\n"));
}

}  // namespace
}  // namespace mirror::log
