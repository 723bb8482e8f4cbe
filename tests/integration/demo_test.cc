// `mirror demo` end to end: its summary line must show nothing lost and every partition of the
// follower-fetching flow read from the node's rack.
#include "mirror/demo/demo.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

namespace mirror::demo {
namespace {

TEST(Demo, SummaryShowsNoLossAndFollowerReads) {
  std::ostringstream out;
  const int code = run_demo(std::chrono::seconds(3), out);
  const std::string text = out.str();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m,
                                std::regex("summary: produced=(\\d+) replicated=(\\d+) lost=(\\d+) "
                                           "follower_reads=(\\d+)/(\\d+)")))
      << text;
  EXPECT_EQ(code, 0) << text;
  EXPECT_GT(std::stoul(m[1]), 0u);
  EXPECT_EQ(m[1], m[2]) << "every produced record replicated";
  EXPECT_EQ(m[3], "0");
  EXPECT_EQ(m[4], m[5]);
  EXPECT_EQ(m[5], "6") << "the follower-fetching flow reads 6 partitions";
}

}  // namespace
}  // namespace mirror::demo
