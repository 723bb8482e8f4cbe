"""Runtime control on real Kafka (issue: change it while it runs).

R1: hot reload from a ConfigMap-style flows directory (the mounted names are symlinks into a
directory swapped atomically), without a signal: a flow added, one removed, one changed, while an
unchanged flow keeps replicating with its restarts, its group membership and the process id
unchanged; an invalid version is refused (on disk and on SIGHUP) with the flows running on.
R2: pause and resume through `mirror ctl` with the admin token; refused without it; nothing lost.
"""

import os
import signal
import subprocess
import time
import unittest

from harness import E2ETestCase, Mirror, flow, log, mirror_bin, to_yaml, wait_until

TOKEN = "e2e-admin-token-0123456789"


class ConfigMapDir:
    """A directory laid out as the kubelet mounts a ConfigMap: NAME -> ..data/NAME, ..data -> a
    timestamped directory; update() writes a new directory and swaps ..data atomically."""

    def __init__(self, root, name="flows.yaml"):
        self.root, self.name, self.version = root, name, 0
        os.makedirs(root, exist_ok=True)

    def update(self, text):
        self.version += 1
        data = os.path.join(self.root, "..%d_%s" % (self.version, time.strftime("%H_%M_%S")))
        os.makedirs(data)
        with open(os.path.join(data, self.name), "w") as f:
            f.write(text)
        tmp = os.path.join(self.root, "..data_tmp")
        os.symlink(os.path.basename(data), tmp)
        os.rename(tmp, os.path.join(self.root, "..data"))  # the atomic swap
        link = os.path.join(self.root, self.name)
        if not os.path.islink(link):
            os.symlink(os.path.join("..data", self.name), link)


class ReloadingMirror(Mirror):
    """`mirror run` with --flows DIR besides its config file."""

    def __init__(self, workdir, bootstraps, flows_dir, **kw):
        super().__init__(workdir, bootstraps, [], clusters=["rackaware", "target"], **kw)
        self.flows_dir = flows_dir

    def argv(self):
        return super().argv() + ["--flows", self.flows_dir]


def flows_yaml(flows, comment=""):
    return comment + to_yaml({"flows": flows})


class RuntimeCase(E2ETestCase):
    CLUSTERS = ("rackaware", "target")

    def start_reloading(self, flows, extra=None):
        cm = ConfigMapDir(os.path.join(self.workdir, "cm"))
        cm.update(flows_yaml(flows))
        m = ReloadingMirror(self.workdir, self.bootstraps, cm.root, extra=extra)
        self.mirrors.append(m)
        m.start()
        m.wait_ready()
        return m, cm

    def assigned_lines(self, m, flow_name):
        with open(m.stderr_path, errors="replace") as f:
            return sum(1 for line in f if ("flow: %s: assigned" % flow_name) in line)

    def reloads(self, m, result):
        return m.metrics().value("mirror_config_reloads_total", 0, result=result)


class R1Reload(RuntimeCase):

    def test_reload_touches_only_what_changed(self):
        names = {k: self.flow_name("r1" + k) for k in ("keep", "change", "gone", "added")}
        topics = {k: self.topic("r1" + k) for k in names}
        for t in topics.values():
            self.create_source_topic("rackaware", t, 3)

        def f(k, **kw):
            return flow(names[k], "rackaware", "target", [topics[k]], **kw)

        m, cm = self.start_reloading([f("keep"), f("change"), f("gone")])
        pid = m.proc.pid
        first_hash = m.flows()["config"]["hash"]
        wait_until(lambda: self.assigned_lines(m, names["keep"]) == 1, 60, "keep's first assignment")
        self.produce("rackaware", topics["gone"], 200)
        self.assert_replicated("rackaware", topics["gone"], "target")

        # A steady stream into the unchanged flow across the reload.
        stream = self.produce_async("rackaware", topics["keep"], 3000, rate=250)
        time.sleep(2)
        # keep moves down (a comment above it) but is the same; change changes; gone goes; added
        # arrives. No signal: the swap alone must be seen.
        cm.update(flows_yaml([f("keep"), f("change", emit_heartbeats_enabled=False), f("added")],
                             comment="# version 2\n# moved down\n"))
        t0 = time.monotonic()
        wait_until(lambda: self.reloads(m, "ok") == 1, 60, "the swapped ConfigMap to be reloaded")
        wait_until(lambda: {x["name"] for x in m.flows()["flows"]} == {names["keep"], names["change"],
                                                                        names["added"]}, 60,
                   "the flows of version 2")
        log("r1: reload seen and applied %.1f s after the swap" % (time.monotonic() - t0))
        doc = m.flows()
        self.assertNotEqual(doc["config"]["hash"], first_hash)
        self.assertIsNone(doc["config"]["last_reload_error"])
        by_name = {x["name"]: x for x in doc["flows"]}
        self.assertEqual(by_name[names["keep"]]["restarts"], 0)
        self.assertEqual(by_name[names["change"]]["restarts"], 1)
        self.assertEqual(by_name[names["added"]]["restarts"], 0)
        self.assertEqual(m.proc.pid, pid)
        self.assertTrue(m.alive())
        mx = m.metrics()
        self.assertEqual(mx.value("mirror_flow_restarts_total", flow=names["keep"]), 0)
        self.assertEqual(mx.value("mirror_flow_restarts_total", flow=names["change"]), 1)
        self.assertIsNone(mx.value("mirror_flow_up", flow=names["gone"]), "the removed flow's series go")

        m.wait_ready()
        stream.wait(120)
        self.assert_replicated("rackaware", topics["keep"], "target")
        for k in ("change", "added"):
            self.produce("rackaware", topics[k], 300)
            self.assert_replicated("rackaware", topics[k], "target")
        self.assertEqual(self.assigned_lines(m, names["keep"]), 1,
                         "the unchanged flow's group rebalanced during the reload")
        self.assertEqual(m.flow(names["keep"])["restarts"], 0)

        # An invalid version: refused at its line, everything runs on; a SIGHUP retries it.
        bad = flows_yaml([f("keep"), f("change", emit_heartbeats_enabled=False),
                          dict(f("added"), topicz=["x"])])
        cm.update(bad)
        wait_until(lambda: self.reloads(m, "error") == 1, 60, "the invalid version to be refused")
        error = m.flows()["config"]["last_reload_error"]
        self.assertRegex(error or "", r"flows\.yaml:\d+:\d+: .*topicz")
        os.kill(m.proc.pid, signal.SIGHUP)
        wait_until(lambda: self.reloads(m, "error") == 2, 30, "SIGHUP to retry the invalid version")
        self.assertTrue(m.alive(), "SIGHUP ended the process")
        self.assertEqual(len(m.flows()["flows"]), 3)
        self.produce("rackaware", topics["keep"], 200, start_index=3000)
        self.assert_replicated("rackaware", topics["keep"], "target")
        with open(m.stderr_path, errors="replace") as f:
            self.assertRegex(f.read(), r"ERROR .*flows\.yaml:\d+:\d+: .*topicz")
        self.assertEqual(m.flow(names["keep"])["restarts"], 0)
        self.assertEqual(m.proc.pid, pid)


class R2PauseResume(RuntimeCase):

    def ctl(self, m, *args, token=TOKEN):
        env = dict(os.environ)
        env.pop("MIRROR_ADMIN_TOKEN", None)
        if token is not None:
            env["MIRROR_ADMIN_TOKEN"] = token
        res = subprocess.run([mirror_bin(), "ctl"] + list(args) + ["--http", "127.0.0.1:%d" % m.port],
                             env=env, capture_output=True, text=True, timeout=30)
        log("ctl %s -> %d %s%s" % (" ".join(args), res.returncode, res.stdout.strip(), res.stderr.strip()))
        return res

    def test_pause_and_resume_with_the_token(self):
        name, topic = self.flow_name("r2"), self.topic("r2")
        self.create_source_topic("rackaware", topic, 3)
        os.environ["MIRROR_ADMIN_TOKEN"] = TOKEN  # the service resolves ${env:MIRROR_ADMIN_TOKEN}
        self.addCleanup(os.environ.pop, "MIRROR_ADMIN_TOKEN", None)
        m, cm = self.start_reloading([flow(name, "rackaware", "target", [topic])],
                                     extra={"http": {"admin_token": "${env:MIRROR_ADMIN_TOKEN}"}})
        self.produce("rackaware", topic, 500)
        self.assert_replicated("rackaware", topic, "target")

        # Refused: no token at hand, a wrong one, a bare request.
        self.assertEqual(self.ctl(m, "pause", name, token=None).returncode, 1)
        wrong = self.ctl(m, "pause", name, token="not-the-token-at-all-000")
        self.assertEqual(wrong.returncode, 4)
        self.assertIn("403", wrong.stderr)
        self.assertNotIn(TOKEN, wrong.stderr + wrong.stdout)
        bare = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                               m.base_url + "/flows/%s/pause" % name], capture_output=True, text=True)
        self.assertEqual(bare.stdout, "401")
        self.assertEqual(m.flow(name)["state"], "running")

        self.assertEqual(self.ctl(m, "pause", name).returncode, 0)
        wait_until(lambda: m.flow(name)["state"] == "paused", 30, "the flow to be paused")
        self.assertEqual(m.get("/readyz")[0], 200, "paused on purpose is still ready")
        ends = self.kt.end_offsets(self.bootstraps["target"], "rackaware." + topic)
        self.produce("rackaware", topic, 400, start_index=500)
        time.sleep(6)
        self.assertEqual(self.kt.end_offsets(self.bootstraps["target"], "rackaware." + topic), ends,
                         "a paused flow wrote to the target")
        self.assertIn("paused", self.ctl(m, "status", name).stdout)

        # A reload that restarts the flow keeps it paused.
        cm.update(flows_yaml([flow(name, "rackaware", "target", [topic], emit_heartbeats_enabled=False)]))
        wait_until(lambda: self.reloads(m, "ok") == 1 and m.flow(name)["restarts"] == 1, 60,
                   "the changed flow to restart")
        wait_until(lambda: m.flow(name)["state"] == "paused", 60, "the restarted flow to be paused")
        time.sleep(4)
        self.assertEqual(self.kt.end_offsets(self.bootstraps["target"], "rackaware." + topic), ends)

        self.assertEqual(self.ctl(m, "resume", name).returncode, 0)
        wait_until(lambda: m.flow(name)["state"] == "running", 30, "the flow to resume")
        self.assert_replicated("rackaware", topic, "target")
        self.assertIn("running", self.ctl(m, "status", name).stdout)
        with open(m.stderr_path, errors="replace") as f:
            self.assertNotIn(TOKEN, f.read(), "the token reached the log")


if __name__ == "__main__":
    unittest.main()
