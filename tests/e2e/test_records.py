"""Records that never stall a flow (issue #13), on real Apache Kafka.

R1: records of 1.5 MiB and 3 MiB on a source topic with max.message.bytes 8 MiB replicate byte-exact
    between small ones (record checker), and the target topic mirror creates accepts them
    (its max.message.bytes follows the source's).
R2: the target topic exists beforehand with max.message.bytes 1 MiB (below the large records), and
    the flow keeps config sync off that key (config_properties_exclude), so the target keeps
    refusing them. Each `unreplicable_records` policy:
      fail         the flow shows state stalled naming topic, partition and offset of the first
                   large record; the other partition keeps replicating; errors_total{kind=
                   unreplicable} counts it; nothing past it reaches the target's partition;
      skip         records_skipped_total{reason=too_large} counts the large records, every other
                   record is on the target, records after them too;
      dead_letter  the dead-letter topic holds one record per large record (its metadata only:
                   the dead-letter topic has the target's 1 MiB default too) with headers naming
                   source topic, partition and offset and the error; every other record is on the
                   target.

Records come from `kt produce` (Records.generate: record i goes to partition i % 2; i % 10 == 0 is
large): small records, then large ones among small ones, then small ones again.

Run: cd tests/e2e && MIRROR_BIN=... python3 -m unittest -v test_records
"""

import time
import unittest
import urllib.request

from harness import NODE_AZ, E2ETestCase, flow, log, wait_until

SRC, TGT = "rackaware", "target"
MIB = 1 << 20
SOURCE_LIMIT = 8388608       # the source topic's max.message.bytes
TARGET_LIMIT = MIB           # the target topic's, in R2 (below the large records)
ADMIN_TOKEN = "records-admin-token-0123456789"
BIG_PRODUCER = ["--property", "max.request.size=%d" % (16 * MIB)]


class RecordsCase(E2ETestCase):
    CLUSTERS = (SRC, TGT)

    def produce_mix(self, topic, start=1):
        """Indexes start..start+59: large ones (i % 10 == 0) of 1.5 MiB in the first 30, 3 MiB in
        the last 30; the others about 100 bytes. Returns the large indexes."""
        large = []
        for first, size in ((start, 3 * MIB // 2), (start + 30, 3 * MIB)):
            self.kt.run("produce", "--bootstrap", self.bootstraps[SRC], "--topic", topic, "--count", 30,
                        "--start-index", first, "--value-size", 100, "--large-every", 10,
                        "--large-size", size, "--run-id", self.rid, *BIG_PRODUCER)
            large += [i for i in range(first, first + 30) if i % 10 == 0 and i % 11 != 5]
        return large

    def source_topic(self, topic):
        self.kt.create_topic(self.bootstraps[SRC], topic, partitions=2, rf=3, avoid_leader_rack=NODE_AZ,
                             configs=["max.message.bytes=%d" % SOURCE_LIMIT, "retention.ms=-1"])

    def per_partition(self, cluster, topic):
        res = self.kt.consume_count(self.bootstraps[cluster], topic)
        return {int(p): n for p, n in (res or {}).get("per_partition", {}).items()}

    def topic_config(self, cluster, topic, name):
        res = self.kt.run("topic-configs", "--bootstrap", self.bootstraps[cluster], "--topic", topic,
                          ok=(0, 1)).json or {}
        return (res.get("all") or {}).get(name)


class R1LargeRecords(RecordsCase):
    def test_large_records_replicate_byte_exact(self):
        name, topic = self.flow_name("r1"), self.topic("r1")
        target_topic = "%s.%s" % (SRC, topic)
        self.source_topic(topic)
        large = self.produce_mix(topic)
        self.assertGreaterEqual(len(large), 5, "test set-up: large records among the small ones")
        m = self.start_mirror([flow(name, SRC, TGT, [topic], emit_checkpoints_enabled=False)])
        t0 = time.monotonic()
        res = self.assert_replicated(SRC, topic, TGT, target_topic, timeout=180)
        log("r1: %d records (%d of 1.5 or 3 MiB) replicated in %.1f s" % (res["source_records"], len(large),
                                                                       time.monotonic() - t0))
        self.assertEqual(res["source_records"], 60)
        self.assertEqual(self.topic_config(TGT, target_topic, "max.message.bytes"), str(SOURCE_LIMIT),
                         "the target topic follows the source's max.message.bytes")
        f = m.flow(name)
        self.assertEqual(f["state"], "running", f)
        metrics = m.metrics()
        self.assertFalse(metrics.value("mirror_errors_total", 0, flow=name, kind="unreplicable"))
        self.assertFalse(metrics.value("mirror_records_skipped_total", 0, flow=name))


class R2UnreplicableRecords(RecordsCase):
    """The target topic refuses the large records (its max.message.bytes is 1 MiB)."""

    def prepare(self, tag, extra=None, **flow_keys):
        name, topic = self.flow_name(tag), self.topic(tag)
        target_topic = "%s.%s" % (SRC, topic)
        self.source_topic(topic)
        self.kt.create_topic(self.bootstraps[TGT], target_topic, partitions=2, rf=1,
                             configs=["max.message.bytes=%d" % TARGET_LIMIT])
        large = self.produce_mix(topic)
        # Uncompressed writes: the test records' values are the alphabet repeated, which the
        # default lz4 shrinks far below the target's limit; a real payload that does not compress
        # (or a larger one) is refused the same way.
        m = self.start_mirror([flow(name, SRC, TGT, [topic], emit_checkpoints_enabled=False,
                                    refresh_topics_interval_seconds=2,
                                    config_properties_exclude=["max\\.message\\.bytes"],
                                    producer={"compression.type": "none"}, **flow_keys)],
                              extra=extra)
        return m, name, topic, target_topic, large

    def after(self, topic):
        """Small records after the large ones, to both partitions."""
        self.kt.run("produce", "--bootstrap", self.bootstraps[SRC], "--topic", topic, "--count", 40,
                    "--start-index", 101, "--value-size", 100, "--large-every", 0, "--run-id", self.rid)

    def test_fail_stalls_the_partition_and_the_others_go_on(self):
        m, name, topic, target_topic, large = self.prepare(
            "r2f", unreplicable_records="fail", extra={"http": {"admin_token": ADMIN_TOKEN}})
        # Index 10 is the first large record: partition 0, its 5th record (indexes 2, 4, 6, 8, 10).
        f = self.wait_flow(m, name, lambda f: f.get("state") == "stalled", 120, "state stalled")
        self.assertEqual(f["stalled"][0]["topic"], topic, f)
        self.assertEqual(f["stalled"][0]["partition"], 0, f)
        self.assertEqual(f["stalled"][0]["offset"], 4, f)
        self.assertIn("Message size too large", f["stalled"][0]["reason"], f)
        self.assertIn("stalled at offset 4", f.get("last_error", ""), f)
        status, body = m.get("/readyz")
        self.assertEqual(status, 503)
        self.assertIn("%s: stalled" % name, body)
        # Records after it that were in flight with it may be on the target (at least once); from
        # now on nothing more arrives there, and the commit stays at the stalled record.
        time.sleep(2)
        stalled_count = self.per_partition(TGT, target_topic).get(0)
        self.after(topic)
        source = self.per_partition(SRC, topic)
        wait_until(lambda: self.per_partition(TGT, target_topic).get(1) == source[1], 120,
                   "partition 1 replicated to the end while partition 0 is stalled")
        time.sleep(3)
        target = self.per_partition(TGT, target_topic)
        self.assertEqual(target.get(0), stalled_count, "nothing more on partition 0 after the stall: %s" % target)
        offsets = self.kt.run("group-offsets", "--bootstrap", self.bootstraps[SRC], "--group", "mirror-" + name,
                              "--topic", topic).json["offsets"]
        self.assertEqual(offsets.get("0"), 4, "committed up to the stalled record, never past it: %s" % offsets)
        self.assertEqual(offsets.get("1"), source[1], offsets)
        f = m.flow(name)
        self.assertEqual(f["state"], "stalled", f)
        self.assertEqual(len(f["stalled"]), 1, f)
        self.assertEqual(m.metrics().value("mirror_errors_total", 0, flow=name, kind="unreplicable"), 1)
        self.assertEqual(f.get("restarts", 0), 0, "no session restart loop: %s" % f)

        # The target fixed, a resume starts a new session: the stalled partition goes on.
        self.kt.run("alter-topic-config", "--bootstrap", self.bootstraps[TGT], "--topic", target_topic,
                    "--set", "max.message.bytes=%d" % SOURCE_LIMIT)
        req = urllib.request.Request(m.base_url + "/flows/%s/resume" % name, method="POST", data=b"",
                                     headers={"Authorization": "Bearer " + ADMIN_TOKEN})
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertEqual(r.status, 200)
        self.assert_replicated(SRC, topic, TGT, target_topic, timeout=120)
        f = self.wait_flow(m, name, lambda f: f.get("state") == "running", 60, "state running after resume")
        self.assertNotIn("stalled", f)
        self.assertEqual(f.get("restarts"), 1, f)

    def test_skip_counts_and_goes_on(self):
        m, name, topic, target_topic, large = self.prepare("r2s", unreplicable_records="skip")
        wait_until(lambda: m.metrics().value("mirror_records_skipped_total", 0, flow=name, topic=topic,
                                             reason="too_large") == len(large), 120,
                   "%d records counted in records_skipped_total" % len(large))
        self.after(topic)
        res = self.kt.check(self.bootstraps[SRC], topic, self.bootstraps[TGT], target_topic, wait_seconds=60,
                            expect_missing=len(large))
        self.assertEqual(res["missing"], len(large), res["report"][-3000:])
        self.assertEqual(res["mismatched"], 0, res["report"][-3000:])
        self.assertEqual(res["unexpected"], 0, res["report"][-3000:])
        self.assertEqual(m.flow(name)["state"], "running")
        self.assertEqual(m.metrics().value("mirror_records_skipped_total", 0, flow=name), len(large))

    def test_dead_letter_holds_the_records_metadata(self):
        dlq = "dlq-%s" % self.rid
        m, name, topic, target_topic, large = self.prepare("r2d", unreplicable_records="dead_letter",
                                                           dead_letter_topic=dlq)
        wait_until(lambda: m.metrics().value("mirror_records_dead_lettered_total", 0, flow=name, topic=topic,
                                             reason="too_large") == len(large), 120,
                   "%d records counted in records_dead_lettered_total" % len(large))
        self.after(topic)
        res = self.kt.check(self.bootstraps[SRC], topic, self.bootstraps[TGT], target_topic, wait_seconds=60,
                            expect_missing=len(large))
        self.assertEqual(res["missing"], len(large), res["report"][-3000:])
        self.assertEqual(res["mismatched"] + res["unexpected"], 0, res["report"][-3000:])
        dump = self.kt.run("dump", "--bootstrap", self.bootstraps[TGT], "--topic", dlq).json
        letters = dump["records"]
        self.assertEqual(len(letters), len(large), dump)
        # Partition p's offsets of the large indexes: index i is partition i % 2, offset i // 2 - 1
        # (the indexes start at 1; partition 0 holds 2, 4, ...).
        want = sorted((i % 2, (i - 1) // 2 if i % 2 else i // 2 - 1) for i in large)
        have = sorted((int(r["headers"]["mirror.source.partition"]), int(r["headers"]["mirror.source.offset"]))
                      for r in letters)
        self.assertEqual(have, want, letters)
        for r in letters:
            self.assertEqual(r["headers"]["mirror.source.topic"], topic, r)
            self.assertIn("Message size too large", r["headers"]["mirror.error"], r)
            self.assertLessEqual(r["value_size"], 0, "metadata only: the dead-letter topic refuses the value")
        self.assertTrue(any("h-a" in r["headers"] for r in letters), "the source records' own headers stay")
        self.assertEqual(m.flow(name)["state"], "running")


if __name__ == "__main__":
    unittest.main()
