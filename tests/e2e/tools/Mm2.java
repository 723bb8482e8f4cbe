package e2e;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.types.Struct;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.mirror.Checkpoint;
import org.apache.kafka.connect.mirror.Heartbeat;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;

/**
 * The mm2-* commands: MirrorMaker 2's own client library (connect-mirror-client, the jar MM2 users
 * call for failover) asked about a cluster mirror writes to. Nothing here knows mirror's code: if
 * MM2's library reads what mirror wrote the way it reads what MM2 writes, mirror is compatible.
 *
 * <ul>
 *   <li>mm2-translate: RemoteClusterUtils.translateOffsets (the group's checkpointed offsets on the
 *       target, read from {@code <alias>.checkpoints.internal});</li>
 *   <li>mm2-client: heartbeatTopics, checkpointTopics, upstreamClusters, replicationHops;</li>
 *   <li>mm2-heartbeats / mm2-checkpoints: every record of a heartbeats / checkpoints topic decoded
 *       with Heartbeat.deserializeRecord / Checkpoint.deserializeRecord;</li>
 *   <li>mm2-emit-heartbeat: writes heartbeat records in MM2's format (as an upstream MM2 would),
 *       built from the library's public schemas and checked with its own decoder first.</li>
 * </ul>
 */
final class Mm2 {
  /** MM2 client properties (bootstrap.servers plus --property k=v) as RemoteClusterUtils wants them. */
  static Map<String, Object> props(Kt.Args a) {
    Map<String, Object> m = new HashMap<>();
    for (Map.Entry<Object, Object> e : a.client("").entrySet()) m.put((String) e.getKey(), e.getValue());
    return m;
  }

  // kt mm2-translate --bootstrap B --source-alias A --group G [--timeout S]
  static int translate(Kt.Args a) throws Exception {
    String alias = a.str("source-alias");
    String group = a.str("group");
    Duration timeout = Duration.ofSeconds(a.num("timeout", 30));
    // Without the checkpoint topic the library would wait for its end offset until the consumer's API
    // timeout; no topic means no checkpoint, so say so at once.
    String cpTopic = alias + ".checkpoints.internal";
    boolean exists;
    try (var admin = Topics.admin(a.client(""))) {
      exists = Topics.describe(admin, cpTopic) != null;
    }
    if (!exists) {
      System.out.println("translate: no " + cpTopic + " on this cluster");
      System.out.println(Kt.json(Kt.obj("group", group, "source_alias", alias, "checkpoint_topic_exists", false,
          "offsets", List.of())));
      return 0;
    }
    Map<TopicPartition, OffsetAndMetadata> m = RemoteClusterUtils.translateOffsets(props(a), alias, group, timeout);
    List<Object> out = new ArrayList<>();
    List<TopicPartition> tps = new ArrayList<>(m.keySet());
    tps.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    for (TopicPartition tp : tps) {
      System.out.println("translate: " + group + " " + tp + " -> " + m.get(tp).offset());
      out.add(Kt.obj("topic", tp.topic(), "partition", tp.partition(), "offset", m.get(tp).offset(),
          "metadata", m.get(tp).metadata()));
    }
    System.out.println(Kt.json(Kt.obj("group", group, "source_alias", alias, "checkpoint_topic_exists", true,
        "offsets", out)));
    return 0;
  }

  // kt mm2-client --bootstrap B [--hops-for ALIAS]...
  static int client(Kt.Args a) throws Exception {
    Map<String, Object> p = props(a);
    TreeSet<String> hb = new TreeSet<>(RemoteClusterUtils.heartbeatTopics(p));
    TreeSet<String> cp = new TreeSet<>(RemoteClusterUtils.checkpointTopics(p));
    TreeSet<String> up = new TreeSet<>(RemoteClusterUtils.upstreamClusters(p));
    TreeSet<String> ask = new TreeSet<>(up);
    ask.addAll(a.all("hops-for"));
    Map<String, Object> hops = new TreeMap<>();
    for (String alias : ask) hops.put(alias, RemoteClusterUtils.replicationHops(p, alias));
    System.out.println("mm2-client: heartbeat topics " + hb + ", checkpoint topics " + cp
        + ", upstream clusters " + up + ", replication hops " + hops);
    System.out.println(Kt.json(Kt.obj("heartbeat_topics", hb, "checkpoint_topics", cp,
        "upstream_clusters", up, "replication_hops", hops)));
    return 0;
  }

  private static List<ConsumerRecord<byte[], byte[]>> readTopic(Properties p, String topic, long timeoutMs)
      throws Exception {
    List<ConsumerRecord<byte[], byte[]>> recs = new ArrayList<>();
    int n = Topics.partitionCount(p, topic);
    if (n > 0) Topics.readAll(p, topic, n, timeoutMs, recs::add);
    return n > 0 ? recs : null;
  }

  // kt mm2-heartbeats --bootstrap B [--topic heartbeats] [--since MS]
  // Per (source alias, target alias): count, first/last heartbeat timestamp, whether timestamps never
  // go back in offset order (per partition), the last few. Undecodable records are counted.
  static int heartbeats(Kt.Args a) throws Exception {
    String topic = a.str("topic", "heartbeats");
    long since = a.num("since", 0);
    List<ConsumerRecord<byte[], byte[]>> recs = readTopic(a.client(""), topic, a.num("read-timeout", 60) * 1000);
    if (recs == null) {
      System.out.println(Kt.json(Kt.obj("topic", topic, "exists", false)));
      return 1;
    }
    Map<String, Map<String, Object>> pairs = new TreeMap<>();
    Map<String, Long> lastTs = new HashMap<>();
    long undecodable = 0;
    List<String> bad = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : recs) {
      Heartbeat h;
      try {
        h = Heartbeat.deserializeRecord(r);
      } catch (RuntimeException e) {
        undecodable++;
        if (bad.size() < 5) bad.add(r.partition() + ":" + r.offset() + " " + e);
        continue;
      }
      if (h.timestamp() < since) continue;
      String key = h.sourceClusterAlias() + "->" + h.targetClusterAlias();
      Map<String, Object> s = pairs.computeIfAbsent(key, k -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", h.sourceClusterAlias());
        m.put("target", h.targetClusterAlias());
        m.put("count", 0L);
        m.put("first_timestamp", h.timestamp());
        m.put("last_timestamp", h.timestamp());
        m.put("monotonic", true);
        m.put("tail", new ArrayList<Long>());
        return m;
      });
      s.put("count", (Long) s.get("count") + 1);
      s.put("first_timestamp", Math.min((Long) s.get("first_timestamp"), h.timestamp()));
      s.put("last_timestamp", Math.max((Long) s.get("last_timestamp"), h.timestamp()));
      String pk = key + "#" + r.partition();
      Long prev = lastTs.put(pk, h.timestamp());
      if (prev != null && h.timestamp() < prev) s.put("monotonic", false);
      @SuppressWarnings("unchecked")
      List<Long> tail = (List<Long>) s.get("tail");
      tail.add(h.timestamp());
      if (tail.size() > 5) tail.remove(0);
    }
    for (Map<String, Object> s : pairs.values()) {
      System.out.println("mm2-heartbeats: " + s.get("source") + " -> " + s.get("target") + ": " + s.get("count")
          + " heartbeats, timestamps " + s.get("first_timestamp") + ".." + s.get("last_timestamp"));
    }
    for (String b : bad) System.out.println("mm2-heartbeats: undecodable record " + b);
    System.out.println(Kt.json(Kt.obj("topic", topic, "exists", true, "records", (long) recs.size(),
        "undecodable", undecodable, "undecodable_examples", bad, "pairs", new ArrayList<>(pairs.values()))));
    return 0;
  }

  // kt mm2-checkpoints --bootstrap B --topic T [--group G]... [--history]
  // Every record decoded; per group the number of records and the latest checkpoint per partition;
  // with --history, every checkpoint record of the selected groups in log order too.
  static int checkpoints(Kt.Args a) throws Exception {
    String topic = a.str("topic");
    List<String> only = a.all("group");
    List<ConsumerRecord<byte[], byte[]>> recs = readTopic(a.client(""), topic, a.num("read-timeout", 60) * 1000);
    if (recs == null) {
      System.out.println(Kt.json(Kt.obj("topic", topic, "exists", false)));
      return 1;
    }
    Map<String, Long> perGroup = new TreeMap<>();
    Map<String, Map<String, Object>> latest = new TreeMap<>();
    boolean withHistory = a.flag("history");
    List<Object> history = new ArrayList<>();  // every checkpoint of the selected groups, in log order
    long undecodable = 0;
    List<String> bad = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : recs) {
      Checkpoint c;
      try {
        c = Checkpoint.deserializeRecord(r);
      } catch (RuntimeException e) {
        undecodable++;
        if (bad.size() < 5) bad.add(r.partition() + ":" + r.offset() + " " + e);
        continue;
      }
      perGroup.merge(c.consumerGroupId(), 1L, Long::sum);
      if (!only.isEmpty() && !only.contains(c.consumerGroupId())) continue;
      if (withHistory) {
        history.add(Kt.obj("group", c.consumerGroupId(), "topic", c.topicPartition().topic(),
            "partition", c.topicPartition().partition(), "upstream_offset", c.upstreamOffset(),
            "downstream_offset", c.downstreamOffset(), "record_offset", r.offset()));
      }
      latest.put(c.consumerGroupId() + "|" + c.topicPartition(), Kt.obj("group", c.consumerGroupId(),
          "topic", c.topicPartition().topic(), "partition", c.topicPartition().partition(),
          "upstream_offset", c.upstreamOffset(), "downstream_offset", c.downstreamOffset(),
          "metadata", c.metadata(), "record_partition", r.partition(), "record_offset", r.offset(),
          "record_timestamp", r.timestamp()));
    }
    for (Map<String, Object> c : latest.values()) {
      System.out.println("mm2-checkpoints: " + c.get("group") + " " + c.get("topic") + "-" + c.get("partition")
          + " upstream " + c.get("upstream_offset") + " -> downstream " + c.get("downstream_offset"));
    }
    for (String b : bad) System.out.println("mm2-checkpoints: undecodable record " + b);
    System.out.println(Kt.json(Kt.obj("topic", topic, "exists", true, "records", (long) recs.size(),
        "undecodable", undecodable, "undecodable_examples", bad, "records_per_group", perGroup,
        "latest", new ArrayList<>(latest.values()), "history", history)));
    return 0;
  }

  // kt mm2-emit-heartbeat --bootstrap B --source-alias S --target-alias T [--topic heartbeats] [--count N]
  static int emitHeartbeat(Kt.Args a) throws Exception {
    String topic = a.str("topic", "heartbeats");
    String src = a.str("source-alias");
    String dst = a.str("target-alias");
    long count = a.num("count", 1);
    Properties p = a.client("");
    p.put("acks", "all");
    p.put("key.serializer", ByteArraySerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    List<Object> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (long i = 0; i < count; i++) {
        long ts = System.currentTimeMillis();
        byte[] key = heartbeatKey(src, dst);
        byte[] value = heartbeatValue(ts);
        // The library's own decoder must read it back, or this is not MM2's format.
        Heartbeat back = Heartbeat.deserializeRecord(new ConsumerRecord<>(topic, 0, 0L, key, value));
        if (!back.sourceClusterAlias().equals(src) || !back.targetClusterAlias().equals(dst) || back.timestamp() != ts) {
          throw new IllegalStateException("encoded heartbeat decodes as " + back);
        }
        var md = producer.send(new ProducerRecord<>(topic, null, ts, key, value)).get();
        sent.add(Kt.obj("partition", md.partition(), "offset", md.offset(), "timestamp", ts));
        if (i + 1 < count) Thread.sleep(100);
      }
    }
    System.out.println("mm2-emit-heartbeat: " + count + " heartbeat(s) " + src + " -> " + dst + " into " + topic);
    System.out.println(Kt.json(Kt.obj("topic", topic, "source", src, "target", dst, "sent", sent)));
    return 0;
  }

  /** Key {sourceClusterAlias, targetClusterAlias} in Heartbeat.KEY_SCHEMA. */
  static byte[] heartbeatKey(String src, String dst) {
    Struct k = new Struct(Heartbeat.KEY_SCHEMA);
    k.set(Heartbeat.SOURCE_CLUSTER_ALIAS_KEY, src);
    k.set(Heartbeat.TARGET_CLUSTER_ALIAS_KEY, dst);
    ByteBuffer b = ByteBuffer.allocate(Heartbeat.KEY_SCHEMA.sizeOf(k));
    Heartbeat.KEY_SCHEMA.write(b, k);
    return b.array();
  }

  /** Value: HEADER_SCHEMA {version} followed by VALUE_SCHEMA_V0 {timestamp}. */
  static byte[] heartbeatValue(long ts) {
    Struct h = new Struct(Heartbeat.HEADER_SCHEMA);
    h.set(Heartbeat.VERSION_KEY, Heartbeat.VERSION);
    Struct v = new Struct(Heartbeat.VALUE_SCHEMA_V0);
    v.set(Heartbeat.TIMESTAMP_KEY, ts);
    ByteBuffer b = ByteBuffer.allocate(Heartbeat.HEADER_SCHEMA.sizeOf(h) + Heartbeat.VALUE_SCHEMA_V0.sizeOf(v));
    Heartbeat.HEADER_SCHEMA.write(b, h);
    Heartbeat.VALUE_SCHEMA_V0.write(b, v);
    return b.array();
  }

  private Mm2() {}
}
