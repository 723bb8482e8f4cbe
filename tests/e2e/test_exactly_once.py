"""Exactly-once delivery (`exactly_once_delivery_enabled: true`, issue 12), on the real-Kafka test bed.

The flow's target producer is transactional: records and the flow's source positions (offsets of
the target group `mirror-<flow>-exactly-once`, keyed by target topic and partition, the next source
offset to copy) are committed on the target in one transaction about every second, and the flow
resumes from those positions. So a read_committed reader of the target sees each source record
exactly once, in source order per partition, whatever fault came in between; records of aborted
source transactions are never copied (the source consumer reads read_committed). The judge is the
record checker (`kt check`) reading both sides read_committed: nothing missing, nothing twice, no
order violation, nothing foreign or altered.

- test_faults_leave_each_record_once: at 1,000 records/s throughout, the service SIGKILLed three
  times (mid-stream; 0.5 s after the restarted instance is ready, in its first transactions; 2 s
  after the target broker's return, when at-least-once mode re-sends the most), SIGTERMed once
  (exit 0), the az-b follower it reads from (rackaware-2) SIGKILLed and restarted, and the target
  broker stopped (SIGTERM) for 5 s and started; afterwards the stored positions are the source end
  offsets. The same sequence with the key off left 1,828 duplicates in a run here (at-least-once,
  see test_faults.py); read_uncommitted, the copy here holds the aborted transactions' records too
  (counted; there must be some, or no fault interrupted an open transaction).
- test_a_frozen_instance_is_fenced: two instances share the flow (distinct node.instance_id,
  static_membership_enabled: false, so a frozen one's partitions move after the 10 s session
  timeout); one is frozen (SIGSTOP) until the other owns every partition and replicates each, then
  resumed (SIGCONT): it logs a line of its own (not librdkafka's) with "fenced", rejoins and gets
  partitions again, and counts mirror_errors_total{flow,kind="fenced"} (asserted last, after the
  records); the copy holds each record once.
- test_aborted_source_transactions_are_not_copied: a transactional source producer (`kt
  produce-tx --write-aborted`, transactions of 10 records, every 5th aborted) writes while the flow
  runs; the target holds exactly the committed records once, and read_uncommitted the source holds
  the aborted ones too (which the checker then counts as missing on the target, exactly as many as
  were aborted, none unexpected). --write-aborted matters: without it the aborted records never
  reach the source's logs (Kafka 4 refuses their far-future timestamps), leaving nothing to skip.

Run one:  cd tests/e2e && MIRROR_BIN=$PWD/../../build/bin/mirror python3 -m unittest -v \
          test_exactly_once.ExactlyOnceDelivery.test_a_frozen_instance_is_fenced
"""

import json
import os
import re
import signal
import time
import unittest

from harness import NODE_AZ, AsyncKt, E2ETestCase, Mirror, flow, log, wait_until
from test_mm2 import Mm2Kt

SRC, TGT = "rackaware", "target"
PARTITIONS = 6
RATE = 1000          # records/s written to the source in the fault test
# At most this many records in the fault test: the producer writes until the faults are done (its
# stop file; the sequence takes 75-100 s here), the bound only ends a sequence that hangs.
FAULT_COUNT_MAX = 300 * RATE
SESSION_TIMEOUT_S = 10   # a dynamic member's session.timeout.ms (docs/operations.md)
# Kinds the checker counts; every one must be 0 for an exactly-once copy.
BAD = ("missing", "duplicates", "order_violations", "mismatched", "unexpected")


def replicated(m, name, topic):
    """Records the flow's partitions of topic replicated, as /flows says (per process)."""
    return sum(p.get("replicated", 0) for p in m.partitions(name, topic))


def per_partition(m, name, topic):
    return {p["partition"]: p.get("replicated", 0) for p in m.partitions(name, topic)}


class ExactlyOnceDelivery(E2ETestCase):
    CLUSTERS = (SRC, TGT)

    def setUp(self):
        super().setUp()
        self.kt = Mm2Kt(self.kt.log_path)  # group-offsets, end-offsets as maps

    # --- helpers ---

    def eos_flow(self, name, topic, **kw):
        return flow(name, SRC, TGT, [topic], exactly_once_delivery_enabled=True, **kw)

    def mirror(self, flows, name="mirror", instance_id=None, az=NODE_AZ):
        node = {"availability_zone": az, "availability_zone_sources": ["env", "file"]}
        if instance_id:
            node["instance_id"] = instance_id
        m = Mirror(self.workdir, self.bootstraps, flows, az=az, name=name, extra={"node": node})
        self.mirrors.append(m)
        return m

    def wait_progress(self, m, name, topic, more, timeout=60, what="replication"):
        """Waits until the flow replicated `more` records beyond what /flows says now."""
        base = replicated(m, name, topic)
        wait_until(lambda: replicated(m, name, topic) >= base + more, timeout,
                   "%s to go on (%d more records replicated by %s)" % (what, more, m.name))

    def judge(self, topic, timeout=240, label=""):
        """The record checker, both sides read_committed: asserts an exactly-once copy (and that the
        target holds as many records as the source) and returns the checker's JSON."""
        tt = "%s.%s" % (SRC, topic)
        r = self.kt.check(self.bootstraps[SRC], topic, self.bootstraps[TGT], tt, wait_seconds=timeout,
                          no_duplicates=True, source_isolation="read_committed",
                          target_isolation="read_committed")
        summary = {k: v for k, v in r.items() if k != "report"}
        log("%s: check %s -> %s (read_committed): %s" % (label, topic, tt, json.dumps(summary)))
        self.assertEqual({k: r[k] for k in BAD}, {k: 0 for k in BAD},
                         "%s: the target is not an exactly-once copy of the source (read_committed):\n%s"
                         % (label, r["report"][-6000:]))
        self.assertEqual(r["target_records"], r["source_records"])
        self.assertEqual(r["target_partitions"], PARTITIONS)
        return r

    def stored_positions(self, name, topic):
        """The flow's positions stored on the target: group mirror-<flow>-exactly-once, offsets of
        the target topic by partition."""
        g = self.kt.group_offsets(self.bootstraps[TGT], "mirror-%s-exactly-once" % name, "%s.%s" % (SRC, topic))
        return g["offsets"]

    def assert_positions_at_end(self, name, topic, slack=0):
        """The stored position of every partition is the source's end offset (the next offset to
        copy once everything is copied); with slack 1 it may also be the offset just before (a
        transaction marker ends a transactional source partition)."""
        end = self.kt.end_offsets_map(self.bootstraps[SRC], topic)
        self.assertEqual(sorted(end), list(range(PARTITIONS)))
        last = {}

        def at_end():
            last["stored"] = self.stored_positions(name, topic)
            return all(end[p] - slack <= last["stored"].get(p, -1) <= end[p] for p in end)
        try:
            wait_until(at_end, 20, "the stored positions to reach the source end offsets")
        except AssertionError as e:
            self.fail("%s\nstored in group mirror-%s-exactly-once on the target: %s\nsource end offsets: %s"
                      % (e, name, last.get("stored"), end))
        log("positions stored on the target: %s (source end offsets %s)" % (last["stored"], end))

    @staticmethod
    def freeze(m):
        os.kill(m.proc.pid, signal.SIGSTOP)
        log("%s frozen (SIGSTOP)" % m.name)

    @staticmethod
    def thaw(m):
        if m.alive():
            os.kill(m.proc.pid, signal.SIGCONT)
            log("%s resumed (SIGCONT)" % m.name)

    # --- the tests ---

    def test_faults_leave_each_record_once(self):
        """Each fault under load; afterwards the read_committed copy is exact and the stored
        positions are the source end offsets. node.instance_id is set (static membership, the
        default), as with the Helm chart's StatefulSet: a restarted instance keeps its transactional
        id and its partitions, so it fences its predecessor's open transaction at once."""
        name, topic = self.flow_name("eos1"), self.topic("eos1")
        self.create_source_topic(SRC, topic, PARTITIONS)
        self.produce(SRC, topic, 2000)
        m = self.mirror([self.eos_flow(name, topic, consumer={"topic.metadata.refresh.interval.ms": "5000"})],
                        instance_id="eos1-" + self.rid)
        m.start()
        m.wait_ready(90)
        wait_until(lambda: replicated(m, name, topic) >= 2000, 90, "the first records to be replicated")
        self.wait_partitions(m, name, topic, PARTITIONS, lambda p: p.get("fetch_broker") == 2, 60,
                             "reads from the az-b follower (rackaware-2)")

        stop = os.path.join(self.workdir, "producer.stop")
        producer = self.produce_async(SRC, topic, FAULT_COUNT_MAX, rate=RATE, stop_file=stop)
        t0 = time.monotonic()
        faults = []

        def fault(what):
            faults.append((round(time.monotonic() - t0, 1), what, producer.running()))
            log("eos1: %.1f s: %s%s" % (faults[-1][0], what, "" if faults[-1][2] else " (producer done)"))

        time.sleep(6)
        fault("SIGKILL 1, mid-stream")
        m.kill()
        m.restart()
        time.sleep(0.5)
        fault("SIGKILL 2, 0.5 s after the restarted instance was ready")
        m.kill()
        m.restart()
        self.wait_progress(m, name, topic, 3000, what="replication after two SIGKILLs")

        fault("source follower rackaware-2 SIGKILLed")
        self.testbed.kill("rackaware-2")
        time.sleep(3)
        self.wait_progress(m, name, topic, 3000, what="replication without rackaware-2")
        fault("rackaware-2 starting")
        self.testbed.start("rackaware-2")
        fault("rackaware-2 serving")
        self.wait_progress(m, name, topic, 2000, what="replication after rackaware-2 returned")

        fault("SIGTERM")
        self.assertEqual(m.term(), 0, "exit code after SIGTERM")
        time.sleep(1)
        m.restart()
        self.wait_progress(m, name, topic, 2000, what="replication after SIGTERM and restart")

        fault("target-1 stopped (SIGTERM)")
        self.testbed.stop("target-1")
        time.sleep(5)
        fault("target-1 starting")
        self.testbed.start("target-1")
        fault("target-1 serving")
        self.wait_progress(m, name, topic, 1, timeout=90, what="replication after the target's return")
        time.sleep(2)
        fault("SIGKILL 3, 2 s after replication resumed on the returned target")
        m.kill()
        m.restart()
        self.wait_progress(m, name, topic, 2000, what="replication after the third SIGKILL")
        fault("faults done")
        time.sleep(2)
        with open(stop, "w"):
            pass
        res = producer.wait(300)
        log("eos1: faults (seconds after the producer started, what, producer still running): %s" % faults)
        log("eos1: producer: %s" % res)
        self.assertEqual((res["acked"], res["failed"]), (res["sent"], 0), "records the source acknowledged")
        self.assertEqual([f for f in faults if not f[2]], [], "faults after the producer had finished")

        r = self.judge(topic, label="eos1")
        self.assertEqual(r["source_records"], 2000 + res["sent"], "records on the source")
        self.assert_positions_at_end(name, topic)

        # Read read_uncommitted, the copy also holds what aborted transactions wrote: proof that the
        # faults did interrupt open transactions, and that read_committed is what kept them out.
        u = self.kt.check(self.bootstraps[SRC], topic, self.bootstraps[TGT], "%s.%s" % (SRC, topic),
                          source_isolation="read_committed", target_isolation="read_uncommitted")
        log("eos1: read_uncommitted the target holds %d records, %d of them copies from aborted transactions"
            % (u["target_records"], u["target_records"] - r["target_records"]))
        self.assertEqual(u["missing"], 0)
        self.assertGreater(u["target_records"], r["target_records"],
                           "no record of an aborted transaction on the target: no fault interrupted an open "
                           "transaction, so this test proved nothing about exactly-once")
        self.assertEqual(m.term(), 0, "exit code after the final SIGTERM")

    def test_a_frozen_instance_is_fenced(self):
        """A zombie: an instance frozen long enough for the other to take its partitions and replicate
        them, then resumed, cannot commit its open transaction. The other instance fences the
        frozen one's transactional id when it claims the partitions (it logs so); the frozen one,
        resumed, ends its session (it logs "fenced" when its abort meets the fence, or that its
        lost partitions' transaction is void: the coordinator may answer an abort it already
        carried out for the fence with success), starts a new one and rejoins; the target holds
        each record once."""
        name, topic = self.flow_name("eos2"), self.topic("eos2")
        self.create_source_topic(SRC, topic, PARTITIONS)
        self.produce(SRC, topic, 2000)
        f = self.eos_flow(name, topic, static_membership_enabled=False)
        a = self.mirror([f], name="mirror-a", instance_id="eos2-a-" + self.rid)
        b = self.mirror([f], name="mirror-b", instance_id="eos2-b-" + self.rid)
        self.addCleanup(self.thaw, a)  # runs before the harness's cleanup stops the processes
        a.start()
        b.start()
        a.wait_ready()
        b.wait_ready()
        before = self.wait_shared([a, b], name, topic)
        log("eos2: owners before the freeze: %s" % before)

        producer = self.produce_async(SRC, topic, 30000, rate=500)
        self.wait_progress(a, name, topic, 500, what="%s replicating" % a.name)
        a_parts = sorted(p for p, o in before.items() if o == a.name)
        self.freeze(a)
        t0 = time.monotonic()
        self.wait_shared([b], name, topic, timeout=SESSION_TIMEOUT_S + 60)
        moved = time.monotonic() - t0
        at_takeover = per_partition(b, name, topic)
        # b copies each of a's former partitions: its claims went through (a's open transaction was
        # fenced or timed out) while a is still frozen.
        wait_until(lambda: all(per_partition(b, name, topic).get(p, 0) > at_takeover.get(p, 0) + 50 for p in a_parts),
                   60, "%s to replicate each of %s's former partitions %s" % (b.name, a.name, a_parts))
        log("eos2: %s owned every partition %.1f s after %s froze and replicates %s's former partitions %s "
            "(%.1f s after the freeze)" % (b.name, moved, a.name, a.name, a_parts, time.monotonic() - t0))

        with open(a.stderr_path, errors="replace") as fh:
            err_at = len(fh.read())
        with open(a.stdout_path, errors="replace") as fh:
            out_at = len(fh.read())
        a_id = "mirror-%s-eos2-a-%s-" % (name, self.rid)
        b_fenced_a = [ln for ln in open(b.stderr_path, errors="replace").read().splitlines()
                      if "fenced transactional id '" + a_id in ln]
        self.assertTrue(b_fenced_a, "%s claimed %s's partitions without fencing %s's id %s*"
                        % (b.name, a.name, a.name, a_id))
        log("eos2: %s: %s" % (b.name, b_fenced_a[0].strip()))
        self.thaw(a)
        t1 = time.monotonic()
        b_id = "mirror-%s-eos2-b-%s" % (name, self.rid)

        def fenced_line():
            lines = []
            for path, at in ((a.stderr_path, err_at), (a.stdout_path, out_at)):
                with open(path, errors="replace") as fh:
                    lines += fh.read()[at:].splitlines()
            # mirror's own lines (librdkafka's "rdkafka:" lines say _FENCED as well) about a's own
            # fencing, not a line where a fences b's id
            return [ln for ln in lines if (re.search("fenced", ln, re.I) or "transaction is void" in ln)
                    and b_id not in ln and " rdkafka: " not in ln]
        lines = wait_until(fenced_line, 60, "%s to end its fenced session after SIGCONT" % a.name)
        log("eos2: %s logged %.1f s after SIGCONT: %s" % (a.name, time.monotonic() - t1, lines[0].strip()))
        after = self.wait_shared([a, b], name, topic, timeout=150)
        log("eos2: owners after %s rejoined (%.1f s after SIGCONT): %s" % (a.name, time.monotonic() - t1, after))

        self.assertEqual(producer.wait(300)["acked"], 30000)
        r = self.judge(topic, label="eos2")
        self.assertEqual(r["source_records"], 32000)
        self.assert_positions_at_end(name, topic)
        # Judged last, so that a run that misses it still reports the records.
        errors = {m.name: {l["kind"]: v for _, l, v in m.metrics().samples("mirror_errors_total", flow=name)}
                  for m in (a, b)}
        log("eos2: mirror_errors_total by instance and kind: %s" % errors)
        if any(re.search("fenced", ln, re.I) for ln in lines):
            self.assertGreaterEqual(errors[a.name].get("fenced", 0), 1,
                                    "%s logged that it was fenced but mirror_errors_total{flow=%s,"
                                    "kind=\"fenced\"} did not count it" % (a.name, name))

    def test_aborted_source_transactions_are_not_copied(self):
        """A transactional source producer aborts every 5th transaction while the flow copies; the
        target holds exactly the committed records, once each. No node.instance_id here (the
        transactional id gets a random suffix)."""
        name, topic = self.flow_name("eos3"), self.topic("eos3")
        self.create_source_topic(SRC, topic, PARTITIONS)
        m = self.mirror([self.eos_flow(name, topic)])
        m.start()
        m.wait_ready(90)
        count = 3000
        tx = AsyncKt(self.kt, ["produce-tx", "--bootstrap", self.bootstraps[SRC], "--topic", topic,
                               "--count", str(count), "--per-txn", "10", "--abort-every", "5", "--write-aborted"])
        self.background.append(tx)
        self.wait_progress(m, name, topic, 500, what="replication of the committed transactions")
        res = tx.wait(300)
        log("eos3: produce-tx: %s" % res)
        self.assertEqual(res["acked"], count)
        self.assertGreater(res["aborted"], 0, "test setup: no transaction aborted")
        self.assertEqual(res["aborted_written"], res["aborted"], "test setup: aborted records not written to the source")

        r = self.judge(topic, label="eos3")
        self.assertEqual(r["source_records"], count, "committed records on the source (read_committed)")
        self.assert_positions_at_end(name, topic, slack=1)
        # Read read_uncommitted, the source also holds the aborted records: the target has none of
        # them (all missing, none unexpected), and every committed one once.
        u = self.kt.check(self.bootstraps[SRC], topic, self.bootstraps[TGT], "%s.%s" % (SRC, topic),
                          source_isolation="read_uncommitted", target_isolation="read_committed",
                          expect_missing=res["aborted"])
        log("eos3: source read_uncommitted: %d records; %d of them missing on the target (%d aborted)"
            % (u["source_records"], u["missing"], res["aborted"]))
        self.assertEqual(u["source_records"], count + res["aborted"])
        self.assertEqual((u["missing"], u["duplicates"], u["unexpected"], u["mismatched"]),
                         (res["aborted"], 0, 0, 0), "aborted source records on the target:\n" + u["report"][-4000:])
        self.assertEqual(m.term(), 0, "exit code after SIGTERM")

    # --- fleet helpers (as test_fleet.py's, for instances that may be frozen) ---

    @staticmethod
    def owners(ms, name, topic):
        out = {}
        for m in ms:
            for p in m.partitions(name, topic):
                out.setdefault(p["partition"], []).append(m.name)
        return out

    def wait_shared(self, ms, name, topic, timeout=90):
        """Waits until every partition is owned by exactly one of `ms` (none frozen) and each owns
        some; returns partition -> owner."""
        def ok():
            seen = self.owners(ms, name, topic)
            if sorted(seen) != list(range(PARTITIONS)) or any(len(o) != 1 for o in seen.values()):
                return None
            if {o[0] for o in seen.values()} != {m.name for m in ms}:
                return None
            return {p: o[0] for p, o in seen.items()}
        try:
            return wait_until(ok, timeout, "every partition of %s owned by exactly one of %s" % (
                topic, [m.name for m in ms]))
        except AssertionError as e:
            raise AssertionError("%s\nowners now: %s" % (e, self.owners(ms, name, topic))) from None


if __name__ == "__main__":
    unittest.main()
