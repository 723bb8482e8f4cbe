"""Self-test of the e2e test bed and the record checker (no mirror binary involved).

Proves that the judge judges: the checker passes a faithful copy (made by the Java copier, kt copy)
and catches deliberately broken ones; the rackaware cluster really serves a client in az-b from
the az-b replica while plain does not; a broker can be killed and restarted.

Run:  cd tests/e2e && python3 -m unittest -v test_testbed
"""

import unittest

from harness import E2ETestCase, NODE_AZ, wait_until

RECORDS = 10000


class TestbedSelfTest(E2ETestCase):
    CLUSTERS = ("rackaware", "plain", "target")
    NEEDS_MIRROR = False

    def test_checker_judges_copies(self):
        src = self.topic("selftest")
        self.create_source_topic("rackaware", src, 6)
        self.produce("rackaware", src, RECORDS)
        r, t = self.bootstraps["rackaware"], self.bootstraps["target"]

        good = "rackaware." + src
        self.kt.copy(r, src, t, good)
        res = self.kt.check(r, src, t, good, no_duplicates=True)
        self.assertEqual((res["missing"], res["duplicates"], res["mismatched"], res["unexpected"]), (0, 0, 0, 0),
                         res["report"])
        self.assertEqual((res["source_records"], res["target_records"]), (RECORDS, RECORDS))
        # Record i lands in partition i % 6 at offset i // 6; record 13 has one header, record 20 none.
        bad = "broken." + src
        self.kt.copy(r, src, t, bad, drop=["0:5", "4:100"], duplicate=["1:10", "3:0", "3:1"],
                     alter_header=["1:2", "2:3"])
        res = self.kt.check(r, src, t, bad)
        self.assertEqual(res["missing"], 2, res["report"])
        self.assertEqual(res["duplicates"], 3, res["report"])
        self.assertEqual(res["mismatched"], 2, res["report"])
        self.assertEqual(res["unexpected"], 0, res["report"])
        self.assertFalse(res["ok"])

        # Duplicates alone pass, unless --no-duplicates.
        dup = "dup." + src
        self.kt.copy(r, src, t, dup, duplicate=["5:7"])
        res = self.kt.check(r, src, t, dup)
        self.assertTrue(res["ok"], res["report"])
        self.assertEqual(res["duplicates"], 1)
        res = self.kt.check(r, src, t, dup, no_duplicates=True)
        self.assertFalse(res["ok"])

        # Records the source never had are unexpected.
        self.produce("target", good, 5, partitions=[2])
        res = self.kt.check(r, src, t, good)
        self.assertEqual((res["unexpected"], res["missing"]), (5, 0), res["report"])
        self.assertFalse(res["ok"])

        # A target topic that does not exist: everything missing.
        res = self.kt.check(r, src, t, "absent." + src)
        self.assertEqual(res["missing"], RECORDS)
        self.assertEqual(res["target_partitions"], 0)

    def test_rack_aware_selection(self):
        for cluster, want_follower in (("rackaware", True), ("plain", False)):
            topic = self.topic("rack-" + cluster)
            self.create_source_topic(cluster, topic, 6)
            self.produce(cluster, topic, 3000, value_size=1000)
            res = self.kt.consume_count(self.bootstraps[cluster], topic, client_rack=NODE_AZ)
            self.assertEqual(res["records"], 3000)
            total = sum(res["node_bytes"].values())
            share = res["node_bytes"].get("node-2", 0) / total
            if want_follower:
                self.assertGreater(share, 0.9, "%s: bytes per node %s" % (cluster, res["node_bytes"]))
            else:
                self.assertLess(share, 0.1, "%s: bytes per node %s" % (cluster, res["node_bytes"]))

    def test_kill_and_start_broker(self):
        topic = self.topic("killstart")
        r = self.bootstraps["rackaware"]
        self.create_source_topic("rackaware", topic, 3)
        self.produce("rackaware", topic, 1000)
        self.testbed.kill("rackaware-2")
        status = {n["node"]: n["running"] for n in self.testbed.status()}
        self.assertFalse(status["rackaware-2"])
        self.assertTrue(status["rackaware-1"] and status["rackaware-3"])
        wait_until(lambda: all(2 not in p["isr"] for p in self.kt.describe(r, topic)["partitions"]), 60,
                   "broker 2 to leave the ISR")
        self.produce("rackaware", topic, 1000)  # still serving with one broker down
        self.testbed.start("rackaware-2")
        wait_until(lambda: all(len(p["isr"]) == 3 for p in self.kt.describe(r, topic)["partitions"]), 90,
                   "broker 2 back in the ISR")
        self.assertEqual(self.kt.consume_count(r, topic)["records"], 2000)


if __name__ == "__main__":
    unittest.main(verbosity=2)
