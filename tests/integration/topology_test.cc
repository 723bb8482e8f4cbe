// Topologies that would loop, on mock clusters: an active-active pair under identity names copies
// each record once each way and no further (provenance headers, flow/provenance.h).
#include <gtest/gtest.h>

#include <thread>

#include "mirror/service/service.h"
#include "tests/integration/support.h"

namespace mirror::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kHeader = "mirror.provenance";

config::FlowSpec identity_flow(const std::string& name, const std::string& source,
                               const std::string& target) {
  config::FlowSpec f;
  f.name = name;
  f.source = source;
  f.target = target;
  f.topics = {"orders"};
  f.replication_policy = config::ReplicationPolicy::Identity;
  f.refresh_topics_interval_seconds = 1;
  f.consumer = {{"session.timeout.ms", "6000"}, {"max.poll.interval.ms", "10000"}};
  return f;
}

// `copy` without its provenance header (the last header), and that header's value.
std::pair<Record, std::string> without_provenance(Record copy) {
  std::string value;
  if (!copy.headers.empty() && copy.headers.back().first == kHeader) {
    value = copy.headers.back().second.value_or("");
    copy.headers.pop_back();
  }
  return {std::move(copy), std::move(value)};
}

// Each partition of `cluster`: its own records as produced, then the other side's, each with the
// provenance header `other_id` and otherwise as produced there. Returns what went wrong.
std::string check_side(const std::vector<Record>& read, const std::vector<Record>& own,
                       const std::vector<Record>& other, std::string* other_id) {
  for (int32_t p = 0; p < 2; ++p) {
    std::vector<Record> mine;
    std::vector<Record> copies;
    for (const Record& r : of_partition(read, p)) {
      if (!r.headers.empty() && r.headers.back().first == kHeader) {
        auto [copy, id] = without_provenance(r);
        if (other_id->empty()) *other_id = id;
        if (id != *other_id) return "provenance " + id + " besides " + *other_id;
        copies.push_back(std::move(copy));
      } else {
        mine.push_back(r);
      }
    }
    if (mine != of_partition(own, p)) return "own records of partition " + std::to_string(p);
    if (copies != of_partition(other, p)) return "copies in partition " + std::to_string(p);
  }
  return "";
}

TEST(Topology, AnActiveActivePairUnderIdentityCopiesEachRecordOnceEachWay) {
  auto east = testkit::MockCluster::start(1);
  auto west = testkit::MockCluster::start(1);
  ASSERT_TRUE(east.ok() && west.ok());
  ASSERT_TRUE((*east)->create_topic("orders", 2, 1).ok());
  ASSERT_TRUE((*west)->create_topic("orders", 2, 1).ok());
  config::ServiceSpec spec;
  spec.clusters["east"].name = "east";
  spec.clusters["east"].bootstrap_servers = (*east)->bootstraps();
  spec.clusters["west"].name = "west";
  spec.clusters["west"].bootstrap_servers = (*west)->bootstraps();
  spec.flows = {identity_flow("east-to-west", "east", "west"),
                identity_flow("west-to-east", "west", "east")};
  service::ServiceOptions options;
  options.tuning.retry_backoff_max = 2s;
  options.admin_factory = [&east, &west](rd_kafka_t*, const std::string& cluster) {
    return cluster == "east" ? (*east)->admin() : (*west)->admin();
  };
  service::Service service(spec, az::Resolution{}, options);
  ASSERT_TRUE(service.start().ok());
  ASSERT_TRUE(wait_until([&] { return service.ready(); }, 30s));

  const auto from_east = make_records(200, 2, "east");
  const auto from_west = make_records(200, 2, "west");
  ASSERT_TRUE(produce((*east)->bootstraps(), "orders", from_east));
  ASSERT_TRUE(produce((*west)->bootstraps(), "orders", from_west));
  auto both_full = [&] {
    return read_all((*east)->bootstraps(), "orders", 2, 5s).size() == 400 &&
           read_all((*west)->bootstraps(), "orders", 2, 5s).size() == 400;
  };
  ASSERT_TRUE(wait_until(both_full, 60s));
  std::this_thread::sleep_for(5s);  // a loop would have copied the copies back by now
  const auto on_east = read_all((*east)->bootstraps(), "orders", 2);
  const auto on_west = read_all((*west)->bootstraps(), "orders", 2);
  service.stop();
  EXPECT_EQ(on_east.size(), 400u) << "each record once on each side, nothing copied back";
  EXPECT_EQ(on_west.size(), 400u);
  std::string west_id;
  std::string east_id;
  EXPECT_EQ(check_side(on_east, from_east, from_west, &west_id), "");
  EXPECT_EQ(check_side(on_west, from_west, from_east, &east_id), "");
  EXPECT_FALSE(west_id.empty());
  EXPECT_FALSE(east_id.empty());
  EXPECT_NE(west_id, east_id) << "each copy names the cluster it came from";
}

}  // namespace
}  // namespace mirror::testing
