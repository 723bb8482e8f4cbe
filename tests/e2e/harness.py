"""harness: the e2e suite's Python (stdlib only) library.

Drives the real-Kafka test bed (tests/e2e/testbed), the Java tools (tests/e2e/kt, the
independent judge) and the mirror binary (MIRROR_BIN, default build/bin/mirror) through the
product contract: command line, config file, /readyz, /flows, /metrics.

Main pieces:
  Testbed                 ensure(*clusters) -> {name: bootstrap}; kill/stop/start(node); heal();
                          security() (plain's TLS/SCRAM/mTLS listeners); collect_logs(dir); down()
  Kt                      run(*args) -> KtResult; create_topic, describe, produce, produce_async,
                          check, list_topics, end_offsets, consume_count, copy
  Mirror                  start(), wait_ready(), flows(), flow(name), metrics(), kill(), term(),
                          restart(), stderr_tail()
  Metrics / parse_metrics Prometheus text -> samples; value(name, **labels), samples(name, **labels)
  wait_until(fn, timeout, what)
  E2ETestCase             unittest base: test bed per class, a work folder per test, mirror and
                          producer cleanup, artifacts (service stderr, /flows, /metrics, broker logs)
                          kept under $E2E_ARTIFACTS_DIR (default build/e2e-artifacts) on failure.

Environment: MIRROR_BIN, E2E_ARTIFACTS_DIR, E2E_KEEP_TESTBED=1 (leave a test bed this process
started running), E2E_KEEP_WORK=1 (keep work folders of passing tests too), plus the test bed's
TESTBED_DIR / TESTBED_BASE_PORT.
"""

import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TESTBED = os.path.join(HERE, "testbed")
KT = os.path.join(HERE, "kt")

NODE_AZ = "az-b"                # the AZ the service runs in (broker 2 of rackaware / plain)
CLUSTERS = ("rackaware", "plain", "target")


def log(msg):
    print("[e2e %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def mirror_bin():
    return os.environ.get("MIRROR_BIN") or os.path.join(REPO, "build", "bin", "mirror")


def artifacts_root():
    return os.environ.get("E2E_ARTIFACTS_DIR") or os.path.join(REPO, "build", "e2e-artifacts")


def _die_with_parent():
    """preexec_fn: the child gets SIGKILL when the harness dies (no orphans after a ctest timeout)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort
        pass


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(fn, timeout, what="condition", interval=0.5):
    """Calls fn until it returns a truthy value (returned) or timeout seconds pass (AssertionError
    naming `what`, the last value and the last exception)."""
    deadline = time.monotonic() + timeout
    last, err = None, None
    while True:
        try:
            last = fn()
            err = None
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - reported below
            err = e
        if time.monotonic() >= deadline:
            detail = "last error: %r" % (err,) if err is not None else "last value: %s" % _short(last)
            raise AssertionError("timed out after %.0f s waiting for %s; %s" % (timeout, what, detail))
        time.sleep(interval)


def _short(v, n=1500):
    s = v if isinstance(v, str) else json.dumps(v, default=str) if v is not None else "None"
    return s if len(s) <= n else s[:n] + "..."


# --- YAML (the config file) ------------------------------------------------------------------------

def to_yaml(obj, indent=0):
    """Block-style YAML for dicts/lists of scalars; strings double-quoted (JSON escapes)."""
    pad = "  " * indent
    out = []
    if isinstance(obj, dict):
        if not obj:
            return pad + "{}\n"
        for k, v in obj.items():
            if isinstance(v, dict) and v:
                out.append("%s%s:\n%s" % (pad, k, to_yaml(v, indent + 1)))
            elif isinstance(v, list) and v and any(isinstance(x, (dict, list)) for x in v):
                out.append("%s%s:\n%s" % (pad, k, to_yaml(v, indent + 1)))
            else:
                out.append("%s%s: %s\n" % (pad, k, _scalar(v)))
        return "".join(out)
    if isinstance(obj, list):
        for v in obj:
            if isinstance(v, dict):
                body = to_yaml(v, indent + 1)
                out.append(pad + "- " + body[len(pad) + 2:])
            else:
                out.append("%s- %s\n" % (pad, _scalar(v)))
        return "".join(out)
    return pad + _scalar(obj) + "\n"


def _scalar(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, dict):
        return "{}" if not v else "{" + ", ".join("%s: %s" % (k, _scalar(x)) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    return json.dumps(str(v))


# --- Prometheus text -------------------------------------------------------------------------------

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$')
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?')


def _unescape(s):
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "\\": "\\", '"': '"'}.get(m.group(1), m.group(1)), s)


def parse_metrics(text):
    """Prometheus text exposition -> list of (name, labels dict, value float)."""
    samples = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if not m:
            continue
        labels = {}
        if m.group(2):
            pos, body = 0, m.group(2)
            while pos < len(body):
                lm = _LABEL.match(body, pos)
                if not lm:
                    break
                labels[lm.group(1)] = _unescape(lm.group(2))
                pos = lm.end()
        try:
            value = float(m.group(3))
        except ValueError:
            continue
        samples.append((m.group(1), labels, value))
    return samples


class Metrics:
    def __init__(self, text):
        self.text = text
        self.all = parse_metrics(text)

    def samples(self, name, **labels):
        return [(n, l, v) for n, l, v in self.all
                if n == name and all(l.get(k) == str(x) for k, x in labels.items())]

    def value(self, name, default=None, **labels):
        """Sum of the samples of name matching labels; default when there is none."""
        s = self.samples(name, **labels)
        return sum(v for _, _, v in s) if s else default

    def has(self, name):
        return any(n == name for n, _, _ in self.all)


# --- test bed ---------------------------------------------------------------------------------------

class BedCommand:
    """A test bed's command line (COMMAND: tests/e2e/testbed, tests/net/zonebed): what both beds
    offer, node faults, status and log collection."""
    COMMAND = None

    def _run(self, *args, timeout=600, quiet=False):
        r = subprocess.run([self.COMMAND] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            raise AssertionError("%s %s failed (%d):\n%s%s" % (os.path.basename(self.COMMAND), " ".join(args),
                                                              r.returncode, r.stdout, r.stderr[-4000:]))
        if r.stderr.strip() and not (quiet and "already running" in r.stderr):
            log(r.stderr.strip())
        return r.stdout

    def kill(self, node):
        self._run("kill", node)

    def stop(self, node):
        self._run("stop", node)

    def start(self, node):
        self._run("start", node)

    def status(self):
        return json.loads(self._run("status", "--json"))

    def collect_logs(self, dest):
        self._run("collect-logs", dest)


class Testbed(BedCommand):
    """tests/e2e/testbed through its command line. ensure() reuses clusters that run already (for
    example brought up by the ctest fixture) and otherwise starts them, owned by this process (a
    watchdog stops them if the process dies; down() at exit unless E2E_KEEP_TESTBED=1)."""

    COMMAND = TESTBED

    def __init__(self):
        self.bootstraps = {}
        self.owned = False


    @staticmethod
    def _lines(out):
        d = {}
        for line in out.splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                d[k.strip()] = v.strip()
        return d

    def env(self):
        return self._lines(self._run("env"))

    def ensure(self, *clusters):
        clusters = list(clusters or CLUSTERS)
        running = self.env()
        args = ["up"] + clusters
        if not running and not self.owned:
            self.owned = True
            if not os.environ.get("E2E_KEEP_TESTBED"):
                args += ["--watch-pid", str(os.getpid())]
                import atexit
                atexit.register(self.down)
        t0 = time.monotonic()
        self.bootstraps.update(self._lines(self._run(*args)))
        if time.monotonic() - t0 > 2:
            log("test bed up in %.1f s" % (time.monotonic() - t0))
        return dict(self.bootstraps)

    def heal(self):
        """Starts nodes a test left stopped (no-op when all run)."""
        if self.bootstraps:
            self._run("up", *sorted(self.bootstraps), quiet=True)

    def security(self):
        """plain's secured listeners: bootstraps, CA, SCRAM user and password file, the mTLS
        client's certificate, encrypted key and key password file (`testbed security`)."""
        return json.loads(self._run("security", "--json"))

    def down(self):
        if self.owned and not os.environ.get("E2E_KEEP_TESTBED"):
            try:
                self._run("down")
            except Exception as e:  # noqa: BLE001 - at exit
                log("testbed down failed: %s" % e)
            self.owned = False


# --- Java tools -------------------------------------------------------------------------------------

class KtResult:
    def __init__(self, args, rc, out, err, seconds=0.0):
        self.args, self.rc, self.out, self.err, self.seconds = args, rc, out, err, seconds
        self.json = None
        for line in reversed(out.strip().splitlines()):
            line = line.strip()
            if line.startswith("{") or line.startswith("["):
                try:
                    self.json = json.loads(line)
                except ValueError:
                    pass
                break

    def __repr__(self):
        return "kt %s -> %d\n%s%s" % (" ".join(self.args), self.rc, self.out[-3000:], self.err[-2000:])


class Kt:
    """tests/e2e/kt. Every call is logged to log_path (when set)."""

    def __init__(self, log_path=None):
        self.log_path = log_path

    def _log(self, res):
        if self.log_path:
            with open(self.log_path, "a") as f:
                f.write("%s $ kt %s  (exit %d, %.1f s)\n%s%s\n" % (
                    time.strftime("%H:%M:%S"), " ".join(res.args), res.rc, res.seconds, res.out, res.err))

    def run(self, *args, ok=(0,), timeout=600):
        args = [str(a) for a in args]
        t0 = time.monotonic()
        r = subprocess.run([KT] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        res = KtResult(args, r.returncode, r.stdout, r.stderr, time.monotonic() - t0)
        self._log(res)
        if ok is not None and r.returncode not in ok:
            raise AssertionError("kt failed: %r" % res)
        return res

    def create_topic(self, bootstrap, topic, partitions=6, rf=3, avoid_leader_rack=None,
                     assignment=None, configs=()):
        args = ["create-topic", "--bootstrap", bootstrap, "--topic", topic]
        if assignment:
            args += ["--assignment", assignment]
        else:
            args += ["--partitions", partitions, "--replication-factor", rf]
            if avoid_leader_rack:
                args += ["--avoid-leader-rack", avoid_leader_rack]
        for c in configs:
            args += ["--config", c]
        return self.run(*args).json

    def describe(self, bootstrap, topic):
        return self.run("describe", "--bootstrap", bootstrap, "--topic", topic, ok=(0, 1)).json

    def list_topics(self, bootstrap):
        return self.run("list-topics", "--bootstrap", bootstrap).json

    def end_offsets(self, bootstrap, topic):
        return self.run("end-offsets", "--bootstrap", bootstrap, "--topic", topic, ok=(0, 1)).json

    def consume_count(self, bootstrap, topic, client_rack=None):
        args = ["consume-count", "--bootstrap", bootstrap, "--topic", topic]
        if client_rack:
            args += ["--property", "client.rack=" + client_rack]
        return self.run(*args, ok=(0, 1)).json

    @staticmethod
    def _produce_args(bootstrap, topic, count, rate=None, run_id=None, value_size=None,
                      start_index=None, partitions=None, stop_file=None):
        """stop_file: the producer stops early once that file exists ("sent" in its JSON)."""
        args = ["produce", "--bootstrap", bootstrap, "--topic", topic, "--count", count]
        for k, v in (("--rate", rate), ("--run-id", run_id), ("--value-size", value_size),
                     ("--start-index", start_index), ("--stop-file", stop_file)):
            if v is not None:
                args += [k, v]
        if partitions is not None:
            args += ["--partitions", ",".join(map(str, partitions))]
        return [str(a) for a in args]

    def produce(self, bootstrap, topic, count, **kw):
        """Produces count deterministic records (acks=all, idempotent); returns the JSON summary."""
        res = self.run(*self._produce_args(bootstrap, topic, count, **kw))
        assert res.json and res.json["acked"] == count, res
        return res.json

    def produce_async(self, bootstrap, topic, count, **kw):
        """Starts a producer in the background; .wait(timeout) returns its JSON summary."""
        return AsyncKt(self, self._produce_args(bootstrap, topic, count, **kw))

    def check(self, source_bootstrap, source_topic, target_bootstrap, target_topic, wait_seconds=0,
              no_duplicates=False, ignore_headers=(), expect_missing=0, source_isolation=None,
              target_isolation=None):
        """The record checker; returns its JSON (missing, duplicates, mismatched, unexpected,
        order_violations, source_records, target_records, ...) plus 'report' (its human output).
        expect_missing: records the test expects never to arrive (skipped on purpose); the wait ends
        once no more than that many are missing. source_isolation / target_isolation: the
        isolation.level each side is read with (read_committed | read_uncommitted; the tools'
        default, read_committed, when None)."""
        args = ["check", "--source-bootstrap", source_bootstrap, "--source-topic", source_topic,
                "--target-bootstrap", target_bootstrap, "--target-topic", target_topic,
                "--wait-seconds", int(wait_seconds)]
        for side, level in (("source", source_isolation), ("target", target_isolation)):
            if level:
                args += ["--%s-property" % side, "isolation.level=" + level]
        if expect_missing:
            args += ["--expect-missing", int(expect_missing)]
        if no_duplicates:
            args.append("--no-duplicates")
        for name in ignore_headers:
            args += ["--ignore-header", name]
        res = self.run(*args, ok=(0, 1), timeout=wait_seconds + 600)
        if res.json is None or "missing" not in res.json:
            raise AssertionError("check gave no result: %r" % res)
        out = dict(res.json)
        out["report"] = res.out
        return out

    def copy(self, source_bootstrap, source_topic, target_bootstrap, target_topic, create=True,
             drop=(), duplicate=(), alter_header=()):
        args = ["copy", "--source-bootstrap", source_bootstrap, "--source-topic", source_topic,
                "--target-bootstrap", target_bootstrap, "--target-topic", target_topic]
        if create:
            args.append("--create")
        for k, v in (("--drop", drop), ("--duplicate", duplicate), ("--alter-header", alter_header)):
            if v:
                args += [k, ",".join(v)]
        return self.run(*args).json


class AsyncKt:
    def __init__(self, kt, args):
        self.kt, self.args = kt, args
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([KT] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)

    def running(self):
        return self.proc.poll() is None

    def wait(self, timeout=600):
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            raise AssertionError("kt %s still running after %d s" % (" ".join(self.args), timeout))
        res = KtResult(self.args, self.proc.returncode, out, err, time.monotonic() - self.t0)
        self.kt._log(res)
        if res.rc != 0 or not res.json:
            raise AssertionError("background kt failed: %r" % res)
        return res.json

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


# --- the service ------------------------------------------------------------------------------------

def flow(name, source, target, topics, **kw):
    """A flow entry as in product.md's `flows:` list (keys passed through as given)."""
    f = {"name": name, "source": source, "target": target, "topics": list(topics)}
    f.update(kw)
    return f


class Mirror:
    """One `mirror run` process with a generated config file in workdir."""

    def __init__(self, workdir, bootstraps, flows, az=NODE_AZ, clusters=None, name="mirror",
                 extra=None):
        self.workdir, self.az, self.name = workdir, az, name
        self.port = free_port()
        used = clusters or sorted({f["source"] for f in flows} | {f["target"] for f in flows})
        self.config = {
            "node": {"availability_zone": az, "availability_zone_sources": ["env", "file"]},
            "http": {"listen": "127.0.0.1:%d" % self.port},
            "clusters": {c: {"bootstrap_servers": bootstraps[c]} for c in used},
            "flows": flows,
        }
        if extra:
            self.config.update(extra)
        self.config_path = os.path.join(workdir, name + ".yaml")
        self._write_config()
        self.stdout_path = os.path.join(workdir, name + ".stdout")
        self.stderr_path = os.path.join(workdir, name + ".stderr")
        self.proc = None
        self.starts = 0

    def _write_config(self):
        self.config["http"]["listen"] = "127.0.0.1:%d" % self.port
        with open(self.config_path, "w") as f:
            f.write(to_yaml(self.config))

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.port

    def argv(self):
        return [mirror_bin(), "run", "--config", self.config_path, "--availability-zone", self.az,
                "--http-listen", "127.0.0.1:%d" % self.port]

    def start(self):
        binary = mirror_bin()
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            raise AssertionError("mirror binary %s not found or not executable (build it with `make build`, "
                                 "or set MIRROR_BIN)" % binary)
        self.starts += 1
        with open(self.stdout_path, "a") as out, open(self.stderr_path, "a") as err:
            banner = "=== start %d: %s\n" % (self.starts, " ".join(self.argv()))
            out.write(banner)
            err.write(banner)
            out.flush()
            err.flush()
            self.proc = subprocess.Popen(self.argv(), stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                         preexec_fn=_die_with_parent, cwd=self.workdir)
        log("%s started (pid %d, http %d, az %s)" % (self.name, self.proc.pid, self.port, self.az))
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr_tail(self, n=40):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def get(self, path, timeout=5):
        """(status, body) of GET path; status 0 when nothing answers."""
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=timeout) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError):
            return 0, ""

    def _check_alive(self):
        if not self.alive():
            rc = self.proc.returncode if self.proc else None
            raise AssertionError("mirror exited (code %s); last lines of its stderr:\n%s" % (rc, self.stderr_tail()))

    def wait_ready(self, timeout=90):
        deadline = time.monotonic() + timeout
        last = (0, "")
        while time.monotonic() < deadline:
            self._check_alive()
            last = self.get("/readyz")
            if last[0] == 200:
                return
            time.sleep(0.5)
        raise AssertionError("mirror not ready after %d s: /readyz answered %s %r; /flows: %s\nlast lines of its "
                             "stderr:\n%s" % (timeout, last[0] or "nothing", last[1][:500],
                                              _short(self.get("/flows")[1]), self.stderr_tail()))

    def flows(self):
        self._check_alive()
        status, body = self.get("/flows")
        if status != 200:
            raise AssertionError("/flows answered %s: %r" % (status, body[:500]))
        return json.loads(body)

    def flow(self, name):
        for f in self.flows().get("flows", []):
            if f.get("name") == name:
                return f
        raise AssertionError("flow %s not in /flows" % name)

    def partitions(self, flow_name, topic=None):
        return [p for p in self.flow(flow_name).get("partitions", []) if topic is None or p.get("topic") == topic]

    def metrics(self):
        self._check_alive()
        status, body = self.get("/metrics")
        if status != 200:
            raise AssertionError("/metrics answered %s" % status)
        return Metrics(body)

    def snapshot(self, tag):
        """Saves /flows and /metrics into the work folder (for failure reports)."""
        for path in ("/flows", "/metrics"):
            status, body = self.get(path)
            if status:
                with open(os.path.join(self.workdir, "%s.%s%s" % (self.name, tag, path.replace("/", "."))), "w") as f:
                    f.write(body)

    def kill(self):
        """SIGKILL (a crash)."""
        if self.alive():
            self.proc.kill()
            self.proc.wait()
            log("%s killed (SIGKILL)" % self.name)

    def term(self, timeout=30):
        """SIGTERM; returns the exit code (SIGKILL after timeout)."""
        if not self.alive():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log("%s ignored SIGTERM for %d s; SIGKILL" % (self.name, timeout))
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("mirror did not stop within %d s of SIGTERM" % timeout)

    def restart(self, new_port=True):
        """Starts the process again (after kill/term) with the same config; by default on a fresh
        HTTP port, so a socket of the old process in TIME_WAIT cannot get in the way."""
        if self.alive():
            raise AssertionError("restart: %s is still running" % self.name)
        if new_port:
            self.port = free_port()
            self._write_config()
        self.start()
        self.wait_ready()
        return self

    def stop_quietly(self):
        if self.alive():
            self.snapshot("final")
            try:
                self.term(timeout=20)
            except AssertionError as e:
                log(str(e))


# --- unittest base -----------------------------------------------------------------------------------

class E2ETestCase(unittest.TestCase):
    """Base for e2e tests: class attribute CLUSTERS names the clusters it needs."""

    CLUSTERS = CLUSTERS
    NEEDS_MIRROR = True   # fail at once (clear message) when the binary is missing
    testbed = None
    bootstraps = {}

    @classmethod
    def setUpClass(cls):
        cls.testbed = Testbed()
        cls.bootstraps = cls.testbed.ensure(*cls.CLUSTERS)

    def setUp(self):
        if self.NEEDS_MIRROR:
            binary = mirror_bin()
            if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
                self.fail("mirror binary %s not found or not executable (build it with `make build`, or set "
                          "MIRROR_BIN)" % binary)
        self.rid = uuid.uuid4().hex[:6]
        root = os.path.join(artifacts_root(), "work")
        os.makedirs(root, exist_ok=True)
        self.workdir = tempfile.mkdtemp(prefix="%s-" % self.id().split(".")[-1], dir=root)
        self.kt = Kt(os.path.join(self.workdir, "kt.log"))
        self.mirrors = []
        self.background = []
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        for p in self.background:
            p.stop()
        for m in self.mirrors:
            m.stop_quietly()
        try:
            self.testbed.heal()
        except AssertionError as e:
            log("healing the test bed failed: %s" % e)

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        failed = len(result.failures) + len(result.errors) > before
        workdir = getattr(self, "workdir", None)
        if failed:
            self._keep_artifacts()
        elif workdir and not os.environ.get("E2E_KEEP_WORK"):
            shutil.rmtree(workdir, ignore_errors=True)
        return out

    def _keep_artifacts(self):
        dest = os.path.join(artifacts_root(), "failed", "%s-%s" % (self.id().split(".", 1)[-1],
                                                                     time.strftime("%Y%m%d-%H%M%S")))
        try:
            os.makedirs(dest, exist_ok=True)
            workdir = getattr(self, "workdir", None)
            if workdir and os.path.isdir(workdir):
                shutil.copytree(workdir, os.path.join(dest, "work"), dirs_exist_ok=True)
                shutil.rmtree(workdir, ignore_errors=True)
            if self.testbed:
                self.testbed.collect_logs(os.path.join(dest, "testbed"))
            log("FAILED %s: service stderr, /flows, /metrics, kt output and broker logs kept in %s" % (self.id(), dest))
        except Exception as e:  # noqa: BLE001 - never mask the test's own failure
            log("could not keep artifacts in %s: %s" % (dest, e))

    # --- helpers for scenarios ---

    def topic(self, prefix):
        return "%s-%s" % (prefix, self.rid)

    def flow_name(self, prefix):
        """Unique per run too, so a rerun on a kept test bed meets no stale consumer group member."""
        return "%s-%s" % (prefix, self.rid)

    def start_mirror(self, flows, az=NODE_AZ, name="mirror", ready_timeout=90, **kw):
        m = Mirror(self.workdir, self.bootstraps, flows, az=az, name=name, **kw)
        self.mirrors.append(m)
        m.start()
        m.wait_ready(ready_timeout)
        return m

    def create_source_topic(self, cluster, topic, partitions=6):
        """RF-3 topic whose preferred leaders sit outside the node's AZ, with a follower in it."""
        d = self.kt.create_topic(self.bootstraps[cluster], topic, partitions=partitions, rf=3,
                                 avoid_leader_rack=NODE_AZ)
        for p in d["partitions"]:
            self.assertNotEqual(p["leader_rack"], NODE_AZ, "test setup: leader inside %s: %s" % (NODE_AZ, p))
            self.assertIn(NODE_AZ, p["replica_racks"], "test setup: no replica in %s: %s" % (NODE_AZ, p))
        return d

    def produce(self, cluster, topic, count, **kw):
        return self.kt.produce(self.bootstraps[cluster], topic, count, **kw)

    def produce_async(self, cluster, topic, count, **kw):
        p = self.kt.produce_async(self.bootstraps[cluster], topic, count, **kw)
        self.background.append(p)
        return p

    def assert_replicated(self, source, topic, target, target_topic=None, timeout=120, no_duplicates=False):
        """Checker: every source record is on the target (same partition, all fields); returns the result."""
        target_topic = target_topic or "%s.%s" % (source, topic)
        res = self.kt.check(self.bootstraps[source], topic, self.bootstraps[target], target_topic,
                            wait_seconds=timeout, no_duplicates=no_duplicates)
        summary = {k: v for k, v in res.items() if k != "report"}
        log("check %s/%s -> %s/%s: %s" % (source, topic, target, target_topic, json.dumps(summary)))
        bad = res["missing"] or res["mismatched"] or res["unexpected"] or (no_duplicates and res["duplicates"])
        if bad:
            self.fail("records not replicated faithfully %s/%s -> %s/%s:\n%s" % (
                source, topic, target, target_topic, res["report"][-6000:]))
        return res

    def wait_partitions(self, mirror, flow_name, topic, count, pred, timeout, what):
        """Waits until /flows lists count partitions of topic for the flow and pred(p) holds for all."""
        def ok():
            ps = mirror.partitions(flow_name, topic)
            if len(ps) != count:
                return None
            return ps if all(pred(p) for p in ps) else None
        try:
            return wait_until(ok, timeout, what)
        except AssertionError as e:
            raise AssertionError("%s\nflow %s partitions now: %s" % (
                e, flow_name, _short(mirror.partitions(flow_name, topic), 4000))) from None

    def wait_flow(self, mirror, flow_name, pred, timeout, what):
        try:
            return wait_until(lambda: (lambda f: f if pred(f) else None)(mirror.flow(flow_name)), timeout, what)
        except AssertionError as e:
            f = mirror.flow(flow_name)
            f = {k: v for k, v in f.items() if k != "partitions"}
            raise AssertionError("%s\nflow now: %s" % (e, _short(f))) from None
