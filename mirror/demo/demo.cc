#include "mirror/demo/demo.h"

#include <librdkafka/rdkafka.h>

#include <iomanip>
#include <set>
#include <thread>

#include "mirror/common/log.h"
#include "mirror/kafka/admin.h"
#include "mirror/kafka/handles.h"
#include "mirror/service/service.h"
#include "mirror/testkit/mock_cluster.h"
#include "mirror/testkit/reader.h"

namespace mirror::demo {
namespace {

using service::Service;
using service::ServiceOptions;
constexpr int kOk = 0;
constexpr int kRuntimeFailure = 4;  // the product's exit code for a runtime failure

using Clock = std::chrono::steady_clock;

constexpr const char* kNodeZone = "az-b";
constexpr int kPartitions = 6;
const char* const kRacks[] = {"az-a", "az-b", "az-c"};

// Sample traffic: keyed records with a header, counted when the source acknowledged them.
class TrafficProducer {
 public:
  explicit TrafficProducer(const std::string& bootstraps) {
    auto conf = kafka::make_conf(
        {{"bootstrap.servers", bootstraps}, {"acks", "all"}, {"linger.ms", "5"}}, {});
    if (!conf.ok()) return;
    rd_kafka_conf_set_opaque(conf->get(), this);
    rd_kafka_conf_set_dr_msg_cb(conf->get(),
                                [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
                                  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) return;
                                  static_cast<TrafficProducer*>(opaque)->acked_.emplace(
                                      static_cast<const char*>(m->key), m->key_len);
                                });
    auto client = kafka::make_client(kafka::ClientType::Producer, std::move(conf.value()));
    if (client.ok()) rk_ = std::move(client.value());
  }
  bool ok() const { return rk_ != nullptr; }

  void send(const std::string& topic, uint64_t n) {
    const std::string key = topic + "-" + std::to_string(n);
    const std::string value = "{\"id\":" + std::to_string(n) + ",\"topic\":\"" + topic + "\"}";
    rd_kafka_headers_t* headers = rd_kafka_headers_new(1);
    rd_kafka_header_add(headers, "demo", -1, "mirror", -1);
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(
                rk_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key.data(), key.size()),
                RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk_.get(), 10);
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) rd_kafka_headers_destroy(headers);  // not taken
    rd_kafka_poll(rk_.get(), 0);
  }
  // Waits for the last acknowledgements; returns the keys the source acknowledged.
  const std::set<std::string>& finish() {
    (void)kafka::flush(rk_.get(), kafka::deadline_in(std::chrono::seconds(30)));
    return acked_;
  }

 private:
  std::set<std::string> acked_;  // written by delivery reports, served on this thread's polls
  kafka::HandlePtr rk_;
};

// The distinct keys of a target topic, read to its end.
std::set<std::string> read_keys(const std::string& bootstraps, const std::string& topic,
                                int partitions) {
  std::set<std::string> keys;
  (void)testkit::read_to_end(bootstraps, topic, partitions, std::chrono::seconds(30),
                             [&keys](const rd_kafka_message_t& m) {
                               keys.emplace(static_cast<const char*>(m.key), m.key_len);
                             });
  return keys;
}

void print_placement(std::ostream& out, const std::vector<flow::FlowStatus>& flows,
                     uint64_t produced) {
  out << "--- " << produced << " records produced so far\n";
  for (const auto& f : flows) {
    uint64_t replicated = 0;
    for (const auto& p : f.partitions) replicated += p.replicated;
    out << "flow " << f.name << " [" << flow::to_string(f.state)
        << "] client.rack=" << f.client_rack.value_or("(none)")
        << " fetch_mode=" << flow::to_string(f.fetch_mode) << " replicated=" << replicated << "\n";
    for (const auto& p : f.partitions) {
      out << "  " << std::setw(8) << std::left << p.topic << " p" << p.partition
          << "  leader=" << p.leader << "  read from broker " << p.fetch_broker << " ("
          << (p.fetch_broker_rack.empty() ? "?" : p.fetch_broker_rack) << ")"
          << (p.from_follower ? "  follower" : "  leader") << "\n";
    }
  }
  out.flush();
}

}  // namespace

int run_demo(std::chrono::seconds duration, std::ostream& out) {
  auto source_mock = testkit::MockCluster::start(3, {kRacks[0], kRacks[1], kRacks[2]});
  auto target_mock = testkit::MockCluster::start(1);
  if (!source_mock.ok() || !target_mock.ok()) {
    out << "demo: cannot start in-process mock clusters\n";
    return kRuntimeFailure;
  }
  testkit::MockCluster* source = source_mock->get();
  testkit::MockCluster* target = target_mock->get();
  // Topics with replication factor 3 whose leaders sit outside the node's zone (az-b).
  const std::vector<std::pair<std::string, bool>> topics{{"orders", true}, {"payments", false}};
  for (const auto& [topic, follower_fetching] : topics) {
    (void)source->create_topic(topic, kPartitions, 3);
    for (int p = 0; p < kPartitions; ++p) {
      source->set_leader(topic, p, p % 2 == 0 ? 1 : 3);
      // The mock broker does not choose a replica from client.rack (field notes): the demo plays
      // the rack-aware selector's part. A leader in az-a/az-c names the az-b replica (broker 2) as
      // preferred read replica to the consumer that sends client.rack=az-b, i.e. the consumer of
      // the follower-fetching flow; the other flow sends no rack and is served by the leader.
      if (follower_fetching) source->set_follower(topic, p, 2);
    }
  }
  out << "demo: source cluster " << source->bootstraps() << " (brokers 1,2,3 in az-a, az-b, az-c)\n"
      << "demo: target cluster " << target->bootstraps() << "\n"
      << "demo: this node's availability zone: " << kNodeZone << "\n";

  config::ServiceSpec spec;
  for (const auto& [name, cluster] : {std::pair{"source", source}, std::pair{"target", target}}) {
    auto& c = spec.clusters[name];
    c.name = name;
    c.bootstrap_servers = cluster->bootstraps();
  }
  config::FlowSpec follower;
  follower.name = "orders-follower";
  follower.source = "source";
  follower.target = "target";
  follower.topics = {"orders"};
  follower.follower_fetching_enabled = true;
  config::FlowSpec leader = follower;
  leader.name = "payments-leader";
  leader.topics = {"payments"};
  leader.follower_fetching_enabled = false;
  spec.flows = {follower, leader};

  az::Resolution zone;
  zone.zone = az::Zone{kNodeZone, kNodeZone};
  zone.source = "demo";
  ServiceOptions options;
  options.http_listen = "127.0.0.1:0";
  options.tuning.fallback_grace = std::chrono::seconds(2);
  options.admin_factory = [source, target](rd_kafka_t*, const std::string& cluster) {
    return cluster == "source" ? source->admin() : target->admin();
  };
  Service service(spec, zone, options);
  if (auto st = service.start(); !st.ok()) {
    out << "demo: " << st.error().message << "\n";
    return kRuntimeFailure;
  }
  out << "demo: status page at http://127.0.0.1:" << service.http_port()
      << "/ (the same as JSON at /flows; metrics at /metrics)\n";

  TrafficProducer producer(source->bootstraps());
  if (!producer.ok()) {
    out << "demo: cannot create the sample producer\n";
    return kRuntimeFailure;
  }
  const auto start = Clock::now();
  auto next_print = start + std::chrono::seconds(3);
  uint64_t sent = 0;
  while (Clock::now() - start < duration) {
    for (const auto& [topic, ff] : topics) producer.send(topic, sent);
    ++sent;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (Clock::now() >= next_print) {
      next_print += std::chrono::seconds(3);
      print_placement(out, service.flow_statuses(), sent * topics.size());
    }
  }
  const std::set<std::string>& acked = producer.finish();
  const uint64_t produced = acked.size();

  // Let the flows catch up, then stop them (drain and commit).
  const auto catch_up = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < catch_up) {
    uint64_t replicated = 0;
    for (const auto& f : service.flow_statuses()) {
      for (const auto& p : f.partitions) replicated += p.replicated;
    }
    if (replicated >= produced) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const auto final_status = service.flow_statuses();
  print_placement(out, final_status, produced);
  service.stop();

  // Count what arrived on the target, record by record (keys are unique).
  uint64_t replicated = 0;
  uint64_t lost = 0;
  for (const auto& [topic, ff] : topics) {
    const auto keys = read_keys(target->bootstraps(), "source." + topic, kPartitions);
    for (uint64_t n = 0; n < sent; ++n) {
      const std::string key = topic + "-" + std::to_string(n);
      if (keys.count(key) != 0) {
        ++replicated;
      } else if (acked.count(key) != 0) {
        ++lost;  // acknowledged by the source, missing on the target
      }
    }
  }
  int p = 0;
  int q = 0;
  for (const auto& f : final_status) {
    if (!f.follower_fetching_enabled) continue;
    for (const auto& part : f.partitions) {
      ++q;
      if (part.from_follower && part.fetch_broker_rack == kNodeZone) ++p;
    }
  }
  out << "summary: produced=" << produced << " replicated=" << replicated << " lost=" << lost
      << " follower_reads=" << p << "/" << q << "\n";
  return lost == 0 && q > 0 && p == q ? kOk : kRuntimeFailure;
}

}  // namespace mirror::demo
