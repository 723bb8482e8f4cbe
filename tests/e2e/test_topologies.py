"""Topologies without loops on real Kafka (issue: any topology without loops).

T1: an active-active pair with identity names (plain <-> target): records produced on both sides
appear exactly once on each cluster, byte-exact apart from the provenance header, and nothing
grows over a further 60 s; `mirror validate` warns that the cycle relies on the headers.
T2: a ring rackaware -> plain -> target -> rackaware, under identity names (headers) and under
default names (the prefix chain): no record goes round twice.
"""

import subprocess
import time
import unittest

from harness import E2ETestCase, Mirror, flow, log, mirror_bin, wait_until

HEADER = "mirror.provenance"
N = 600


def totals(kt, bootstraps, topics_by_cluster):
    """{(cluster, topic): records} for every listed topic (-1: no such topic); one call a cluster."""
    out = {}
    for cluster, topics in topics_by_cluster.items():
        args = ["totals", "--bootstrap", bootstraps[cluster]]
        for topic in topics:
            args += ["--topic", topic]
        res = kt.run(*args).json
        for topic in topics:
            out[(cluster, topic)] = res["totals"][topic]
    return out


class TopologyCase(E2ETestCase):

    def create(self, cluster, topic, partitions=3):
        rf = 1 if cluster == "target" else 3
        self.kt.create_topic(self.bootstraps[cluster], topic, partitions=partitions, rf=rf)

    def cluster_id(self, cluster):
        return self.kt.run("cluster", "--bootstrap", self.bootstraps[cluster]).json["cluster_id"]

    def watch_steady(self, m, topics_by_cluster, expected, seconds):
        """Waits until the totals are `expected`, then watches them stay so for `seconds`."""
        last = {}

        def reached():
            last.clear()
            last.update(totals(self.kt, self.bootstraps, topics_by_cluster))
            return last == expected

        wait_until(reached, 120, "every copy made: want %r, have %r" % (expected, last))
        log("all copies made; watching for %d s" % seconds)
        deadline = time.time() + seconds
        while time.time() < deadline:
            time.sleep(10)
            now = totals(self.kt, self.bootstraps, topics_by_cluster)
            self.assertEqual(now, expected, "records went on being copied (a loop)")
            self.assertTrue(m.alive(), m.stderr_tail())

    def assert_byte_exact(self, source, topic, target, target_topic=None):
        res = self.kt.check(self.bootstraps[source], topic, self.bootstraps[target],
                            target_topic or topic, no_duplicates=True, ignore_headers=[HEADER])
        for k in ("missing", "duplicates", "mismatched", "unexpected"):
            self.assertEqual(res[k], 0, "%s %s -> %s %s: %s\n%s" % (
                source, topic, target, target_topic or topic, k, res["report"]))

    def provenance_of(self, cluster, topic):
        """{header value or None: records} of a topic."""
        dump = self.kt.run("dump", "--bootstrap", self.bootstraps[cluster], "--topic", topic).json
        seen = {}
        for r in dump["records"]:
            v = r["headers"].get(HEADER)
            seen[v] = seen.get(v, 0) + 1
        return seen

    def loops_skipped(self, m, flow_name):
        return m.metrics().value("mirror_records_skipped_total", 0, flow=flow_name, reason="loop")


class T1ActiveActive(TopologyCase):
    CLUSTERS = ("plain", "target")

    def test_identity_pair_copies_each_record_once_each_way(self):
        topic = "aa-" + self.rid
        for c in ("plain", "target"):
            self.create(c, topic)
        flows = [flow("p2t", "plain", "target", [topic], replication_policy="identity"),
                 flow("t2p", "target", "plain", [topic], replication_policy="identity")]
        m = Mirror(self.workdir, self.bootstraps, flows)
        self.mirrors.append(m)

        validate = subprocess.run([mirror_bin(), "validate", "--config", m.config_path],
                                  capture_output=True, text=True, timeout=60)
        self.assertEqual(validate.returncode, 0, validate.stderr)
        self.assertIn("warning: flows p2t, t2p form a cycle among clusters plain, target with "
                      "identity topic names", validate.stderr)
        self.assertIn("provenance headers on", validate.stdout)

        m.start()
        m.wait_ready()
        self.kt.produce(self.bootstraps["plain"], topic, N, run_id="plain-" + self.rid)
        self.kt.produce(self.bootstraps["target"], topic, N, run_id="target-" + self.rid)
        topics = {"plain": [topic], "target": [topic]}
        self.watch_steady(m, topics, {("plain", topic): 2 * N, ("target", topic): 2 * N}, 60)

        # Both sides hold the same records (each produced once, copied once), the copies
        # byte-exact apart from the header, which names the cluster they came from.
        self.assert_byte_exact("plain", topic, "target")
        ids = {c: self.cluster_id(c) for c in ("plain", "target")}
        self.assertEqual(self.provenance_of("target", topic), {None: N, ids["plain"]: N})
        self.assertEqual(self.provenance_of("plain", topic), {None: N, ids["target"]: N})
        self.assertGreaterEqual(self.loops_skipped(m, "p2t"), N, "target's copies seen on plain")
        self.assertGreaterEqual(self.loops_skipped(m, "t2p"), N)


class T2Rings(TopologyCase):
    CLUSTERS = ("rackaware", "plain", "target")
    RING = (("rackaware", "plain"), ("plain", "target"), ("target", "rackaware"))

    def test_no_record_goes_round_twice(self):
        ident = "ring-" + self.rid       # identity names: the same topic on every cluster
        prefixed = "ringd-" + self.rid   # default names: one more prefix per hop
        clusters = [a for a, _ in self.RING]
        for c in clusters:
            self.create(c, ident)
            self.create(c, prefixed)
        flows = []
        for a, b in self.RING:
            flows.append(flow("%s-%s-id" % (a[0], b[0]), a, b, [ident],
                              replication_policy="identity"))
            flows.append(flow("%s-%s-def" % (a[0], b[0]), a, b, [r"(.+\.)?" + prefixed]))
        m = Mirror(self.workdir, self.bootstraps, flows)
        self.mirrors.append(m)
        m.start()
        m.wait_ready()
        for c in clusters:
            self.kt.produce(self.bootstraps[c], ident, N, run_id="%s-%s" % (c, self.rid))
            self.kt.produce(self.bootstraps[c], prefixed, N, run_id="d-%s-%s" % (c, self.rid))

        # Default names: on each cluster its own topic, its upstream's and the one before that;
        # the third hop would name the cluster itself and is never made.
        upstream = {b: a for a, b in self.RING}
        topics = {}
        expected = {}
        for c in clusters:
            u = upstream[c]
            names = [ident, prefixed, "%s.%s" % (u, prefixed),
                     "%s.%s.%s" % (u, upstream[u], prefixed)]
            topics[c] = names
            expected[(c, ident)] = 3 * N
            for name in names[1:]:
                expected[(c, name)] = N
        self.watch_steady(m, topics, expected, 30)
        for c in clusters:
            listed = [t for t in self.kt.list_topics(self.bootstraps[c]) if prefixed in t]
            self.assertEqual(sorted(listed), sorted(topics[c][1:]),
                             "no topic that went all the way round on %s" % c)

        # Identity names: each cluster ends with every record once.
        self.assert_byte_exact("rackaware", ident, "plain")
        self.assert_byte_exact("plain", ident, "target")
        ids = {c: self.cluster_id(c) for c in clusters}
        for c in clusters:
            u = upstream[c]
            want = {None: N, ids[u]: N, ids[upstream[u]] + "," + ids[u]: N}
            self.assertEqual(self.provenance_of(c, ident), want, "headers on %s" % c)
        # Default names: every copy byte-exact, and no header (auto is off under default).
        for c in clusters:
            u = upstream[c]
            self.assert_byte_exact(u, prefixed, c, "%s.%s" % (u, prefixed))
            self.assertEqual(self.provenance_of(c, "%s.%s" % (u, prefixed)), {None: N})


if __name__ == "__main__":
    unittest.main()
