#include "tests/integration/support.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <map>
#include <sstream>
#include <thread>

#include "mirror/kafka/admin.h"
#include "mirror/kafka/handles.h"
#include "mirror/testkit/reader.h"

namespace mirror::testing {

std::string describe(const Record& r) {
  std::ostringstream out;
  out << "p" << r.partition << " key=" << (r.key ? "'" + *r.key + "'" : "null")
      << " value=" << (r.value ? std::to_string(r.value->size()) + " bytes" : "null")
      << " ts=" << r.timestamp << " headers=" << r.headers.size();
  return out.str();
}

std::vector<Record> make_records(int n, int partitions, const std::string& tag) {
  std::vector<Record> out;
  out.reserve(static_cast<size_t>(n));
  const int64_t base_ts = 1700000000000;
  for (int i = 0; i < n; ++i) {
    Record r;
    r.partition = i % partitions;
    if (i % 7 != 3) r.key = tag + "-key-" + std::to_string(i);
    if (i % 11 == 5) {
      r.value = std::nullopt;  // tombstone
    } else if (i % 13 == 6) {
      r.value = std::string();  // empty, not null
    } else {
      std::string v = tag + "-value-" + std::to_string(i) + "-";
      v.push_back('\0');
      v.push_back(static_cast<char>(0xff));
      v.append(static_cast<size_t>(i % 50), 'x');
      r.value = v;
    }
    if (i % 3 == 0) r.headers.push_back({"trace", "t" + std::to_string(i)});
    if (i % 5 == 0) {
      r.headers.push_back({"dup", "first"});
      r.headers.push_back({"dup", "second"});
    }
    if (i % 17 == 0) r.headers.push_back({"nullable", std::nullopt});
    r.timestamp = base_ts + i;
    out.push_back(std::move(r));
  }
  return out;
}

bool produce(const std::string& bootstraps, const std::string& topic,
             const std::vector<Record>& records) {
  struct Acks {
    size_t ok = 0;
    size_t failed = 0;
  } acks;
  auto conf = kafka::make_conf(
      {{"bootstrap.servers", bootstraps}, {"enable.idempotence", "true"}, {"linger.ms", "2"}}, {});
  if (!conf.ok()) return false;
  rd_kafka_conf_set_opaque(conf->get(), &acks);
  rd_kafka_conf_set_dr_msg_cb(conf->get(),
                              [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
                                auto* a = static_cast<Acks*>(opaque);
                                (m->err == RD_KAFKA_RESP_ERR_NO_ERROR ? a->ok : a->failed)++;
                              });
  auto client = kafka::make_client(kafka::ClientType::Producer, std::move(conf.value()));
  if (!client.ok()) return false;
  rd_kafka_t* rk = client->get();
  for (const auto& r : records) {
    rd_kafka_headers_t* headers =
        r.headers.empty() ? nullptr : rd_kafka_headers_new(r.headers.size());
    for (const auto& [name, value] : r.headers) {
      rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()),
                          value ? value->data() : nullptr,
                          value ? static_cast<ssize_t>(value->size()) : 0);
    }
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(r.partition),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_KEY((r.key ? r.key->data() : nullptr), (r.key ? r.key->size() : 0)),
                RD_KAFKA_V_VALUE((r.value ? const_cast<char*>(r.value->data()) : nullptr),
                                 (r.value ? r.value->size() : 0)),
                RD_KAFKA_V_TIMESTAMP(r.timestamp), RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END)) ==
           RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk, 10);
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (headers != nullptr) rd_kafka_headers_destroy(headers);
      return false;
    }
    rd_kafka_poll(rk, 0);
  }
  (void)kafka::flush(rk, kafka::deadline_in(std::chrono::seconds(30)));
  return acks.ok == records.size() && acks.failed == 0;
}

std::vector<Record> read_all(const std::string& bootstraps, const std::string& topic,
                             int partitions, std::chrono::seconds timeout) {
  std::vector<Record> out;
  auto st = testkit::read_to_end(
      bootstraps, topic, partitions, timeout, [&out](const rd_kafka_message_t& m) {
        Record r;
        r.partition = m.partition;
        if (m.key != nullptr) r.key = std::string(static_cast<const char*>(m.key), m.key_len);
        if (m.payload != nullptr) r.value = std::string(static_cast<const char*>(m.payload), m.len);
        r.timestamp = rd_kafka_message_timestamp(&m, nullptr);
        rd_kafka_headers_t* headers = nullptr;
        if (rd_kafka_message_headers(&m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
          const char* name = nullptr;
          const void* value = nullptr;
          size_t size = 0;
          for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                             RD_KAFKA_RESP_ERR_NO_ERROR;
               ++i) {
            r.headers.emplace_back(name, value != nullptr
                                             ? std::optional<std::string>(std::string(
                                                   static_cast<const char*>(value), size))
                                             : std::nullopt);
          }
        }
        out.push_back(std::move(r));
      });
  if (!st.ok()) ADD_FAILURE() << "reading " << topic << ": " << st.error().message;
  return out;
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return condition();
}

std::vector<Record> of_partition(const std::vector<Record>& records, int32_t partition) {
  std::vector<Record> out;
  for (const auto& r : records) {
    if (r.partition == partition) out.push_back(r);
  }
  return out;
}

flow::FlowContext make_context(const FlowSetup& setup, testkit::MockCluster& source,
                               testkit::MockCluster& target, metrics::Metrics* metrics) {
  flow::FlowContext ctx;
  ctx.spec.name = setup.name;
  ctx.spec.source = "src";
  ctx.spec.target = "dst";
  ctx.spec.topics = setup.topics;
  ctx.spec.follower_fetching_enabled = setup.follower_fetching;
  ctx.spec.refresh_topics_interval_seconds = setup.refresh_seconds;
  ctx.source.name = "src";
  ctx.source.bootstrap_servers = source.bootstraps();
  ctx.target.name = "dst";
  ctx.target.bootstrap_servers = target.bootstraps();
  // The mock's group coordinator waits up to the rebalance timeout (max.poll.interval.ms) for
  // rejoining members and up to the session timeout for departed ones: keep both short.
  ctx.spec.consumer = {{"session.timeout.ms", "6000"}, {"max.poll.interval.ms", "10000"}};
  for (const auto& [k, v] : setup.consumer) ctx.spec.consumer[k] = v;
  ctx.node_rack = setup.node_rack;
  if (setup.follower_fetching) ctx.client_rack = setup.node_rack;
  ctx.metrics = metrics;
  ctx.tuning.fallback_grace = std::chrono::seconds(2);
  ctx.tuning.retry_backoff_max = std::chrono::seconds(2);
  // By the target's name: tests may rename the source cluster of a context.
  ctx.admin_factory = [&source, &target](rd_kafka_t*, const std::string& cluster) {
    return cluster == "dst" ? target.admin() : source.admin();
  };
  return ctx;
}

std::unique_ptr<testkit::MockCluster> rack_source(const std::vector<std::string>& topics,
                                                  int partitions, int follower) {
  auto mc = testkit::MockCluster::start(3, {"az-a", "az-b", "az-c"});
  if (!mc.ok()) return nullptr;
  for (const auto& topic : topics) {
    if (!(*mc)->create_topic(topic, partitions, 3).ok()) return nullptr;
    for (int p = 0; p < partitions; ++p) {
      (*mc)->set_leader(topic, p, p % 2 == 0 ? 1 : 3);
      if (follower >= 0) (*mc)->set_follower(topic, p, follower);
    }
  }
  return std::move(mc.value());
}

uint64_t replicated_of(const std::vector<flow::FlowStatus>& statuses, const std::string& name) {
  uint64_t n = 0;
  for (const auto& f : statuses) {
    if (f.name != name) continue;
    for (const auto& p : f.partitions) n += p.replicated;
  }
  return n;
}

config::FlowSpec flow_of(const std::string& name, const std::string& topic) {
  config::FlowSpec f;
  f.name = name;
  f.source = "src";
  f.target = "dst";
  f.topics = {topic};
  f.refresh_topics_interval_seconds = 1;
  f.consumer = {{"session.timeout.ms", "6000"}, {"max.poll.interval.ms", "10000"}};
  return f;
}

config::ServiceSpec service_spec_of(const flow::FlowContext& ctx) {
  config::ServiceSpec spec;
  spec.clusters["src"] = ctx.source;
  spec.clusters["dst"] = ctx.target;
  return spec;
}

service::ServiceOptions service_options_of(const flow::FlowContext& ctx) {
  service::ServiceOptions options;
  options.tuning = ctx.tuning;
  options.admin_factory = ctx.admin_factory;
  return options;
}

double metric(const std::string& text, const std::string& series) {
  auto at = text.find(series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 1));
}

}  // namespace mirror::testing
