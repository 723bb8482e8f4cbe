"""End-to-end scenarios of the issue "Prove it on real Apache Kafka", against product.md.

Each scenario runs the mirror binary (MIRROR_BIN) on the real-Kafka test bed (tests/e2e/testbed):
source topics have replication factor 3 and their leaders outside the node's AZ az-b (a follower
sits in az-b); the service runs with --availability-zone az-b unless a scenario says otherwise.
The Java record checker (kt check) is the judge of what arrived on the target. Target topics follow
the default replication policy: "<source cluster>.<topic>".

Run one:  cd tests/e2e && python3 -m unittest -v test_scenarios.S1FollowerFetching
"""

import time
import unittest

from harness import NODE_AZ, E2ETestCase, flow, log, wait_until

PARTITIONS = 6


def leaders_of(desc):
    return {p["partition"]: p["leader"] for p in desc["partitions"]}


def reads_follower(p):
    return p.get("from_follower") is True and p.get("fetch_broker_rack") == NODE_AZ


def reads_leader(leaders):
    return lambda p: p.get("from_follower") is False and p.get("fetch_broker") == leaders.get(p.get("partition"))


def payload_bytes(count, value_size, large_every=500, large_size=100_000):
    """About what kt produce writes in values (Records.generate)."""
    large = count // large_every
    return (count - large) * value_size + large * large_size


class S1FollowerFetching(E2ETestCase):
    """1. Follower fetching: every partition is read from the az-b replica, almost all bytes stay
    in the zone, and every record arrives."""

    CLUSTERS = ("rackaware", "target")

    def test_follower_fetching(self):
        name = self.flow_name("s1")
        topic = self.topic("s1")
        leaders = leaders_of(self.create_source_topic("rackaware", topic, PARTITIONS))
        self.produce("rackaware", topic, 3000)  # a backlog before the service starts
        m = self.start_mirror([flow(name, "rackaware", "target", [topic])])

        ps = self.wait_partitions(m, name, topic, PARTITIONS, reads_follower, 60,
                                  "every partition read from the az-b replica")
        for p in ps:
            self.assertEqual(p.get("fetch_broker"), 2, p)
            self.assertEqual(p.get("leader"), leaders[p["partition"]], p)
            self.assertEqual(p.get("target_topic"), "rackaware." + topic, p)
        f = self.wait_flow(m, name, lambda f: f.get("fetch_mode") == "follower", 30, 'fetch_mode "follower"')
        self.assertIs(f.get("follower_fetching_enabled"), True)
        self.assertEqual(f.get("client_rack"), NODE_AZ)
        self.assertEqual(f.get("source"), "rackaware")
        self.assertEqual(f.get("target"), "target")
        self.assertEqual(m.flows().get("availability_zone"), NODE_AZ)

        def follower_gauges():
            mx = m.metrics()
            vals = [mx.value("mirror_partition_fetch_from_follower", flow=name, topic=topic, partition=p)
                    for p in range(PARTITIONS)]
            return vals if all(v == 1 for v in vals) else None
        wait_until(follower_gauges, 30, "mirror_partition_fetch_from_follower == 1 for every partition")
        mx = m.metrics()
        self.assertEqual(mx.value("mirror_flow_follower_fetching_enabled", flow=name), 1)
        self.assertEqual(mx.value("mirror_node_info", availability_zone=NODE_AZ), 1)

        self.assert_replicated("rackaware", topic, "target")

        # Steady state after warm-up (the backlog is across): bytes read from the source stay in the zone.
        mx = m.metrics()
        self.assertEqual(mx.value("mirror_flow_fetch_mode", flow=name, mode="follower"), 1)
        self.assertEqual(mx.value("mirror_flow_fetch_mode", flow=name, mode="leader-fallback"), 0)
        same0 = mx.value("mirror_fetch_bytes_total", 0, flow=name, zone="same")
        total0 = mx.value("mirror_fetch_bytes_total", 0, flow=name)
        saved0 = mx.value("mirror_fetch_bytes_saved_total", 0, flow=name)
        count, size = 20000, 1000
        self.produce("rackaware", topic, count, value_size=size)
        self.assert_replicated("rackaware", topic, "target")
        want = payload_bytes(count, size) // 2

        def moved():
            mx = m.metrics()
            same = mx.value("mirror_fetch_bytes_total", 0, flow=name, zone="same") - same0
            total = mx.value("mirror_fetch_bytes_total", 0, flow=name) - total0
            return (same, total) if same >= want else None
        same, total = wait_until(moved, 30, "mirror_fetch_bytes_total{zone=\"same\"} to grow by >= %d bytes" % want)
        log("s1: fetch bytes after warm-up: same %d of %d (%.1f%%)" % (same, total, 100.0 * same / total))
        self.assertGreaterEqual(same / total, 0.9, "share of same-zone fetch bytes: same %d, total %d" % (same, total))
        # Every leader sits outside the node's zone: each record byte read from az-b is one that
        # leader reads would have fetched across zones.
        def saved_grew():
            saved = m.metrics().value("mirror_fetch_bytes_saved_total", 0, flow=name) - saved0
            return saved if saved >= want else None
        saved = wait_until(saved_grew, 30, "mirror_fetch_bytes_saved_total to grow by >= %d bytes" % want)
        log("s1: record bytes saved from cross-zone fetches: %d" % saved)


class S2PerFlowSwitch(E2ETestCase):
    """2. follower_fetching_enabled: false on one flow: that flow reads from leaders while another
    flow on the same source in the same process reads from followers."""

    CLUSTERS = ("rackaware", "target")

    def test_per_flow_switch(self):
        f_follow, f_leader = self.flow_name("s2-follow"), self.flow_name("s2-leader")
        t_follow, t_leader = self.topic("s2-follow"), self.topic("s2-leader")
        self.create_source_topic("rackaware", t_follow, PARTITIONS)
        leaders = leaders_of(self.create_source_topic("rackaware", t_leader, PARTITIONS))
        self.produce("rackaware", t_follow, 2000)
        self.produce("rackaware", t_leader, 2000)
        m = self.start_mirror([
            flow(f_follow, "rackaware", "target", [t_follow]),
            flow(f_leader, "rackaware", "target", [t_leader], follower_fetching_enabled=False),
        ])

        self.wait_partitions(m, f_follow, t_follow, PARTITIONS, reads_follower, 60,
                             "flow s2-follow: every partition read from the az-b replica")
        self.wait_partitions(m, f_leader, t_leader, PARTITIONS, reads_leader(leaders), 60,
                             "flow s2-leader: every partition read from its leader")
        self.wait_flow(m, f_follow, lambda f: f.get("fetch_mode") == "follower", 30, 's2-follow fetch_mode "follower"')
        f = self.wait_flow(m, f_leader, lambda f: f.get("fetch_mode") == "leader", 30, 's2-leader fetch_mode "leader"')
        self.assertIs(f.get("follower_fetching_enabled"), False)

        self.assert_replicated("rackaware", t_follow, "target")
        self.assert_replicated("rackaware", t_leader, "target")
        self.produce("rackaware", t_follow, 3000, value_size=1000)
        self.produce("rackaware", t_leader, 3000, value_size=1000)
        self.assert_replicated("rackaware", t_follow, "target")
        self.assert_replicated("rackaware", t_leader, "target")

        mx = m.metrics()
        self.assertEqual(mx.value("mirror_flow_follower_fetching_enabled", flow=f_follow), 1)
        self.assertEqual(mx.value("mirror_flow_follower_fetching_enabled", flow=f_leader), 0)
        for p in range(PARTITIONS):
            self.assertEqual(mx.value("mirror_partition_fetch_from_follower", flow=f_leader, topic=t_leader,
                                      partition=p), 0, "partition %d of the leader flow" % p)
            self.assertEqual(mx.value("mirror_partition_fetch_from_follower", flow=f_follow, topic=t_follow,
                                      partition=p), 1, "partition %d of the follower flow" % p)
        # The leaders sit in az-a / az-c: the leader flow's bytes are cross-zone.
        total = mx.value("mirror_fetch_bytes_total", 0, flow=f_leader)
        same = mx.value("mirror_fetch_bytes_total", 0, flow=f_leader, zone="same")
        self.assertGreater(total, 0, "mirror_fetch_bytes_total of flow s2-leader")
        self.assertLess(same / total, 0.1, "same-zone share of the leader flow: %d of %d" % (same, total))
        self.assertEqual(mx.value("mirror_fetch_bytes_saved_total", flow=f_leader), 0)
        self.assertGreater(mx.value("mirror_fetch_bytes_saved_total", flow=f_follow), 0)
        self.assertEqual(mx.value("mirror_flow_fetch_mode", flow=f_leader, mode="leader"), 1)
        self.assertEqual(mx.value("mirror_flow_fetch_mode", flow=f_follow, mode="follower"), 1)


class S3LeaderFallback(E2ETestCase):
    """3. A source that ignores client.rack (default replica selector): leader reads, fetch_mode
    "leader-fallback", everything replicated."""

    CLUSTERS = ("plain", "target")

    def test_leader_fallback(self):
        name = self.flow_name("s3")
        topic = self.topic("s3")
        leaders = leaders_of(self.create_source_topic("plain", topic, PARTITIONS))
        self.produce("plain", topic, 3000)
        m = self.start_mirror([flow(name, "plain", "target", [topic])])

        ps = self.wait_partitions(m, name, topic, PARTITIONS, reads_leader(leaders), 60,
                                  "every partition read from its leader")
        for p in ps:
            self.assertEqual(p.get("target_topic"), "plain." + topic, p)
        f = self.wait_flow(m, name, lambda f: f.get("fetch_mode") == "leader-fallback", 60,
                           'fetch_mode "leader-fallback"')
        self.assertIs(f.get("follower_fetching_enabled"), True)
        self.assertEqual(f.get("client_rack"), NODE_AZ)
        self.produce("plain", topic, 2000)
        self.assert_replicated("plain", topic, "target")
        mx = m.metrics()
        for p in range(PARTITIONS):
            self.assertEqual(mx.value("mirror_partition_fetch_from_follower", flow=name, topic=topic, partition=p), 0)
        self.assertEqual(mx.value("mirror_flow_fetch_mode", flow=name, mode="leader-fallback"), 1)
        self.assertEqual(mx.value("mirror_flow_fetch_mode", flow=name, mode="follower"), 0)
        self.assertEqual(mx.value("mirror_fetch_bytes_saved_total", flow=name), 0)


class S4RackMismatch(E2ETestCase):
    """4. The node's AZ matches no broker rack (az-x): leader reads, fetch_mode "leader",
    everything replicated, no errors."""

    CLUSTERS = ("rackaware", "target")

    def test_rack_mismatch(self):
        name = self.flow_name("s4")
        topic = self.topic("s4")
        leaders = leaders_of(self.create_source_topic("rackaware", topic, PARTITIONS))
        self.produce("rackaware", topic, 3000)
        m = self.start_mirror([flow(name, "rackaware", "target", [topic])], az="az-x")

        self.assertEqual(m.flows().get("availability_zone"), "az-x")
        self.wait_partitions(m, name, topic, PARTITIONS, reads_leader(leaders), 60,
                             "every partition read from its leader")
        self.wait_flow(m, name, lambda f: f.get("fetch_mode") == "leader", 30, 'fetch_mode "leader"')
        self.produce("rackaware", topic, 2000)
        self.assert_replicated("rackaware", topic, "target")
        mx = m.metrics()
        self.assertEqual(mx.value("mirror_node_info", availability_zone="az-x"), 1)
        errors = mx.samples("mirror_errors_total")
        self.assertEqual(sum(v for _, _, v in errors), 0, "mirror_errors_total: %s" % errors)


class S5FollowerBrokerFailure(E2ETestCase):
    """5. The az-b follower broker (node 2) is SIGKILLed while records are produced: reads move to
    the leaders within 30 s and nothing is lost; after it restarts, reads return to it.

    The flow sets topic.metadata.refresh.interval.ms=5000 in its consumer overrides so librdkafka
    re-learns the cluster quickly; the leader names the az-b replica again as soon as it is back in
    the ISR (replica.lag.time.max.ms is 5 s on the test bed)."""

    CLUSTERS = ("rackaware", "target")

    def test_follower_broker_killed_and_restarted(self):
        name = self.flow_name("s5")
        topic = self.topic("s5")
        leaders = leaders_of(self.create_source_topic("rackaware", topic, PARTITIONS))
        self.produce("rackaware", topic, 2000)
        m = self.start_mirror([flow(name, "rackaware", "target", [topic],
                                    consumer={"topic.metadata.refresh.interval.ms": "5000"})])
        self.wait_partitions(m, name, topic, PARTITIONS, reads_follower, 60, "reads from the az-b replica")

        producer = self.produce_async("rackaware", topic, 24000, rate=400)  # about 60 s
        time.sleep(5)
        before = sum(p.get("replicated", 0) for p in m.partitions(name, topic))
        t0 = time.monotonic()
        self.testbed.kill("rackaware-2")
        self.wait_partitions(m, name, topic, PARTITIONS, reads_leader(leaders), 30,
                             "every partition read from its leader after broker 2 died")
        moved = time.monotonic() - t0
        log("s5: reads moved to the leaders %.1f s after the kill" % moved)
        wait_until(lambda: sum(p.get("replicated", 0) for p in m.partitions(name, topic)) > before + 1000, 30,
                   "replication to go on without broker 2")

        time.sleep(5)
        self.testbed.start("rackaware-2")
        t1 = time.monotonic()
        self.wait_partitions(m, name, topic, PARTITIONS, reads_follower, 120,
                             "reads back on the az-b replica after broker 2 restarted")
        log("s5: reads back on broker 2 %.1f s after it served again" % (time.monotonic() - t1))

        res = producer.wait(300)
        self.assertEqual(res["acked"], 24000)
        r = self.assert_replicated("rackaware", topic, "target", timeout=180)
        log("s5: %d duplicates" % r["duplicates"])


class S6ServiceCrash(E2ETestCase):
    """6. The service is SIGKILLed mid-stream and restarted: nothing is lost; duplicates (at-least-
    once re-sends) are counted and reported."""

    CLUSTERS = ("rackaware", "target")

    def test_service_killed_and_restarted(self):
        name = self.flow_name("s6")
        topic = self.topic("s6")
        self.create_source_topic("rackaware", topic, PARTITIONS)
        self.produce("rackaware", topic, 2000)
        m = self.start_mirror([flow(name, "rackaware", "target", [topic])])
        wait_until(lambda: sum(p.get("replicated", 0) for p in m.partitions(name, topic)) > 0, 60,
                   "records to be replicated")

        producer = self.produce_async("rackaware", topic, 20000, rate=500)  # about 40 s
        time.sleep(8)
        m.kill()
        time.sleep(3)
        m.restart()
        t0 = time.monotonic()
        wait_until(lambda: sum(p.get("replicated", 0) for p in m.partitions(name, topic)) > 0, 180,
                   "replication to resume after the restart")
        # Not bounded by the contract; a restarted consumer-group member may wait for the killed
        # member's session to expire (librdkafka's default session.timeout.ms is 45 s).
        log("s6: replication resumed %.1f s after the restart" % (time.monotonic() - t0))
        res = producer.wait(300)
        self.assertEqual(res["acked"], 20000)
        r = self.assert_replicated("rackaware", topic, "target", timeout=180)
        print("s6: duplicates after a SIGKILL of the service: %d (of %d target records)"
              % (r["duplicates"], r["target_records"]), flush=True)
        self.assertEqual(r["missing"], 0)


class S7TargetRestart(E2ETestCase):
    """7. The target broker is killed and restarted mid-stream: nothing is lost."""

    CLUSTERS = ("rackaware", "target")

    def test_target_broker_restarted(self):
        name = self.flow_name("s7")
        topic = self.topic("s7")
        self.create_source_topic("rackaware", topic, PARTITIONS)
        self.produce("rackaware", topic, 2000)
        m = self.start_mirror([flow(name, "rackaware", "target", [topic])])
        wait_until(lambda: sum(p.get("replicated", 0) for p in m.partitions(name, topic)) > 0, 60,
                   "records to be replicated")

        producer = self.produce_async("rackaware", topic, 16000, rate=400)  # about 40 s
        time.sleep(8)
        self.testbed.kill("target-1")
        time.sleep(8)
        self.testbed.start("target-1")
        res = producer.wait(300)
        self.assertEqual(res["acked"], 16000)
        r = self.assert_replicated("rackaware", topic, "target", timeout=240)
        log("s7: %d duplicates" % r["duplicates"])
        m.wait_ready(60)
        self.assertEqual(m.flow(name).get("state"), "running")


class S8NewTopic(E2ETestCase):
    """8. A topic created on the source while the service runs is replicated within the refresh
    interval (refresh_topics_interval_seconds: 5)."""

    CLUSTERS = ("rackaware", "target")

    def test_new_topic_picked_up(self):
        name = self.flow_name("s8")
        first, new = self.topic("s8") + "-first", self.topic("s8") + "-new"
        self.create_source_topic("rackaware", first, 3)
        self.produce("rackaware", first, 500)
        m = self.start_mirror([flow(name, "rackaware", "target", [self.topic("s8") + "-.*"],
                                    refresh_topics_interval_seconds=5)])
        self.assert_replicated("rackaware", first, "target")

        self.create_source_topic("rackaware", new, 3)
        t0 = time.monotonic()
        self.produce("rackaware", new, 1000)
        wait_until(lambda: "rackaware." + new in self.kt.list_topics(self.bootstraps["target"]), 30,
                   "rackaware.%s to be created on the target" % new)
        self.assert_replicated("rackaware", new, "target", timeout=30)
        log("s8: new topic replicated %.1f s after it was created" % (time.monotonic() - t0))
        self.assertEqual(len(m.partitions(name, new)), 3)

        # The first topic is deleted on the source: its partitions and every metric series of it
        # go, the flow keeps running and replicating the other.
        self.assertIsNotNone(m.metrics().value("mirror_records_replicated_total", flow=name, topic=first))
        self.kt.run("delete-topic", "--bootstrap", self.bootstraps["rackaware"], "--topic", first)

        def gone():
            mx = m.metrics()
            series = [s for n in ("mirror_records_replicated_total", "mirror_bytes_replicated_total",
                                  "mirror_partition_lag_records", "mirror_partition_fetch_from_follower")
                      for s in mx.samples(n, flow=name, topic=first)]
            return not m.partitions(name, first) and not series
        wait_until(gone, 60, "the deleted topic's partitions and series to go")
        self.produce("rackaware", new, 200)
        self.assert_replicated("rackaware", new, "target", timeout=60)
        self.assertEqual(m.flow(name).get("state"), "running")


class S9Bidirectional(E2ETestCase):
    """9. Two flows in opposite directions between two clusters (default policy): each side's
    records arrive once on the other side under the prefixed name, and no topic loops back."""

    CLUSTERS = ("rackaware", "target")

    def test_no_loops(self):
        r2t, t2r = self.flow_name("r2t"), self.flow_name("t2r")
        mark = self.topic("s9")
        on_r, on_t = mark + "-r", mark + "-t"
        self.create_source_topic("rackaware", on_r, PARTITIONS)
        self.kt.create_topic(self.bootstraps["target"], on_t, partitions=3, rf=1)
        self.produce("rackaware", on_r, 2000)
        self.produce("target", on_t, 2000)
        pattern = [".*%s.*" % mark]  # would also select the other side's copies, if not for the policy
        self.start_mirror([
            flow(r2t, "rackaware", "target", pattern, refresh_topics_interval_seconds=5),
            flow(t2r, "target", "rackaware", pattern, refresh_topics_interval_seconds=5),
        ])
        self.assert_replicated("rackaware", on_r, "target", no_duplicates=True)
        self.assert_replicated("target", on_t, "rackaware", no_duplicates=True)
        self.produce("rackaware", on_r, 1000)
        self.produce("target", on_t, 1000)
        time.sleep(12)  # more than two topic refresh intervals: a loop would have shown up by now
        self.assert_replicated("rackaware", on_r, "target", no_duplicates=True)
        self.assert_replicated("target", on_t, "rackaware", no_duplicates=True)

        def ours(cluster):
            return sorted(t for t in self.kt.list_topics(self.bootstraps[cluster]) if mark in t)
        self.assertEqual(ours("rackaware"), sorted([on_r, "target." + on_t]))
        self.assertEqual(ours("target"), sorted([on_t, "rackaware." + on_r]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
