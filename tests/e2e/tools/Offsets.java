package e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumer-group commands for the MM2-compatibility scenarios:
 *
 * <ul>
 *   <li>group-commit: a group consumes exactly N records per partition (from its committed offset,
 *       or the beginning) and commits them, then leaves (no member stays);</li>
 *   <li>group-offsets: a group's committed offsets, state and member count;</li>
 *   <li>read-from: where a failed-over consumer starts on the target (given offsets, or the
 *       group's committed offsets through a real subscribed consumer of that group) and what it
 *       reads to the end, judged against the source: every record the group had not consumed on
 *       the source must be read (missing = 0); records it had consumed and reads again are
 *       counted as re-reads; records from neither as foreign.</li>
 * </ul>
 */
final class Offsets {
  /** "0:12,1:40" -> {0: 12, 1: 40}. */
  static Map<Integer, Long> partitionMap(String s) {
    Map<Integer, Long> m = new TreeMap<>();
    if (s == null || s.isBlank()) return m;
    for (String kv : s.split(",")) {
      String[] x = kv.trim().split(":");
      if (x.length != 2) throw new Kt.UsageError("want P:N,..., got " + s);
      m.put(Integer.parseInt(x[0].trim()), Long.parseLong(x[1].trim()));
    }
    return m;
  }

  /** The group's committed offsets for topic, by partition (absent partitions have none). */
  static Map<Integer, Long> committed(Properties client, String group, String topic) throws Exception {
    Map<Integer, Long> out = new TreeMap<>();
    try (Admin admin = Topics.admin(client)) {
      Map<TopicPartition, OffsetAndMetadata> m =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      for (Map.Entry<TopicPartition, OffsetAndMetadata> e : m.entrySet()) {
        if (e.getValue() != null && (topic == null || e.getKey().topic().equals(topic))) {
          out.put(e.getKey().partition(), e.getValue().offset());
        }
      }
    }
    return out;
  }

  // kt group-commit --bootstrap B --topic T --group G (--per-partition N | --counts P:N,...)
  static int groupCommit(Kt.Args a) throws Exception {
    String topic = a.str("topic");
    String group = a.str("group");
    long timeoutMs = a.num("timeout", 60) * 1000;
    int n = Topics.partitionCount(a.client(""), topic);
    if (n <= 0) throw new Kt.UsageError("topic " + topic + " does not exist");
    Map<Integer, Long> want = new TreeMap<>();
    if (a.has("counts")) {
      want.putAll(partitionMap(a.str("counts")));
    } else {
      long per = a.num("per-partition", -1);
      if (per < 0) throw new Kt.UsageError("--per-partition N or --counts P:N,... is required");
      for (int p = 0; p < n; p++) want.put(p, per);
    }
    Properties p = Topics.consumerProps(a.client(""));
    p.put("group.id", group);
    p.put("max.poll.records", "200");
    Map<Integer, Long> start = new TreeMap<>();
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int part : want.keySet()) tps.add(new TopicPartition(topic, part));
      c.assign(tps);  // no subscription: the group never has a member, only committed offsets
      Map<TopicPartition, OffsetAndMetadata> before = c.committed(new HashSet<>(tps), Duration.ofSeconds(30));
      Map<TopicPartition, Long> begin = c.beginningOffsets(tps, Duration.ofSeconds(30));
      Map<TopicPartition, Long> left = new HashMap<>();
      List<TopicPartition> open = new ArrayList<>();
      for (TopicPartition tp : tps) {
        OffsetAndMetadata om = before.get(tp);
        long pos = om != null ? om.offset() : begin.get(tp);
        c.seek(tp, pos);
        start.put(tp.partition(), pos);
        long w = want.get(tp.partition());
        left.put(tp, w);
        if (w > 0) open.add(tp); else commit.put(tp, new OffsetAndMetadata(pos));
      }
      c.pause(tps);
      c.resume(open);
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (!open.isEmpty()) {
        if (System.currentTimeMillis() > deadline) {
          System.err.println("group-commit: not enough records within " + timeoutMs / 1000 + " s; still want " + left);
          return 1;
        }
        ConsumerRecords<byte[], byte[]> recs = c.poll(Duration.ofMillis(500));
        for (ConsumerRecord<byte[], byte[]> r : recs) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          long l = left.get(tp);
          if (l <= 0) continue;  // fetched beyond what this partition should consume
          left.put(tp, l - 1);
          if (l == 1) {
            commit.put(tp, new OffsetAndMetadata(r.offset() + 1));
            open.remove(tp);
            c.pause(List.of(tp));
          }
        }
      }
      c.commitSync(commit, Duration.ofSeconds(30));
    }
    Map<String, Object> committed = new TreeMap<>();
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : commit.entrySet()) {
      committed.put(Integer.toString(e.getKey().partition()), e.getValue().offset());
      System.out.println("group-commit: " + group + " " + e.getKey() + " " + start.get(e.getKey().partition())
          + " -> " + e.getValue().offset());
    }
    Map<String, Object> st = new TreeMap<>();
    for (Map.Entry<Integer, Long> e : start.entrySet()) st.put(Integer.toString(e.getKey()), e.getValue());
    System.out.println(Kt.json(Kt.obj("group", group, "topic", topic, "start", st, "committed", committed)));
    return 0;
  }

  // kt group-offsets --bootstrap B --group G [--topic T]
  static int groupOffsets(Kt.Args a) throws Exception {
    String group = a.str("group");
    String topic = a.str("topic", null);
    Properties client = a.client("");
    Map<Integer, Long> offs;
    Map<String, Object> all = new TreeMap<>();
    String state;
    int members;
    try (Admin admin = Topics.admin(client)) {
      Map<TopicPartition, OffsetAndMetadata> m =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      for (Map.Entry<TopicPartition, OffsetAndMetadata> e : m.entrySet()) {
        if (e.getValue() != null) all.put(e.getKey().toString(), e.getValue().offset());
      }
      try {
        ConsumerGroupDescription d =
            admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(30, TimeUnit.SECONDS);
        state = String.valueOf(d.groupState());
        members = d.members().size();
      } catch (java.util.concurrent.ExecutionException e) {
        // Kafka 4 answers GROUP_ID_NOT_FOUND for a group nobody has used
        state = "none (" + e.getCause().getClass().getSimpleName() + ")";
        members = 0;
      }
    }
    offs = committed(client, group, topic);
    Map<String, Object> o = new TreeMap<>();
    for (Map.Entry<Integer, Long> e : offs.entrySet()) o.put(Integer.toString(e.getKey()), e.getValue());
    System.out.println("group-offsets: " + group + " state " + state + ", " + members + " members, offsets " + all);
    System.out.println(Kt.json(Kt.obj("group", group, "state", state, "members", members, "offsets", o,
        "all_offsets", all)));
    return 0;
  }

  // kt list-groups --bootstrap B
  static int listGroups(Kt.Args a) throws Exception {
    List<String> names = new ArrayList<>();
    try (Admin admin = Topics.admin(a.client(""))) {
      Collection<ConsumerGroupListing> l = admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS);
      for (ConsumerGroupListing g : l) names.add(g.groupId());
    }
    names.sort(null);
    for (String g : names) System.out.println(g);
    System.out.println(Kt.json(names));
    return 0;
  }

  // kt read-from --source-bootstrap S --source-topic T (--source-group G | --consumed P:O,...)
  //              --target-bootstrap B --target-topic T2 (--offsets P:O,... | --target-group G2)
  static int readFrom(Kt.Args a) throws Exception {
    String st = a.str("source-topic");
    String tt = a.str("target-topic");
    Properties sp = a.client("source-");
    Properties tp = a.client("target-");
    long readTimeout = a.num("read-timeout", 60) * 1000;

    Map<Integer, Long> boundary = a.has("consumed") ? partitionMap(a.str("consumed"))
                                                    : committed(sp, a.str("source-group"), st);
    List<List<Check.Rec>> src = Check.read(sp, st, readTimeout);
    if (src.isEmpty()) throw new Kt.UsageError("source topic " + st + " does not exist");
    int n = Topics.partitionCount(tp, tt);
    if (n <= 0) throw new Kt.UsageError("target topic " + tt + " does not exist");

    Map<Integer, List<Check.Rec>> read = new TreeMap<>();
    Map<Integer, Long> startAt = new TreeMap<>();
    for (int p = 0; p < n; p++) read.put(p, new ArrayList<>());
    String error = null;
    if (a.has("offsets")) {
      Map<Integer, Long> offs = partitionMap(a.str("offsets"));
      startAt.putAll(offs);
      readRange(tp, tt, offs, readTimeout, r -> read.get(r.partition()).add(new Check.Rec(r)));
    } else {
      error = readAsGroup(tp, tt, n, a.str("target-group"), readTimeout, startAt,
          r -> read.get(r.partition()).add(new Check.Rec(r)));
    }

    long missing = 0, rereads = 0, foreign = 0, duplicates = 0, unconsumed = 0, total = 0;
    List<Object> parts = new ArrayList<>();
    List<String> examples = new ArrayList<>();
    for (int p = 0; p < Math.max(src.size(), n); p++) {
      List<Check.Rec> s = p < src.size() ? src.get(p) : List.of();
      long b = boundary.getOrDefault(p, s.isEmpty() ? 0 : s.get(0).offset);
      Map<String, Integer> idx = new HashMap<>();
      for (int i = 0; i < s.size(); i++) idx.putIfAbsent(s.get(i).id, i);
      boolean[] seen = new boolean[s.size()];
      long pm = 0, pr = 0, pf = 0, pd = 0, pu = 0;
      List<Check.Rec> got = read.getOrDefault(p, List.of());
      for (Check.Rec r : got) {
        Integer i = idx.get(r.id);
        if (i == null) {
          pf++;
        } else if (s.get(i).offset < b) {
          pr++;
        } else if (seen[i]) {
          pd++;
        } else {
          seen[i] = true;
        }
      }
      for (int i = 0; i < s.size(); i++) {
        if (s.get(i).offset < b) continue;
        pu++;
        if (!seen[i]) {
          pm++;
          if (examples.size() < 10) examples.add("partition " + p + " missing: source " + s.get(i).shown);
        }
      }
      missing += pm;
      rereads += pr;
      foreign += pf;
      duplicates += pd;
      unconsumed += pu;
      total += got.size();
      System.out.println(String.format("read-from: partition %d: source group offset %d, %d not consumed; target start %s,"
          + " read %d: missing %d, re-read %d, foreign %d, duplicates %d", p, b, pu, startAt.get(p), got.size(), pm, pr,
          pf, pd));
      parts.add(Kt.obj("partition", p, "source_offset", b, "unconsumed", pu, "target_start", startAt.get(p),
          "read", (long) got.size(), "missing", pm, "rereads", pr, "foreign", pf, "duplicates", pd));
    }
    for (String e : examples) System.out.println("  " + e);
    if (error != null) System.out.println("read-from: " + error);
    Map<String, Object> starts = new TreeMap<>();
    for (Map.Entry<Integer, Long> e : startAt.entrySet()) starts.put(Integer.toString(e.getKey()), e.getValue());
    boolean ok = error == null && missing == 0;
    System.out.println(Kt.json(Kt.obj("ok", ok, "error", error, "missing", missing, "rereads", rereads,
        "foreign", foreign, "duplicates", duplicates, "unconsumed", unconsumed, "read", total,
        "target_start", starts, "partitions", parts)));
    return ok ? 0 : 1;
  }

  /** Reads each partition from the given offset to the end offset taken at the start. */
  static void readRange(Properties base, String topic, Map<Integer, Long> from, long timeoutMs,
                        java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> sink) throws Exception {
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Topics.consumerProps(base))) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p : from.keySet()) tps.add(new TopicPartition(topic, p));
      c.assign(tps);
      for (TopicPartition tp : tps) c.seek(tp, from.get(tp.partition()));
      drain(c, tps, c.endOffsets(tps, Duration.ofSeconds(30)), timeoutMs, sink);
    }
  }

  /**
   * A consumer of group on the target, subscribed to topic: it starts where the group's committed
   * offsets say (auto.offset.reset=none: a partition without one is an error, not a silent
   * reset), reads to the end offsets taken once it has its assignment, and commits nothing.
   * Returns null or what went wrong.
   */
  static String readAsGroup(Properties base, String topic, int n, String group, long timeoutMs,
                            Map<Integer, Long> startAt,
                            java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> sink) throws Exception {
    Properties p = Topics.consumerProps(base);
    p.put("group.id", group);
    p.put("auto.offset.reset", "none");
    Set<TopicPartition> assigned = new HashSet<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
        public void onPartitionsRevoked(Collection<TopicPartition> parts) { assigned.removeAll(parts); }
        public void onPartitionsAssigned(Collection<TopicPartition> parts) { assigned.addAll(parts); }
      });
      long deadline = System.currentTimeMillis() + timeoutMs;
      List<ConsumerRecord<byte[], byte[]>> early = new ArrayList<>();
      while (assigned.size() < n) {
        if (System.currentTimeMillis() > deadline) return "group " + group + " got only " + assigned + " assigned";
        try {
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) early.add(r);
        } catch (org.apache.kafka.clients.consumer.NoOffsetForPartitionException e) {
          return "group " + group + " has no committed offset on the target for " + e.partitions();
        }
      }
      List<TopicPartition> tps = new ArrayList<>(assigned);
      Map<TopicPartition, OffsetAndMetadata> com = c.committed(new HashSet<>(tps), Duration.ofSeconds(30));
      for (TopicPartition tp : tps) {
        OffsetAndMetadata om = com.get(tp);
        if (om == null) return "group " + group + " has no committed offset on the target for " + tp;
        startAt.put(tp.partition(), om.offset());
      }
      Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
      for (ConsumerRecord<byte[], byte[]> r : early) {
        if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) sink.accept(r);
      }
      try {
        drain(c, tps, end, timeoutMs, sink);
      } catch (org.apache.kafka.clients.consumer.NoOffsetForPartitionException e) {
        return "group " + group + " has no committed offset on the target for " + e.partitions();
      }
    }
    return null;
  }

  private static void drain(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> tps, Map<TopicPartition, Long> end,
                            long timeoutMs, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> sink) {
    List<TopicPartition> open = new ArrayList<>();
    for (TopicPartition tp : tps) if (c.position(tp, Duration.ofSeconds(30)) < end.get(tp)) open.add(tp);
    long lastProgress = System.currentTimeMillis();
    while (!open.isEmpty()) {
      ConsumerRecords<byte[], byte[]> recs = c.poll(Duration.ofMillis(500));
      for (ConsumerRecord<byte[], byte[]> r : recs) {
        if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) sink.accept(r);
      }
      if (!recs.isEmpty()) lastProgress = System.currentTimeMillis();
      List<TopicPartition> done = new ArrayList<>();
      for (TopicPartition tp : open) if (c.position(tp, Duration.ofSeconds(30)) >= end.get(tp)) done.add(tp);
      open.removeAll(done);
      if (System.currentTimeMillis() - lastProgress > timeoutMs) {
        throw new IllegalStateException("no progress for " + timeoutMs / 1000 + " s; still open: " + open);
      }
    }
  }

  private Offsets() {}
}
