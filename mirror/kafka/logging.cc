#include "mirror/kafka/logging.h"

#include "mirror/common/log.h"

namespace mirror::kafka {

void log_callback(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  // librdkafka's syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug.
  const char* name = rk != nullptr ? rd_kafka_name(rk) : "rdkafka";
  if (level <= 3) {
    log::error("rdkafka", name, " ", facility, ": ", message);
  } else if (level == 4) {
    log::warn("rdkafka", name, " ", facility, ": ", message);
  } else if (level <= 6) {
    log::info("rdkafka", name, " ", facility, ": ", message);
  } else {
    log::debug("rdkafka", name, " ", facility, ": ", message);
  }
}

}  // namespace mirror::kafka
