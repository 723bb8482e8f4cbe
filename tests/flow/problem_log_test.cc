#include <gtest/gtest.h>

#include "mirror/flow/control.h"

namespace mirror::flow {
namespace {

using metrics::ErrorKind;

TEST(ProblemLog, CountsEveryReportAndForgetsProblemsThatEnded) {
  metrics::Metrics metrics;
  metrics::FlowProbe probe(metrics, "f", {});
  ProblemLog log("control", probe);
  log.report("topics", {{ErrorKind::TopicSync, "target topic 'a'", "cannot create 'a'"},
                        {ErrorKind::TopicConfigSync, "target topic 'b' configs", "refused"}});
  EXPECT_EQ(log.open(), 2u);
  log.report("topics", {{ErrorKind::TopicSync, "target topic 'a'", "cannot create 'a'"}});
  EXPECT_EQ(log.open(), 1u) << "b's problem ended";
  EXPECT_EQ(probe.errors(ErrorKind::TopicSync), 2u) << "counted at every report";
  EXPECT_EQ(probe.errors(ErrorKind::TopicConfigSync), 1u);
  log.report("heartbeat", ErrorKind::Heartbeat, make_error("not acknowledged"));
  EXPECT_EQ(log.open(), 2u);
  log.report("heartbeat", ErrorKind::Heartbeat, Status());
  log.report("topics", {});
  EXPECT_EQ(log.open(), 0u) << "nothing kept for problems that ended: the log cannot grow";
}

}  // namespace
}  // namespace mirror::flow
