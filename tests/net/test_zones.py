"""Locality at the network layer, on the zoned test bed (tests/net/zonebed; ctest label zones).

The source cluster has one broker per zone namespace (az-a, az-b, az-c, RackAwareReplicaSelector);
the service runs in az-b's service hosts (svc1, svc2: own addresses, so the counters tell their
traffic from the brokers' replication); the target is in the remote region behind toxiproxy (40 ms
round trip) and an htb rate limit. What crossed a boundary is read from htb class counters on the
interfaces (zonebed counters), never from the service: TCP payload = wire bytes - 66 per segment.

  Z1 follower fetching (svc1) and leader-only (svc2) flows over the same 24 MB: cross-zone bytes of
     each, agreement of mirror_fetch_bytes_total{zone} with the interfaces
  Z2 under load: the az-b broker killed and restarted (reads go to the leaders, cross-zone bytes in
     the metric and on the interfaces, and come back), then the WAN link cut for 60 s (replication
     resumes by itself); nothing lost

Each test adds its numbers to $ZONES_RESULTS (JSON); `python3 test_zones.py --summary FILE` prints
the `zones:` line from it (make test-zones).

Run:  cd tests/net && python3 -m unittest -v test_zones
"""

import json
import os
import sys
import time
import unittest

from zones import ZonesTestCase, log
from harness import flow, wait_until

PARTITIONS = 6
RECORDS, VALUE_SIZE = 20000, 1000          # about 24 MB with kt's 100 kB record every 500
SPREAD = "1,2,3;2,3,1;3,1,2;1,3,2;2,1,3;3,2,1"   # leaders 1, 2, 3, 1, 2, 3: a third in each zone
CROSS = ("az-a", "az-c")                   # the other zones, seen from the service hosts in az-b
FOLLOWER_CROSS_MAX = 0.01                  # of the payload: metadata and control traffic only
LEADER_CROSS_RANGE = (0.60, 0.73)          # two thirds of what it reads
METRIC_TOLERANCE = 0.05


def results_path():
    return os.environ.get("ZONES_RESULTS") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "build", "zones-results.json")


def record(**values):
    path = results_path()
    data = {}
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        pass
    data.update(values)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(data, f, indent=1)


def summary(path):
    """The `zones:` line; n/a for what no test recorded (a failed or missing run)."""
    try:
        with open(path) as f:
            d = json.load(f)
    except (OSError, ValueError):
        d = {}
    metric = sum(v for k, v in d.items() if k.startswith("metric_bytes."))
    iface = sum(v for k, v in d.items() if k.startswith("interface_bytes."))
    ratio = "%.4f" % (metric / iface) if iface else "n/a"
    return "zones: follower_cross_zone_bytes=%s leader_cross_zone_bytes=%s payload_bytes=%s metric_vs_interface=%s" % (
        d.get("follower_cross_zone_bytes", "n/a"), d.get("leader_cross_zone_bytes", "n/a"),
        d.get("payload_bytes", "n/a"), ratio)


def fetch_bytes(mirror, flow_name):
    """mirror_fetch_bytes_total of the flow by zone label."""
    mx = mirror.metrics()
    return {z: mx.value("mirror_fetch_bytes_total", 0, flow=flow_name, zone=z) for z in ("same", "cross", "unknown")}


def replicated(mirror, flow_name, topic):
    return sum(p.get("replicated", 0) for p in mirror.partitions(flow_name, topic))


class Received:
    """What one service host received from the source brokers, by the interfaces: same zone (from
    source-2), cross zone by its own leg (source-1, source-3) and by az-b's boundary."""

    def __init__(self, d, svc):
        self.same = d.payload(svc + ".in", "source-2")
        self.cross_leg = d.payload(svc + ".in", "source-1", "source-3")
        self.cross = d.payload("az-b.in", *["%s:%s" % (svc, z) for z in CROSS])
        self.cross_sent = d.payload("az-b.out", *["%s:%s" % (svc, z) for z in CROSS])
        self.cross_wire = d.wire("az-b.in", *["%s:%s" % (svc, z) for z in CROSS]) + d.wire(
            "az-b.out", *["%s:%s" % (svc, z) for z in CROSS])
        self.total = self.same + self.cross_leg

    def __repr__(self):
        return ("same-zone %d, cross-zone %d (leg %d; sent across %d; both ways on the wire %d), total %d bytes"
                % (self.same, self.cross, self.cross_leg, self.cross_sent, self.cross_wire, self.total))


class ZonesCase(ZonesTestCase):
    def assert_close(self, a, b, rel, what, slack=0):
        self.assertLessEqual(abs(a - b), rel * max(a, b) + slack, "%s: %d vs %d (more than %.0f %% apart)" % (
            what, a, b, rel * 100))

    def assert_ratio(self, metric, iface, what):
        ratio = metric / iface if iface else float("inf")
        log("%s: metric %d / interface %d = %.4f" % (what, metric, iface, ratio))
        self.assertTrue(1 - METRIC_TOLERANCE <= ratio <= 1 + METRIC_TOLERANCE,
                        "%s: mirror_fetch_bytes_total %d vs interface payload %d (ratio %.4f, allowed %.2f-%.2f)"
                        % (what, metric, iface, ratio, 1 - METRIC_TOLERANCE, 1 + METRIC_TOLERANCE))
        return ratio


class Z1Locality(ZonesCase):
    """Follower fetching reads (almost) nothing across zones; leader-only reads two thirds across;
    the service's metric agrees with the interfaces."""

    def test_follower_and_leader_flows_on_the_same_data(self):
        topic = self.topic("zl")
        src, dst = self.bootstraps["source"], self.bootstraps["remote"]
        self.kt.create_topic(src, topic, assignment=SPREAD)
        self.produce("source", topic, RECORDS, value_size=VALUE_SIZE)
        payload = self.testbed.log_bytes("source-2", topic)
        log("z1: %d records, %d bytes of log segments" % (RECORDS, payload))

        ff, fl = self.flow_name("zf"), self.flow_name("zlead")
        c0 = self.testbed.counters()
        t0 = time.monotonic()
        mf = self.start_zone_mirror("svc1", [flow(ff, "source", "remote", [topic])], "follower")
        # The leader-only flow names its source "leaders": its copy is leaders.<topic>.
        ml = self.start_zone_mirror("svc2", [flow(fl, "leaders", "remote", [topic], follower_fetching_enabled=False)],
                                    "leader", bootstraps={"leaders": src, "remote": dst})
        for m, name in ((mf, ff), (ml, fl)):
            wait_until(lambda: replicated(m, name, topic) >= RECORDS, 180, "%s to replicate %d records" % (name, RECORDS))
        log("z1: both flows replicated %d records in %.1f s" % (RECORDS, time.monotonic() - t0))
        # every partition from source-2 (az-b): from a follower, or from the leader where it is in az-b
        self.assertTrue(all(p["fetch_broker"] == 2 for p in mf.partitions(ff, topic)), mf.partitions(ff, topic))
        self.assertTrue(all(not p["from_follower"] for p in ml.partitions(fl, topic)), ml.partitions(fl, topic))
        self.assertEqual(mf.flow(ff)["fetch_mode"], "follower")
        self.assertEqual(ml.flow(fl)["fetch_mode"], "leader")

        time.sleep(3)   # idle: only empty fetches go on
        d = self.testbed.counters() - c0
        time.sleep(2)   # the metric follows librdkafka's statistics, emitted every second
        metric_f, metric_l = fetch_bytes(mf, ff), fetch_bytes(ml, fl)
        f, l = Received(d, "svc1"), Received(d, "svc2")
        log("z1 interface counters:\n" + d.table())
        log("z1 follower flow: %r; metric %s" % (f, metric_f))
        log("z1 leader flow:   %r; metric %s" % (l, metric_l))

        for r, what in ((f, "follower"), (l, "leader")):
            self.assert_close(r.cross, r.cross_leg, 0.01, "%s flow: cross-zone bytes at az-b's uplink and at the "
                              "service host's leg" % what, slack=4096)
            self.assertGreaterEqual(r.total, payload, "%s flow read less than the topic's log (%d)" % (what, payload))
        self.assertLessEqual(f.cross, FOLLOWER_CROSS_MAX * payload,
                             "follower fetching read %d bytes across zones (more than %.0f %% of %d)" % (
                                 f.cross, FOLLOWER_CROSS_MAX * 100, payload))
        share = l.cross / l.total
        log("z1: leader-only flow read %.3f of its bytes across zones" % share)
        self.assertTrue(LEADER_CROSS_RANGE[0] <= share <= LEADER_CROSS_RANGE[1],
                        "leader-only flow: %.3f of its bytes across zones, expected about 2/3" % share)

        self.assert_ratio(sum(metric_f.values()), f.total, "follower flow, all bytes")
        self.assert_ratio(sum(metric_l.values()), l.total, "leader flow, all bytes")
        self.assert_ratio(metric_l["cross"], l.cross, "leader flow, cross-zone bytes")
        self.assert_ratio(metric_f["same"], f.same, "follower flow, same-zone bytes")
        self.assertEqual(metric_f["unknown"] + metric_l["unknown"], 0)
        record(follower_cross_zone_bytes=f.cross, leader_cross_zone_bytes=l.cross, payload_bytes=payload,
               follower_same_zone_bytes=f.same, leader_same_zone_bytes=l.same,
               follower_cross_zone_sent_bytes=f.cross_sent, leader_cross_zone_sent_bytes=l.cross_sent,
               follower_cross_zone_wire_bytes=f.cross_wire, leader_cross_zone_wire_bytes=l.cross_wire,
               follower_metric=metric_f, leader_metric=metric_l,
               **{"metric_bytes.z1_follower": sum(metric_f.values()), "interface_bytes.z1_follower": f.total,
                  "metric_bytes.z1_leader": sum(metric_l.values()), "interface_bytes.z1_leader": l.total})

        # Record counts of both copies (the checker's byte-exact proof runs in Z2, under faults).
        res = self.kt.run("totals", "--bootstrap", dst, "--topic", "source." + topic, "--topic", "leaders." + topic)
        self.assertEqual(res.json["totals"], {"source." + topic: RECORDS, "leaders." + topic: RECORDS}, res)


def reads_follower(p):
    return p.get("from_follower") is True and p.get("fetch_broker") == 2


class Z2FaultsUnderLoad(ZonesCase):
    """Under a steady load (one producer, one follower-fetching flow, one check at the end):
    1. the az-b broker is killed: reads move to the leaders in az-a/az-c (cross-zone bytes in the
       metric and on the interfaces), and come back to az-b after its restart;
    2. the WAN link to the remote region is cut for 60 s (the proxy refuses connections): the
       service stays up, nothing reaches the region, replication resumes by itself;
    nothing is lost (the record checker)."""

    RATE, VALUE = 250, 200                  # about 100 kB/s with kt's 100 kB record every 500
    CUT_SECONDS = 60

    def window(self, m, name, seconds):
        c0, m0 = self.testbed.counters(), fetch_bytes(m, name)
        time.sleep(seconds)
        r = Received(self.testbed.counters() - c0, "svc1")
        time.sleep(1.5)   # the metric follows librdkafka's statistics (every second): both cover the window
        m1 = fetch_bytes(m, name)
        return r, {z: m1[z] - m0[z] for z in m1}

    def test_follower_broker_failure_then_wan_cut(self):
        topic, name = self.topic("zk"), self.flow_name("zk")
        d = self.kt.create_topic(self.bootstraps["source"], topic, partitions=PARTITIONS, rf=3, avoid_leader_rack="az-b")
        leaders = {p["partition"]: p["leader"] for p in d["partitions"]}
        c0 = self.testbed.counters()
        m = self.start_zone_mirror("svc1", [flow(name, "source", "remote", [topic],
                                                 consumer={"topic.metadata.refresh.interval.ms": "5000"})], "follower")
        self.wait_partitions(m, name, topic, PARTITIONS, reads_follower, 60, "reads from the az-b replica")
        count = self.RATE * 600   # stopped once the WAN link is back
        producer = self.produce_async("source", topic, count, rate=self.RATE, value_size=self.VALUE)
        wait_until(lambda: replicated(m, name, topic) > 500, 60, "replication under load")
        before, mb = self.window(m, name, 6)
        log("z2 before: %r; metric %s" % (before, mb))

        # 1. the follower broker in az-b
        self.testbed.kill("source-2")
        t0 = time.monotonic()
        # Until source-2 leaves the ISR (replica.lag.time.max.ms, 5 s on the bed) a leader may name
        # it as preferred replica again, and librdkafka sends the partition to the dead broker until
        # its next failed reconnect (reconnect.backoff.max.ms, 1 s by mirror's default): the window
        # is measured once that settled, not in a pause between two such moves.
        wait_until(lambda: all(2 not in p["isr"] for p in
                               self.kt.describe(self.bootstraps["source"], topic)["partitions"]),
                   60, "source-2 to leave every partition's ISR")
        log("z2: source-2 out of every ISR %.1f s after the kill" % (time.monotonic() - t0))
        self.wait_partitions(m, name, topic, PARTITIONS,
                             lambda p: p.get("from_follower") is False and p.get("fetch_broker") == leaders[p["partition"]],
                             30, "every partition read from its leader after source-2 died")
        log("z2: reads on the leaders %.1f s after the kill" % (time.monotonic() - t0))

        def reading_across():
            c = fetch_bytes(m, name)["cross"]
            time.sleep(2)
            return fetch_bytes(m, name)["cross"] - c > 20_000
        wait_until(reading_across, 60, "cross-zone reads from the leaders (metric growth over 2 s)")
        log("z2: reading across zones %.1f s after the kill" % (time.monotonic() - t0))
        during, md = self.window(m, name, 8)
        log("z2 without source-2: %r; metric %s" % (during, md))
        self.testbed.start("source-2")
        t1 = time.monotonic()
        self.wait_partitions(m, name, topic, PARTITIONS, reads_follower, 120, "reads back on source-2 (az-b)")
        log("z2: reads back on source-2 %.1f s after it served again" % (time.monotonic() - t1))
        time.sleep(1.5)
        after, ma = self.window(m, name, 6)
        log("z2 after the restart: %r; metric %s" % (after, ma))
        for r, mx, what in ((before, mb, "before the kill"), (after, ma, "after the restart")):
            self.assertGreater(r.same, 100_000, "%s: same-zone reads expected on the interfaces: %r" % (what, r))
            self.assertLess(r.cross, 0.05 * r.total, "%s: cross-zone reads on the interfaces: %r" % (what, r))
            self.assertGreater(mx["same"], 100_000, "%s: metric same-zone bytes expected: %s" % (what, mx))
            self.assertLess(mx["cross"], 0.05 * (mx["same"] + mx["cross"]), "%s: metric cross-zone: %s" % (what, mx))
        self.assertGreater(during.cross, 100_000, "without source-2: cross-zone reads expected: %r" % during)
        self.assertEqual(during.same, 0, "without source-2 nothing can come from az-b: %r" % during)
        self.assertGreater(md["cross"], 100_000, "without source-2: metric cross-zone bytes expected: %s" % md)
        self.assertLess(md["same"], 0.05 * (md["same"] + md["cross"]), "without source-2: metric %s" % md)

        # 2. the WAN link
        self.assertTrue(producer.running(), "the producer ended before the WAN cut: raise its count")
        self.testbed.wan_cut()
        t_cut = time.monotonic()
        time.sleep(5)
        # From 5 s into the cut: what was on its way when the link went down has landed by then.
        c1 = self.testbed.counters()
        at_cut = replicated(m, name, topic)
        time.sleep(self.CUT_SECONDS - 5)
        stuck = replicated(m, name, topic)
        cut = self.testbed.counters() - c1
        self.testbed.wan_restore()
        t_restore = time.monotonic()
        wan = cut.payload("region.in", "svc1")
        log("z2: WAN cut for %.0f s; replicated %d -> %d during it; from 5 s into it %d payload bytes (%d on the "
            "wire: refused connection attempts) towards the region" % (
                t_restore - t_cut, at_cut, stuck, wan, cut.wire("region.in", "svc1")))
        self.assertTrue(m.alive(), "the service died during the WAN cut:\n" + m.stderr_tail())
        self.assertLess(wan, 65536, "%d bytes reached the region through the cut link" % wan)
        self.assertEqual(stuck, at_cut, "records were acknowledged by the target through a cut link")
        wait_until(lambda: replicated(m, name, topic) > stuck, 120, "replication to resume after the WAN link is back")
        resumed = time.monotonic() - t_restore
        log("z2: replication resumed %.1f s after the WAN link came back" % resumed)
        self.wait_flow(m, name, lambda f: f.get("state") == "running", 60, "the flow running again")
        time.sleep(5)
        # Enough: the producer stops here (the checker reads the source topic as it is, acknowledged
        # records and all), so the suite does not wait for a fixed count.
        self.assertTrue(producer.running(), "the producer ended before the WAN link came back: raise its count")
        producer.stop()

        r = self.assert_replicated("source", topic, "remote", "source." + topic, timeout=180)
        log("z2: %d duplicates after both faults" % r["duplicates"])
        time.sleep(3)
        total = Received(self.testbed.counters() - c0, "svc1")
        time.sleep(2)
        mt = fetch_bytes(m, name)
        # Over both faults the metric must still agree with the interfaces as in Z1: each session
        # counts its own consumer's bytes (a new consumer after a fault starts from zero), and a
        # broker back from the dead keeps its zone.
        ratio = self.assert_ratio(sum(mt.values()), total.total, "z2: over both faults")
        self.assertEqual(mt["unknown"], 0, "z2: bytes counted under zone=unknown: %s" % mt)
        record(**{"z2_metric_bytes": sum(mt.values()), "z2_interface_bytes": total.total, "z2_metric_vs_interface": ratio,
                  "z2_cross_zone_bytes_without_follower": during.cross, "z2_window_seconds": 8,
                  "z2_wan_resume_seconds": round(resumed, 1), "z2_duplicates": r["duplicates"]})


if __name__ == "__main__":
    if sys.argv[1:2] == ["--summary"]:
        print(summary(sys.argv[2] if len(sys.argv) > 2 else results_path()))
        sys.exit(0)
    unittest.main()
