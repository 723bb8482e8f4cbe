"""The cluster admin operations (mirror/kafka/admin.h, make_admin) on real Apache Kafka.

admin_probe (tests/e2e/admin_probe.cc; ADMIN_PROBE names the binary) runs one ClusterAdmin
operation per call against the test bed's target cluster; the Java tools (kt, Kafka's own Admin
and consumer) set up the state and judge the answers: topic configs described and altered, groups
listed, described (with a live member and without), their offsets read and committed.

Run:  cd tests/e2e && ADMIN_PROBE=.../admin_probe python3 -m unittest -v test_admin
"""

import json
import os
import subprocess
import time

from harness import REPO, E2ETestCase, _die_with_parent, wait_until


def probe_bin():
    return os.environ.get("ADMIN_PROBE") or os.path.join(REPO, "build", "release", "tests", "admin_probe")


class AdminOperations(E2ETestCase):
    CLUSTERS = ("target",)
    NEEDS_MIRROR = False

    def setUp(self):
        super().setUp()
        if not (os.path.isfile(probe_bin()) and os.access(probe_bin(), os.X_OK)):
            self.fail("admin_probe %s not found (build the admin_probe target, or set ADMIN_PROBE)" % probe_bin())
        self.b = self.bootstraps["target"]

    def probe(self, *args, ok=True, bootstrap=None, timeout_ms=15000):
        """Runs admin_probe; returns its JSON answer (asserting success, or failure when ok=False)."""
        env = dict(os.environ, ADMIN_PROBE_TIMEOUT_MS=str(timeout_ms))
        r = subprocess.run([probe_bin(), bootstrap or self.b] + [str(a) for a in args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL)
        with open(os.path.join(self.workdir, "probe.log"), "a") as f:
            f.write("$ admin_probe %s -> %d\n%s%s\n" % (" ".join(map(str, args)), r.returncode, r.stdout, r.stderr))
        self.assertEqual(r.returncode, 0 if ok else 1, "admin_probe %s: %s%s" % (args, r.stdout, r.stderr))
        return json.loads(r.stdout)

    def kt_group(self, group):
        return self.kt.run("group-offsets", "--bootstrap", self.b, "--group", group).json

    def test_topic_configs_describe_and_alter(self):
        topic = self.topic("cfg")
        self.kt.create_topic(self.b, topic, partitions=2, rf=1,
                             configs=["retention.ms=3600000", "cleanup.policy=compact"])

        described = self.probe("describe-configs", topic, self.topic("absent"))
        self.assertEqual(list(described), [topic], "a topic that does not exist is left out")
        judge = self.kt.run("topic-configs", "--bootstrap", self.b, "--topic", topic).json
        mine = described[topic]
        self.assertEqual({k for k, e in mine.items() if not e["is_default"]}, set(judge["explicit"]),
                         "non-default exactly when set on the topic (DYNAMIC_TOPIC_CONFIG)")
        self.assertEqual(set(judge["explicit"]), {"retention.ms", "cleanup.policy"})
        self.assertEqual({k: e["value"] for k, e in mine.items()},
                         {k: (v if v is not None else "") for k, v in judge["all"].items()})
        self.assertTrue(mine["segment.bytes"]["is_default"])

        self.assertEqual(self.probe("alter-configs", topic, "retention.ms=7200000", "max.message.bytes=500000"), {})
        judge = self.kt.run("topic-configs", "--bootstrap", self.b, "--topic", topic).json
        self.assertEqual(judge["explicit"], {"retention.ms": "7200000", "max.message.bytes": "500000",
                                             "cleanup.policy": "compact"}, "SET leaves the other configs")
        mine = self.probe("describe-configs", topic)[topic]
        self.assertEqual(mine["max.message.bytes"], {"value": "500000", "is_default": False, "read_only": False,
                                                     "sensitive": False})

        err = self.probe("alter-configs", topic, "retention.ms=soon", ok=False)
        self.assertIn(topic, err["error"])
        self.assertIn("retention.ms", err["error"])
        err = self.probe("alter-configs", self.topic("absent"), "retention.ms=5", ok=False)
        self.assertIn(self.topic("absent"), err["error"])
        self.assertEqual(self.kt.run("topic-configs", "--bootstrap", self.b, "--topic", topic).json["explicit"]
                         ["retention.ms"], "7200000", "a failed alter changed nothing")

    def test_group_offsets_listing_and_commit(self):
        topic = self.topic("grp")
        self.kt.create_topic(self.b, topic, partitions=3, rf=1)
        self.kt.produce(self.b, topic, 300)
        java_group, cpp_group = "java-" + self.rid, "cpp-" + self.rid

        # Offsets Kafka's own consumer committed.
        self.kt.run("group-commit", "--bootstrap", self.b, "--topic", topic, "--group", java_group,
                    "--counts", "0:10,1:20")
        self.assertEqual(self.probe("group-offsets", java_group),
                         [{"topic": topic, "partition": 0, "offset": 10, "metadata": ""},
                          {"topic": topic, "partition": 1, "offset": 20, "metadata": ""}],
                         "partition 2 has no commit and is left out")
        self.assertEqual(self.probe("describe-group", java_group), {"exists": True, "members": 0, "state": "Empty"})

        # Offsets committed from outside the group, with metadata, as Kafka's Admin reads them.
        self.assertEqual(self.probe("commit-offsets", cpp_group, "%s:0:5:meta-0" % topic, "%s:2:7" % topic), {})
        self.assertEqual(self.kt_group(cpp_group)["all_offsets"], {topic + "-0": 5, topic + "-2": 7})
        self.assertEqual(self.probe("group-offsets", cpp_group),
                         [{"topic": topic, "partition": 0, "offset": 5, "metadata": "meta-0"},
                          {"topic": topic, "partition": 2, "offset": 7, "metadata": ""}])

        listed = self.probe("list-groups")
        judge = self.kt.run("list-groups", "--bootstrap", self.b).json
        self.assertIn(java_group, listed)
        self.assertIn(cpp_group, listed)
        self.assertEqual(sorted(listed), sorted(judge))

        self.assertEqual(self.probe("describe-group", "nobody-" + self.rid),
                         {"exists": False, "members": 0, "state": "Dead"})
        self.assertEqual(self.probe("group-offsets", "nobody-" + self.rid), [])

        err = self.probe("commit-offsets", cpp_group, "%s:9:1" % topic, ok=False)
        self.assertIn("%s[9]" % topic, err["error"])

    def test_group_with_a_member(self):
        topic = self.topic("live")
        self.kt.create_topic(self.b, topic, partitions=2, rf=1)
        group = "live-" + self.rid
        holder_log = os.path.join(self.workdir, "hold-member.log")
        with open(holder_log, "w") as err:
            holder = subprocess.Popen([probe_bin(), self.b, "hold-member", group, topic, "25"], stdout=subprocess.PIPE,
                                      stderr=err, text=True, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        try:
            line = holder.stdout.readline()
            if "assigned" not in line:
                with open(holder_log) as f:
                    self.fail("the member did not get its partitions: %s %s" % (line, f.read()[-3000:]))
            self.assertEqual(self.probe("describe-group", group), {"exists": True, "members": 1, "state": "Stable"})
            judge = self.kt_group(group)
            self.assertEqual((judge["state"], judge["members"]), ("Stable", 1))

            err = self.probe("commit-offsets", group, "%s:0:1" % topic, ok=False)
            self.assertIn(group, err["error"])
            self.assertEqual(self.kt_group(group)["all_offsets"], {}, "nothing committed while the group is active")
            self.assertEqual(holder.wait(timeout=90), 0, "hold-member failed, see %s" % holder_log)
        finally:
            if holder.poll() is None:
                holder.kill()
                holder.wait()
            holder.stdout.close()

        wait_until(lambda: self.probe("describe-group", group)["members"] == 0, 30, "the member left")
        self.assertEqual(self.probe("describe-group", group), {"exists": True, "members": 0, "state": "Empty"})
        self.assertEqual(self.probe("commit-offsets", group, "%s:0:1" % topic), {})
        self.assertEqual(self.kt_group(group)["all_offsets"], {topic + "-0": 1})

    def test_every_operation_keeps_its_deadline(self):
        # Nothing listens on port 1: each operation must fail by its deadline rather than wait.
        for args in (["describe-configs", "t"], ["alter-configs", "t", "retention.ms=1"], ["list-groups"],
                     ["group-offsets", "g"], ["describe-group", "g"], ["commit-offsets", "g", "t:0:1"]):
            t0 = time.monotonic()
            err = self.probe(*args, ok=False, bootstrap="127.0.0.1:1", timeout_ms=2000)
            took = time.monotonic() - t0
            self.assertLess(took, 8, "%s took %.1f s with a 2 s deadline" % (args[0], took))
            self.assertTrue(err["error"], args)
