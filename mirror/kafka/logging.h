// librdkafka's log lines into mirror's log (set with rd_kafka_conf_set_log_cb).
#pragma once

#include <librdkafka/rdkafka.h>

namespace mirror::kafka {

void log_callback(const rd_kafka_t* rk, int level, const char* facility, const char* message);

}  // namespace mirror::kafka
