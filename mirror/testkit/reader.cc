#include "mirror/testkit/reader.h"

#include <map>

#include "mirror/kafka/admin.h"
#include "mirror/kafka/handles.h"

namespace mirror::testkit {

using namespace mirror::kafka;  // NOLINT(google-build-using-namespace): its admin building blocks

Status read_to_end(const std::string& bootstraps, const std::string& topic, int partitions,
                   std::chrono::milliseconds timeout,
                   const std::function<void(const rd_kafka_message_t&)>& on_message) {
  const auto deadline = deadline_in(timeout);
  auto conf = make_conf({{"bootstrap.servers", bootstraps},
                         {"group.id", "mirror-reader"},
                         {"enable.auto.commit", "false"},
                         {"enable.partition.eof", "false"}},
                        {});
  if (!conf.ok()) return conf.error();
  auto client = make_client(ClientType::Consumer, std::move(conf.value()));
  if (!client.ok()) return client.error();
  rd_kafka_t* rk = client->get();
  std::map<int32_t, int64_t> ends;
  PartitionListPtr list(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    int64_t lo = 0;
    int64_t hi = 0;
    const auto err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &lo, &hi,
                                                      std::max(1, remaining_ms(deadline)));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return make_error(topic + "[" + std::to_string(p) + "]: " + rd_kafka_err2str(err), err);
    }
    if (hi > lo) {
      ends[p] = hi;
      rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = lo;
    }
  }
  rd_kafka_assign(rk, list.get());
  while (!ends.empty() && remaining_ms(deadline) > 0) {
    MessagePtr m(rd_kafka_consumer_poll(rk, 100));
    if (!m || m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    on_message(*m);
    auto it = ends.find(m->partition);
    if (it != ends.end() && m->offset + 1 >= it->second) ends.erase(it);
  }
  rd_kafka_assign(rk, nullptr);
  (void)close_consumer(rk, deadline_in(std::chrono::seconds(5)));
  if (!ends.empty()) return make_error(topic + ": end not reached in time");
  return {};
}

}  // namespace mirror::testkit
