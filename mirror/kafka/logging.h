// librdkafka's log lines into mirror's log (set with rd_kafka_conf_set_log_cb), each naming the
// flow whose client wrote it (log::Flow) when the client belongs to one flow.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>
#include <string_view>

namespace mirror::kafka {

void log_callback(const rd_kafka_t* rk, int level, const char* facility, const char* message);

// Clients of `client_id` belong to `flow` (empty: to none, like a client shared by flows). Called
// when a client is created (ClientProperties::create). A client id used by clients of different
// flows names none of them. Thread-safe.
void name_flow_of_client(const std::string& client_id, const std::string& flow);
// The flow of a client by its librdkafka name ("<client.id>#<type>-<n>"); empty when none.
std::string flow_of_client(std::string_view client_name);

}  // namespace mirror::kafka
