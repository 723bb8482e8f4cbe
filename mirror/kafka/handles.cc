#include "mirror/kafka/handles.h"

#include <algorithm>
#include <climits>
#include <string>

namespace mirror::kafka {

Result<ConfPtr> make_conf(const Properties& properties, const std::set<std::string>& secret_keys) {
  ConfPtr conf(rd_kafka_conf_new());
  char errstr[512];
  for (const auto& [key, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      if (secret_keys.count(key) != 0) {
        return make_error("invalid librdkafka property '" + key + "' (value hidden)", 0, false);
      }
      return make_error("invalid librdkafka property '" + key + "': " + errstr, 0, false);
    }
  }
  return conf;
}

Result<HandlePtr> make_client(ClientType type, ConfPtr conf) {
  char errstr[512];
  rd_kafka_t* rk =
      rd_kafka_new(type == ClientType::Producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER, conf.get(),
                   errstr, sizeof errstr);
  if (rk == nullptr) {
    return make_error(std::string("cannot create client: ") + errstr, 0, false);
  }
  (void)conf.release();  // now owned by rk
  return HandlePtr(rk);
}

size_t message_bytes(const rd_kafka_message_t* msg) {
  size_t size = msg->len + msg->key_len;
  rd_kafka_headers_t* headers = nullptr;
  // The headers are parsed once per message and kept with it.
  if (rd_kafka_message_headers(msg, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t value_size = 0;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &value_size) ==
                       RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      size += std::char_traits<char>::length(name) + value_size;
    }
  }
  return size;
}

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
  return static_cast<int>(std::clamp<long long>(left, 0, INT_MAX));
}

}  // namespace mirror::kafka
