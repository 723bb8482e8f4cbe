"""The status page at "/" in headless Chromium (Debian's chromium, installed by tests/e2e/provision),
against the service on real Kafka: what the browser renders from /flows after its script ran.

A follower flow and a leader flow (follower fetching off) on the rack-aware source: the page shows
each flow's state and fetch mode and, per partition, its leader, the broker it is read from, that
broker's rack and zone, lag and rate, the same as /flows says. The screenshot of the run is kept in
the work folder (status-page.png).

Run:  cd tests/e2e && python3 -m unittest -v test_status_page
"""

import html.parser
import os
import shutil
import subprocess
import unittest

from harness import NODE_AZ, E2ETestCase, flow, log

PARTITIONS = 4


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise AssertionError("no chromium on PATH: tests/e2e/provision installs Debian's chromium (as root)")


def browser_argv(url, *extra):
    # --virtual-time-budget: the page's script runs (fetch /flows, render, poll again) before the
    # DOM is taken. --no-sandbox: the suite runs as root. No network beyond loopback is reachable.
    return [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", "--virtual-time-budget=8000",
            *extra, url]


class Dom(html.parser.HTMLParser):
    """The rendered page as flow -> {badges, facts, rows}, rows as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.flows, self.flow, self.row, self.cell, self.badge = {}, None, None, None, None
        self.zone = ""
        self.in_zone = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "data-flow" in a:
            self.flow = self.flows.setdefault(a["data-flow"], {"badges": [], "rows": {}, "text": ""})
        elif tag == "span" and a.get("id") == "zone":
            self.in_zone = True
        elif self.flow is not None and tag == "span" and "data-badge" in a and self.row is None:
            self.flow["badges"].append(a["data-badge"])
        elif self.flow is not None and tag == "tr" and "data-partition" in a:
            self.row = self.flow["rows"].setdefault(a["data-partition"], [])
        elif self.row is not None and tag == "td":
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "td" and self.row is not None and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr":
            self.row = None
        elif tag == "section":
            self.flow = None
        elif tag == "span":
            self.in_zone = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        if self.flow is not None:
            self.flow["text"] += data
        if self.in_zone:
            self.zone += data


COLUMNS = ["topic", "partition", "target topic", "leader", "read from", "its rack", "zone", "lag",
           "records/s", "replicated"]


class StatusPage(E2ETestCase):
    CLUSTERS = ("rackaware", "target")

    def render(self, m):
        out = subprocess.run(browser_argv(m.base_url + "/", "--dump-dom"), capture_output=True,
                             text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr[-2000:])
        dom = Dom()
        dom.feed(out.stdout)
        return dom, out.stdout

    def test_status_page_renders_flows_and_partitions_as_flows_says(self):
        f_follow, f_leader = self.flow_name("page-follow"), self.flow_name("page-leader")
        t_follow, t_leader = self.topic("page-follow"), self.topic("page-leader")
        self.create_source_topic("rackaware", t_follow, PARTITIONS)
        self.create_source_topic("rackaware", t_leader, PARTITIONS)
        self.produce("rackaware", t_follow, 2000)
        self.produce("rackaware", t_leader, 2000)
        m = self.start_mirror([
            flow(f_follow, "rackaware", "target", [t_follow]),
            flow(f_leader, "rackaware", "target", [t_leader], follower_fetching_enabled=False),
        ])
        # The bed's source may hold a `heartbeats` topic of earlier tests, which every flow
        # replicates too: the checks below are of each flow's own topic's partitions.
        def own(f, topic):
            return [p for p in f["partitions"] if p["topic"] == topic]
        self.wait_flow(m, f_follow, lambda f: f.get("fetch_mode") == "follower" and len(own(f, t_follow)) == PARTITIONS
                       and all(p["fetch_broker"] >= 0 for p in own(f, t_follow)), 60,
                       "flow page-follow: follower, every partition")
        self.wait_flow(m, f_leader, lambda f: f.get("fetch_mode") == "leader" and len(own(f, t_leader)) == PARTITIONS
                       and all(p["fetch_broker"] >= 0 for p in own(f, t_leader)), 60, "flow page-leader: leader")
        self.assert_replicated("rackaware", t_follow, "target")
        self.assert_replicated("rackaware", t_leader, "target")

        dom, text = self.render(m)
        flows = {f["name"]: f for f in m.flows()["flows"]}
        self.assertIn(NODE_AZ, dom.zone, "the node's zone in the header")
        for name, topic, mode, zone in ((f_follow, t_follow, "follower", "same zone"),
                                        (f_leader, t_leader, "leader", "cross zone")):
            self.assertIn(name, dom.flows, "flow %s not on the page: %s" % (name, text[-3000:]))
            page = dom.flows[name]
            self.assertEqual(page["badges"][:2], ["running", mode], page)
            every = {"%s-%d" % (p["topic"], p["partition"]) for p in flows[name]["partitions"]}
            self.assertEqual(set(page["rows"]), every, "partition rows of %s" % name)
            want = {"%s-%d" % (p["topic"], p["partition"]): p for p in own(flows[name], topic)}
            for key, cells in page["rows"].items():
                if key not in want:
                    continue  # a heartbeats partition
                row = dict(zip(COLUMNS, cells))
                p = want[key]
                self.assertEqual(len(cells), len(COLUMNS), cells)
                self.assertEqual(row["target topic"], p["target_topic"], row)
                self.assertEqual(row["leader"], str(p["leader"]), row)
                role = "follower" if mode == "follower" else "leader"
                self.assertEqual(row["read from"], "%d (%s)" % (p["fetch_broker"], role), row)
                self.assertEqual(row["its rack"], p["fetch_broker_rack"], row)
                self.assertEqual(row["zone"], zone, row)
                if mode == "follower":
                    self.assertEqual(row["its rack"], NODE_AZ, row)
                    self.assertNotEqual(row["read from"].split()[0], row["leader"], row)
                self.assertTrue(row["lag"].isdigit(), row)
                self.assertTrue(row["records/s"].isdigit(), "records/s after the second poll: %s" % row)
                self.assertGreater(int(row["replicated"]), 0, row)
            self.assertEqual(sum(int(dict(zip(COLUMNS, page["rows"][k]))["replicated"]) for k in want), 2000)

        shot = os.path.join(self.workdir, "status-page.png")
        out = subprocess.run(browser_argv(m.base_url + "/", "--hide-scrollbars", "--window-size=1280,900",
                                          "--screenshot=" + shot), capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr[-2000:])
        self.assertGreater(os.path.getsize(shot), 10_000, "the screenshot is an image of the page")
        log("status page: %d flows rendered, screenshot %s" % (len(dom.flows), shot))


if __name__ == "__main__":
    unittest.main()
