// Which librdkafka errors a retry can cure. Retriable errors are the weather of a network and a
// cluster (a broker down, a timeout, a full queue): a flow retries them within seconds. The others
// are decisions a person has to change (credentials, permissions, a property librdkafka refuses,
// a TLS handshake that cannot succeed): a flow with one shows `state: failed` and tries again
// only after a long backoff (flow.h, Tuning::failed_backoff).
#pragma once

#include <string>

#include "mirror/common/result.h"

namespace mirror::kafka {

// False for security errors (below), invalid-argument and unsupported-feature errors.
bool is_retriable(int rd_kafka_err);

// Authentication (SASL: credentials, mechanism), TLS and authorization errors: the ones a person
// has to fix.
bool is_security_error(int rd_kafka_err);

// What a call gets when the broker connections it waited for went down or never came up
// (transport failure, all brokers down, timeouts): often the only trace a security error leaves
// outside the client's error callback (security_errors.h).
bool is_connection_trouble(int rd_kafka_err);

// An Error whose `retriable` follows is_retriable(code).
Error client_error(std::string message, int rd_kafka_err);

// True for the errors with which a target refuses one record for good: no retry of that record can
// succeed while the target stays as it is (too large for the topic's max.message.bytes or the
// producer's message.max.bytes, a record list too large, an invalid record such as a null key for
// a compacted topic, a timestamp outside the topic's bounds, a broker policy). Connection
// trouble, timeouts and authorization are not refusals. How a flow deals with a refused record is
// its `unreplicable_records` policy (flow/pipeline.h).
bool is_refusal(int rd_kafka_err);

// A short token for a refusal, for metric labels: too_large, invalid_record, invalid_timestamp,
// policy, refused.
const char* refusal_reason(int rd_kafka_err);

}  // namespace mirror::kafka
