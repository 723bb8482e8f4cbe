"""zones: the zoned test bed (tests/net/zonebed) for Python tests, on top of tests/e2e/harness.py.

  ZoneBed       ensure() -> env dict (bootstraps, service hosts); kill/stop/start(node); heal();
                counters() -> Counters; wan_cut(); wan_restore(); log_bytes(node, topic); down()
  Counters      a snapshot of every boundary's per-class bytes and packets; a - b is the delta;
                payload(boundary, *classes) is bytes minus 66 header bytes per packet
  ZoneMirror    harness.Mirror run inside a service host's namespace, HTTP on the host's address
  ZonesTestCase harness.E2ETestCase with the zoned bed instead of tests/e2e/testbed

Environment: as zonebed (ZONEBED_PREFIX, ZONEBED_NET, ZONEBED_DIR, TESTBED_DIR, TESTBED_BASE_PORT),
plus harness's MIRROR_BIN, E2E_ARTIFACTS_DIR, E2E_KEEP_TESTBED.
"""

import atexit
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))

import harness  # noqa: E402
from harness import E2ETestCase, Mirror, log, mirror_bin  # noqa: E402,F401

ZONEBED = os.path.join(HERE, "zonebed")
HEADER_BYTES = 14 + 20 + 32   # per segment: Ethernet, IPv4, TCP with timestamps (as zonebed counts)


class Counters:
    def __init__(self, data):
        self.data = data   # boundary -> {"bytes", "packets", "classes": {name: {"bytes", "packets"}}}

    def __sub__(self, other):
        out = {}
        for key, e in self.data.items():
            o = other.data.get(key, {"bytes": 0, "packets": 0, "classes": {}})
            out[key] = {"bytes": e["bytes"] - o["bytes"], "packets": e["packets"] - o["packets"],
                        "classes": {n: {"bytes": c["bytes"] - o["classes"].get(n, {}).get("bytes", 0),
                                        "packets": c["packets"] - o["classes"].get(n, {}).get("packets", 0)}
                                    for n, c in e["classes"].items()}}
        return Counters(out)

    def wire(self, boundary, *classes):
        """Bytes on the wire (headers included) of these classes at this boundary."""
        cs = self.data[boundary]["classes"]
        return sum(cs.get(c, {}).get("bytes", 0) for c in classes)

    def packets(self, boundary, *classes):
        cs = self.data[boundary]["classes"]
        return sum(cs.get(c, {}).get("packets", 0) for c in classes)

    def payload(self, boundary, *classes):
        """TCP payload: wire bytes less HEADER_BYTES per packet (segment)."""
        return max(0, self.wire(boundary, *classes) - HEADER_BYTES * self.packets(boundary, *classes))

    def table(self):
        rows = []
        for key, e in sorted(self.data.items()):
            for name, c in sorted(e["classes"].items()):
                if c["bytes"]:
                    rows.append("%-11s %-16s %12d bytes %8d packets payload %12d" % (
                        key, name, c["bytes"], c["packets"], max(0, c["bytes"] - HEADER_BYTES * c["packets"])))
        return "\n".join(rows)


class ZoneBed(harness.BedCommand):
    """tests/net/zonebed through its command line, with the interface of harness.Testbed that
    E2ETestCase uses (ensure, heal, kill, stop, start, collect_logs, down)."""
    COMMAND = ZONEBED

    def __init__(self):
        self.env = {}
        self.owned = False

    def _run(self, *args, timeout=600, quiet=True):
        return super()._run(*args, timeout=timeout, quiet=quiet)

    def ensure(self):
        st = self.status()
        running = st["network"] and all(n["pid"] for n in st["nodes"]) and st["proxy_pid"]
        args = ["up"]
        if not running and not self.owned:
            self.owned = True
            if not os.environ.get("E2E_KEEP_TESTBED"):
                args += ["--watch-pid", str(os.getpid())]
                atexit.register(self.down)
        out = self._run(*args)
        self.env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        return dict(self.env)

    def bootstraps(self):
        return {"source": self.env["source"], "remote": self.env["remote"]}

    def service(self, name):
        """(address, namespace) of a service host (svc1, svc2)."""
        addr, netns = self.env[name].split("@")
        return addr, netns

    def heal(self):
        if self.env:
            self._run("up")

    def wan_cut(self):
        self._run("wan", "cut")

    def wan_restore(self):
        self._run("wan", "restore")

    def counters(self):
        return Counters(json.loads(self._run("counters", "--json"))["boundaries"])

    def log_bytes(self, node, topic):
        return json.loads(self._run("log-size", node, topic))["bytes"]

    def down(self):
        if self.owned and not os.environ.get("E2E_KEEP_TESTBED"):
            try:
                self._run("down")
            except Exception as e:  # noqa: BLE001 - at exit
                log("zonebed down failed: %s" % e)
            self.owned = False


class ZoneMirror(Mirror):
    """A `mirror run` inside a service host's network namespace (ip netns exec, which execs, so
    the pid is the service's), its HTTP port on the host's address."""

    def __init__(self, workdir, bootstraps, flows, host, netns, **kw):
        self.host, self.netns = host, netns
        super().__init__(workdir, bootstraps, flows, **kw)

    def _write_config(self):
        self.config["http"]["listen"] = "%s:%d" % (self.host, self.port)
        with open(self.config_path, "w") as f:
            f.write(harness.to_yaml(self.config))

    @property
    def base_url(self):
        return "http://%s:%d" % (self.host, self.port)

    def argv(self):
        return ["ip", "netns", "exec", self.netns, mirror_bin(), "run", "--config", self.config_path,
                "--availability-zone", self.az, "--http-listen", "%s:%d" % (self.host, self.port)]


class ZonesTestCase(E2ETestCase):
    """E2ETestCase on the zoned bed: self.bootstraps has 'source' and 'remote'."""

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise AssertionError("the zoned suite needs root (network namespaces, veth, tc); it runs as uid %d"
                                 % os.geteuid())
        cls.testbed = ZoneBed()
        cls.testbed.ensure()
        cls.bootstraps = cls.testbed.bootstraps()

    def start_zone_mirror(self, svc, flows, name, bootstraps=None, ready_timeout=90):
        host, netns = self.testbed.service(svc)
        m = ZoneMirror(self.workdir, bootstraps or self.bootstraps, flows, host, netns, name=name)
        self.mirrors.append(m)
        m.start()
        m.wait_ready(ready_timeout)
        return m
