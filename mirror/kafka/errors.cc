#include "mirror/kafka/errors.h"

#include <librdkafka/rdkafka.h>

namespace mirror::kafka {

bool is_retriable(int rd_kafka_err) {
  switch (static_cast<rd_kafka_resp_err_t>(rd_kafka_err)) {
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
      return false;
    default:
      return !is_security_error(rd_kafka_err);
  }
}

bool is_security_error(int rd_kafka_err) {
  switch (static_cast<rd_kafka_resp_err_t>(rd_kafka_err)) {
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR__SSL:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_SASL_MECHANISM:
    case RD_KAFKA_RESP_ERR_ILLEGAL_SASL_STATE:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_DELEGATION_TOKEN_AUTHORIZATION_FAILED:
      return true;
    default:
      return false;
  }
}

bool is_connection_trouble(int rd_kafka_err) {
  switch (static_cast<rd_kafka_resp_err_t>(rd_kafka_err)) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
      return true;
    default:
      return false;
  }
}

bool is_refusal(int rd_kafka_err) {
  switch (static_cast<rd_kafka_resp_err_t>(rd_kafka_err)) {
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
      return true;
    default:
      return false;
  }
}

const char* refusal_reason(int rd_kafka_err) {
  switch (static_cast<rd_kafka_resp_err_t>(rd_kafka_err)) {
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
      return "too_large";
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
      return "invalid_record";
    case RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP:
      return "invalid_timestamp";
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
      return "policy";
    default:
      return "refused";
  }
}

Error client_error(std::string message, int rd_kafka_err) {
  return make_error(std::move(message), rd_kafka_err, is_retriable(rd_kafka_err));
}

}  // namespace mirror::kafka
