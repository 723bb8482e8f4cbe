// Which librdkafka errors a retry can cure. Retriable errors are the weather of a network and a
// cluster (a broker down, a timeout, a full queue): a flow retries them within seconds. The others
// are decisions a person has to change (credentials, permissions, a property librdkafka refuses,
// a TLS handshake that cannot succeed): a flow with one shows `state: failed` and tries again
// only after a long backoff (flow.h, Tuning::failed_backoff).
#pragma once

#include <string>

#include "mirror/common/result.h"

namespace mirror::kafka {

// False for authentication, authorization, TLS, unsupported-mechanism and invalid-argument errors.
bool is_retriable(int rd_kafka_err);

// An Error whose `retriable` follows is_retriable(code).
Error client_error(std::string message, int rd_kafka_err);

}  // namespace mirror::kafka
