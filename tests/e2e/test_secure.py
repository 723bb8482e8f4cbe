"""Secured clusters (issue #14), on real Apache Kafka: the test bed's plain cluster also listens with
SASL_SSL (SCRAM-SHA-512 over TLS) and with SSL requiring client certificates (mutual TLS); its CA,
certificates and passwords are made when the test bed starts (`testbed security` tells where).

One mirror process runs three flows to the target:
  scram   SASL_SSL, the SCRAM password as ${file:...} (the test bed's password file), the CA file;
  mtls    SSL with the client certificate and its encrypted PKCS#8 key, the key's password as
          ${env:...};
  locked  SASL_SSL with a wrong password (${env:...}).
Judged by Kafka's Java clients over the PLAINTEXT listener (kt check: the same records, byte-exact):
  - scram and mtls copy every record, also records produced after locked has failed;
  - locked is `failed` with a reason naming authentication (librdkafka's "invalid credentials"),
    shown in /flows from its first failure on through every retry (never missing, never
    `starting` or without an error), /readyz says so, and the service stays up;
  - no password, no line of the private key appears in the service's stdout/stderr, /flows or
    /metrics.

Run: cd tests/e2e && MIRROR_BIN=... python3 -m unittest -v test_secure
"""

import json
import os
import time
import uuid

from harness import E2ETestCase, Mirror, flow, log, wait_until

SRC, TGT = "plain", "target"
PARTITIONS = 3


def read_text(path):
    with open(path) as f:
        return f.read()


class S1SecuredClusters(E2ETestCase):
    CLUSTERS = (SRC, TGT)

    def setUp(self):
        super().setUp()
        self.sec = self.testbed.security()
        self.env_names = []

    def tearDown(self):
        for name in self.env_names:
            os.environ.pop(name, None)

    def set_env(self, name, value):
        """The mirror process inherits the test's environment."""
        os.environ[name] = value
        self.env_names.append(name)

    def clusters(self, key_password_env, wrong_password_env):
        sasl, mtls, ca = self.sec["sasl_ssl"], self.sec["mtls"], self.sec["ca"]
        scram = {"security.protocol": "SASL_SSL", "sasl.mechanism": sasl["sasl.mechanism"],
                 "sasl.username": sasl["username"], "ssl.ca.location": ca}
        return {
            "scram": {"bootstrap_servers": sasl["bootstrap"],
                      "properties": dict(scram, **{"sasl.password": "${file:%s}" % sasl["password_file"]})},
            "locked": {"bootstrap_servers": sasl["bootstrap"],
                       "properties": dict(scram, **{"sasl.password": "${env:%s}" % wrong_password_env})},
            "mtls": {"bootstrap_servers": mtls["bootstrap"],
                     "properties": {"security.protocol": "SSL", "ssl.ca.location": ca,
                                    "ssl.certificate.location": mtls["certificate"],
                                    "ssl.key.location": mtls["key"],
                                    "ssl.key.password": "${env:%s}" % key_password_env}},
            TGT: {"bootstrap_servers": self.bootstraps[TGT]},
        }

    def secrets(self, wrong_password):
        """Every string that must never show: the passwords and each line of the private key."""
        out = {"SCRAM password": read_text(self.sec["sasl_ssl"]["password_file"]).strip(),
               "key password": read_text(self.sec["mtls"]["key_password_file"]).strip(),
               "wrong password": wrong_password}
        for i, line in enumerate(read_text(self.sec["mtls"]["key"]).splitlines()):
            if line and not line.startswith("-----"):
                out["private key line %d" % i] = line
        return out

    def assert_no_secret(self, where, text, secrets):
        for what, value in secrets.items():
            self.assertTrue(value and len(value) >= 16, "test set-up: %s too short to search for" % what)
            self.assertNotIn(value, text, "the %s appears in %s" % (what, where))

    def assert_json_log(self, text, names):
        """log.format json: each stderr line one JSON object with time, level, component and
        message; the locked flow's failure is told by mirror and by librdkafka, both naming it."""
        # The harness marks each start of the process with a line "=== start N: ...".
        lines = [json.loads(ln) for ln in text.splitlines() if ln.strip() and not ln.startswith("=== ")]
        self.assertGreater(len(lines), 10, text[-2000:])
        for line in lines:
            self.assertLessEqual({"time", "level", "component", "message"}, set(line), line)
            self.assertIn(line["level"], ("debug", "info", "warn", "error"), line)
        about = lambda name, component: [ln for ln in lines
                                         if ln.get("flow") == name and ln["component"] == component]
        for k in ("scram", "mtls"):
            self.assertTrue(any(ln["message"].startswith("running") for ln in about(names[k], "flow")),
                            "no 'running' line of flow %s" % names[k])
        self.assertTrue([ln for ln in about(names["locked"], "rdkafka") if "SASL authentication" in ln["message"]],
                        "librdkafka's lines of the locked flow's consumer name no flow")
        self.assertTrue([ln for ln in about(names["locked"], "flow") if ln["level"] in ("warn", "error")],
                        "no warning of the locked flow")
        self.assertTrue([ln for ln in lines if "flow" not in ln and ln["component"] == "service"],
                        "the service's own lines name no flow")

    def test_scram_and_mtls_copy_byte_exact_and_a_wrong_password_fails_alone(self):
        t0 = time.monotonic()
        names = {k: self.flow_name(k) for k in ("scram", "mtls", "locked")}
        topics = {k: self.topic(k) for k in names}
        for k in ("scram", "mtls"):  # the locked flow never gets to read its topic
            self.kt.create_topic(self.bootstraps[SRC], topics[k], partitions=PARTITIONS, rf=3,
                                 configs=["retention.ms=-1"])
            self.produce(SRC, topics[k], 2000, value_size=200, run_id=self.rid)

        key_env, wrong_env = "E2E_MTLS_KEY_PASSWORD_" + self.rid, "E2E_LOCKED_PASSWORD_" + self.rid
        wrong = "wrong-password-" + uuid.uuid4().hex
        self.set_env(key_env, read_text(self.sec["mtls"]["key_password_file"]).strip())
        self.set_env(wrong_env, wrong)
        flows = [flow(names[k], k, TGT, [topics[k]], emit_checkpoints_enabled=False) for k in names]
        # JSON log lines here (log.format), checked below: every line parses, names its flow.
        m = Mirror(self.workdir, self.bootstraps, flows, clusters=[TGT],
                   extra={"clusters": self.clusters(key_env, wrong_env), "log": {"format": "json"}})
        self.mirrors.append(m)
        m.start()
        started = time.monotonic()

        # From the start on, every look at /flows lists the locked flow; once it has failed, it
        # stays failed with the reason (the control thread retries its topic round meanwhile).
        samples = []

        def look():
            f = m.flow(names["locked"])
            samples.append((time.monotonic(), f.get("state"), f.get("last_error", "")))
            return f

        for k in ("scram", "mtls"):
            self.wait_flow(m, names[k], lambda f: f["state"] == "running", 60, "%s running" % k)
        failed = wait_until(lambda: (lambda f: f if f.get("state") == "failed" else None)(look()), 60,
                            "the locked flow failed")
        log("locked flow failed %.1f s after the start: %s" % (samples[-1][0] - started, failed.get("last_error")))
        reason = failed.get("last_error", "")
        self.assertIn("authentication", reason.lower(), failed)
        self.assertIn("invalid credentials", reason, failed)
        self.assertIn("SCRAM-SHA-512", reason, failed)
        self.assertNotEqual(reason.strip(), "metadata: Local: Broker transport failure", failed)

        # More records while the locked flow keeps failing: the others go on copying (the checks
        # below find all 2500 of each topic, byte-exact).
        for k in ("scram", "mtls"):
            self.produce(SRC, topics[k], 500, value_size=200, run_id=self.rid, start_index=2000)
        watch_until = time.monotonic() + 8
        while time.monotonic() < watch_until:
            look()
            time.sleep(0.25)
        for k in ("scram", "mtls"):
            res = self.assert_replicated(SRC, topics[k], TGT, "%s.%s" % (k, topics[k]), timeout=120)
            self.assertEqual(res["source_records"], 2500, res)
        look()

        first = next(i for i, s in enumerate(samples) if s[1] == "failed")
        for at, state, error in samples[first:]:
            self.assertEqual(state, "failed", "the locked flow left `failed` at %.1f s: %r" % (at - t0, error))
            self.assertIn("invalid credentials", error)
        for at, state, error in samples[:first]:
            self.assertNotEqual(state, "running", "locked flow running at %.1f s" % (at - t0))
        log("locked flow: %d looks at /flows over %.1f s, failed in all %d since the first failure" % (
            len(samples), samples[-1][0] - samples[0][0], len(samples) - first))

        status, body = m.get("/readyz")
        self.assertEqual(status, 503, body)
        self.assertIn("%s: failed" % names["locked"], body)
        self.assertEqual(m.get("/healthz")[0], 200)
        self.assertTrue(m.alive())
        for k in ("scram", "mtls"):
            self.assertEqual(m.flow(names[k])["state"], "running")
        metrics = m.metrics()
        self.assertEqual(metrics.value("mirror_flow_up", 0, flow=names["locked"]), 0)
        for k in ("scram", "mtls"):
            self.assertEqual(metrics.value("mirror_flow_up", flow=names[k]), 1)

        secrets = self.secrets(wrong)
        self.assert_no_secret("/flows", m.get("/flows")[1], secrets)
        self.assert_no_secret("/metrics", metrics.text, secrets)
        self.assert_no_secret("/readyz", body, secrets)
        self.assertEqual(m.term(), 0)
        self.assert_no_secret("the service's stderr", read_text(m.stderr_path), secrets)
        self.assert_no_secret("the service's stdout", read_text(m.stdout_path), secrets)
        self.assert_json_log(read_text(m.stderr_path), names)
        log("secure suite: %.1f s" % (time.monotonic() - t0))
