// A reload on mock clusters: only what changed is touched while the rest replicates on.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "mirror/service/service.h"
#include "tests/integration/support.h"

namespace mirror::testing {
namespace {

using namespace std::chrono_literals;

const nlohmann::json* flow_json(const nlohmann::json& doc, const std::string& name) {
  for (const auto& f : doc["flows"]) {
    if (f["name"] == name) return &f;
  }
  return nullptr;
}

std::string state_of(service::Service& s, const std::string& name) {
  for (const auto& f : s.flow_statuses()) {
    if (f.name == name) return flow::to_string(f.state);
  }
  return "absent";
}

TEST(Reload, ChangesOnlyWhatChangedWhileTheRestReplicates) {
  auto source = rack_source({"keep", "change", "gone", "added"}, 2, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  metrics::Metrics scratch;  // make_context's tuning and admin factory, reused
  const auto ctx = make_context({}, *source, **target, &scratch);

  config::ServiceSpec spec = service_spec_of(ctx);
  spec.http.listen = "127.0.0.1:0";
  spec.flows = {flow_of("keep", "keep"), flow_of("change", "change"), flow_of("gone", "gone")};
  service::ServiceOptions options = service_options_of(ctx);
  options.config_hash = "first";
  service::Service service(spec, az::Resolution{}, options);
  ASSERT_TRUE(service.start().ok());
  ASSERT_TRUE(wait_until([&] { return service.ready(); }, 30s));

  const auto before = make_records(500, 2, "before");
  ASSERT_TRUE(produce(source->bootstraps(), "keep", before));
  ASSERT_TRUE(wait_until(
      [&] { return replicated_of(service.flow_statuses(), "keep") == before.size(); }, 30s));

  // The next version: `keep` moved down a few lines (same settings), `change` changed, `gone`
  // removed, `added` new, and an address that needs a restart.
  config::ServiceSpec next = spec;
  next.http.listen = "127.0.0.1:1";
  auto keep = flow_of("keep", "keep");
  keep.location = {"flows.yaml", 40, 3};
  auto change = flow_of("change", "change");
  change.emit_heartbeats_enabled = false;
  next.flows = {keep, change, flow_of("added", "added")};

  std::atomic<bool> applying{true};
  std::atomic<bool> keep_left_running{false};
  std::thread watcher([&] {
    while (applying.load()) {
      if (state_of(service, "keep") != "running") keep_left_running = true;
      std::this_thread::sleep_for(5ms);
    }
  });
  const auto report = service.apply(next, "second");
  applying = false;
  watcher.join();

  EXPECT_EQ(report.started, std::vector<std::string>{"added"});
  EXPECT_EQ(report.stopped, std::vector<std::string>{"gone"});
  EXPECT_EQ(report.restarted, std::vector<std::string>{"change"});
  EXPECT_EQ(report.unchanged, 1u);
  EXPECT_EQ(report.needs_restart, std::vector<std::string>{"http.listen"});
  EXPECT_FALSE(keep_left_running.load()) << "the unchanged flow was touched";

  const auto after = make_records(500, 2, "after");
  ASSERT_TRUE(produce(source->bootstraps(), "keep", after));
  const auto added = make_records(200, 2, "added");
  ASSERT_TRUE(produce(source->bootstraps(), "added", added));
  ASSERT_TRUE(
      wait_until([&] { return replicated_of(service.flow_statuses(), "keep") == 1000; }, 30s))
      << replicated_of(service.flow_statuses(), "keep");
  ASSERT_TRUE(wait_until(
      [&] { return replicated_of(service.flow_statuses(), "added") == added.size(); }, 30s));

  const auto doc = nlohmann::json::parse(service.flows_json());
  EXPECT_EQ(doc["config"]["hash"], "second");
  EXPECT_TRUE(doc["config"]["last_reload_error"].is_null());
  EXPECT_EQ(doc["config"]["needs_restart"], nlohmann::json::array({"http.listen"}));
  ASSERT_EQ(doc["flows"].size(), 3u);
  EXPECT_EQ(doc["flows"][0]["name"], "keep") << "in the order of the new configuration";
  EXPECT_EQ((*flow_json(doc, "keep"))["restarts"], 0);
  EXPECT_EQ((*flow_json(doc, "change"))["restarts"], 1);
  EXPECT_EQ((*flow_json(doc, "added"))["restarts"], 0);
  EXPECT_EQ(flow_json(doc, "gone"), nullptr);

  service.refuse("flows.yaml:3:5: unknown key 'topicz'");
  const auto refused = nlohmann::json::parse(service.flows_json());
  EXPECT_EQ(refused["config"]["last_reload_error"], "flows.yaml:3:5: unknown key 'topicz'");
  EXPECT_EQ(refused["config"]["hash"], "second") << "the running configuration stays";
  const std::string metrics = service.metrics().render();
  EXPECT_NE(metrics.find("mirror_config_reloads_total{result=\"ok\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("mirror_config_reloads_total{result=\"error\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("mirror_flow_restarts_total{flow=\"change\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("mirror_flow_restarts_total{flow=\"keep\"} 0"), std::string::npos);
  EXPECT_EQ(metrics.find("flow=\"gone\""), std::string::npos) << "a removed flow's series go";
  service.stop();

  auto all = before;
  all.insert(all.end(), after.begin(), after.end());
  const auto copied = read_all((*target)->bootstraps(), "src.keep", 2);
  for (int p = 0; p < 2; ++p) {
    EXPECT_EQ(of_partition(copied, p), of_partition(all, p)) << "partition " << p;
  }
}

TEST(Reload, APausedFlowStaysPausedThroughAReloadThatRestartsItAndLosesNothing) {
  auto source = rack_source({"orders"}, 2, -1);
  auto target = testkit::MockCluster::start(1);
  ASSERT_TRUE(source && target.ok());
  metrics::Metrics scratch;
  const auto ctx = make_context({}, *source, **target, &scratch);
  config::ServiceSpec spec = service_spec_of(ctx);
  spec.flows = {flow_of("orders", "orders")};
  service::ServiceOptions options = service_options_of(ctx);
  service::Service service(spec, az::Resolution{}, options);
  ASSERT_TRUE(service.start().ok());
  ASSERT_TRUE(wait_until([&] { return service.ready(); }, 30s));
  const auto first = make_records(300, 2, "first");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", first));
  ASSERT_TRUE(
      wait_until([&] { return replicated_of(service.flow_statuses(), "orders") == 300; }, 30s));

  EXPECT_FALSE(service.set_paused("nope", true));
  ASSERT_TRUE(service.set_paused("orders", true));
  ASSERT_TRUE(wait_until([&] { return state_of(service, "orders") == "paused"; }, 10s));
  EXPECT_TRUE(service.ready()) << "paused on purpose is not a fault";
  const auto second = make_records(300, 2, "second");
  ASSERT_TRUE(produce(source->bootstraps(), "orders", second));
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(replicated_of(service.flow_statuses(), "orders"), 300u)
      << "a paused flow copies nothing";

  auto next = spec;
  next.flows[0].emit_heartbeats_enabled = false;  // changed: restarted by the reload
  const auto report = service.apply(next, "next");
  EXPECT_EQ(report.restarted, std::vector<std::string>{"orders"});
  ASSERT_TRUE(wait_until([&] { return state_of(service, "orders") == "paused"; }, 30s))
      << state_of(service, "orders");
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(replicated_of(service.flow_statuses(), "orders"), 0u)
      << "restarted paused: nothing copied";

  ASSERT_TRUE(service.set_paused("orders", false));
  ASSERT_TRUE(wait_until([&] { return state_of(service, "orders") == "running"; }, 10s));
  ASSERT_TRUE(
      wait_until([&] { return replicated_of(service.flow_statuses(), "orders") == 300; }, 30s))
      << replicated_of(service.flow_statuses(), "orders");
  service.stop();
  auto all = first;
  all.insert(all.end(), second.begin(), second.end());
  const auto copied = read_all((*target)->bootstraps(), "src.orders", 2);
  for (int p = 0; p < 2; ++p) {
    EXPECT_EQ(of_partition(copied, p), of_partition(all, p)) << "partition " << p;
  }
}

}  // namespace
}  // namespace mirror::testing
