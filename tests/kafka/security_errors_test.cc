#include "mirror/kafka/security_errors.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include "mirror/kafka/errors.h"
#include "tests/support/fake_admin.h"

namespace mirror::kafka {
namespace {

constexpr int kAuth = RD_KAFKA_RESP_ERR__AUTHENTICATION;
constexpr int kTransport = RD_KAFKA_RESP_ERR__TRANSPORT;
const char* const kSaslText =
    "sasl_ssl://127.0.0.1:9093/bootstrap: SASL authentication error: Authentication failed "
    "during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512";

ClientError sasl_failure(const std::string& suffix = " (after 4ms in state AUTH_REQ)") {
  return {kAuth, kSaslText + suffix, false};
}

TEST(SecurityErrorKinds, AuthenticationTlsAndAuthorizationAreSecurityErrorsAndNotRetriable) {
  for (int code : {kAuth, static_cast<int>(RD_KAFKA_RESP_ERR__SSL),
                   static_cast<int>(RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED),
                   static_cast<int>(RD_KAFKA_RESP_ERR_UNSUPPORTED_SASL_MECHANISM),
                   static_cast<int>(RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED),
                   static_cast<int>(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)}) {
    EXPECT_TRUE(is_security_error(code))
        << rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(code));
    EXPECT_FALSE(is_retriable(code)) << code;
    EXPECT_FALSE(is_connection_trouble(code)) << code;
  }
  for (int code : {kTransport, static_cast<int>(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN),
                   static_cast<int>(RD_KAFKA_RESP_ERR__TIMED_OUT),
                   static_cast<int>(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT)}) {
    EXPECT_FALSE(is_security_error(code)) << code;
    EXPECT_TRUE(is_connection_trouble(code)) << code;
    EXPECT_TRUE(is_retriable(code)) << code;
  }
  EXPECT_FALSE(is_security_error(RD_KAFKA_RESP_ERR__INVALID_ARG));
  EXPECT_FALSE(is_retriable(RD_KAFKA_RESP_ERR__INVALID_ARG)) << "still not retriable";
  EXPECT_FALSE(is_connection_trouble(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE));
}

TEST(SecurityErrors, DropsTheTimingSuffixSoTheSameFailureReadsTheSame) {
  EXPECT_EQ(without_timing_suffix(std::string(kSaslText) + " (after 4ms in state AUTH_REQ)"),
            kSaslText);
  EXPECT_EQ(
      without_timing_suffix(std::string(kSaslText) +
                            " (after 0ms in state AUTH_REQ, 3 identical error(s) suppressed)"),
      kSaslText);
  EXPECT_EQ(without_timing_suffix("no suffix (here)"), "no suffix (here)");
  EXPECT_EQ(without_timing_suffix(""), "");
}

TEST(SecurityErrors, KeepsOnlySecurityErrorsAndExplainsConnectionTroubleWithTheLastOne) {
  SecurityErrors errors;
  errors.note({kTransport, "1/1 brokers are down", false});
  errors.note({static_cast<int>(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN), "all down", false});
  EXPECT_FALSE(errors.last()) << "connection trouble is not kept";
  const Error transport = make_error("metadata: Local: Broker transport failure", kTransport);
  Error plain = errors.explain(transport);
  EXPECT_EQ(plain.message, transport.message) << "nothing noted: unchanged";
  EXPECT_TRUE(plain.retriable);

  errors.note(sasl_failure());
  ASSERT_TRUE(errors.last());
  EXPECT_EQ(errors.last()->message, kSaslText);
  const Error explained = errors.explain(transport);
  EXPECT_EQ(explained.message,
            std::string(kSaslText) + " (metadata: Local: Broker transport failure)");
  EXPECT_EQ(explained.code, kAuth);
  EXPECT_FALSE(explained.retriable) << "a retry cannot cure wrong credentials";

  const Error refused = make_error("create topics: Policy violation", 44, false);
  EXPECT_EQ(errors.explain(refused).message, refused.message) << "not connection trouble";
  EXPECT_EQ(errors.explain(refused).code, 44);

  errors.note({kAuth, "fatal auth", true});
  EXPECT_EQ(errors.last()->message, kSaslText) << "fatal errors are the client's to report";
  errors.clear();
  EXPECT_FALSE(errors.last());
  EXPECT_TRUE(errors.explain(transport).retriable);
}

TEST(SecurityErrors, AnAdminExplainsItsFailuresAfterServingTheClientAndClearsOnSuccess) {
  testing::FakeCluster cluster;
  cluster.failing["metadata"] = make_error("metadata: Local: Broker transport failure", kTransport);
  cluster.failing["create_topics"] = make_error("create topics: Policy violation", 44, false);
  SecurityErrors errors;
  int served = 0;
  // The error callback of the failure is still queued when the call returns: serving it notes it.
  auto admin = explain_security_errors(std::make_unique<testing::FakeAdmin>(cluster), errors, [&] {
    ++served;
    errors.note(sasl_failure());
  });
  auto md = admin->metadata(deadline_in(std::chrono::seconds(1)));
  ASSERT_FALSE(md.ok());
  EXPECT_EQ(served, 1);
  EXPECT_NE(md.error().message.find("SASL authentication error"), std::string::npos)
      << md.error().message;
  EXPECT_FALSE(md.error().retriable);

  auto created = admin->create_topics({{"t", 1, 1, {}}}, deadline_in(std::chrono::seconds(1)));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().message, "create topics: Policy violation") << "passed through";
  EXPECT_EQ(served, 1) << "served only to explain connection trouble";

  cluster.failing.erase("metadata");
  EXPECT_TRUE(admin->metadata(deadline_in(std::chrono::seconds(1))).ok());
  EXPECT_FALSE(errors.last()) << "a call that went through clears the noted error";
  EXPECT_TRUE(admin->broker_racks(deadline_in(std::chrono::seconds(1))).ok());
}

}  // namespace
}  // namespace mirror::kafka
