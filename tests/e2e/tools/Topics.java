package e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Topic and cluster commands, and reading a whole topic (used by check and copy). */
final class Topics {
  static Admin admin(Properties p) {
    Properties q = new Properties();
    q.putAll(p);
    q.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
    q.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    return Admin.create(q);
  }

  /** Partition count of a topic, 0 when it does not exist. */
  static int partitionCount(Properties p, String topic) throws Exception {
    try (Admin admin = admin(p)) {
      TopicDescription d = describe(admin, topic);
      return d == null ? 0 : d.partitions().size();
    }
  }

  static TopicDescription describe(Admin admin, String topic) throws Exception {
    // Asking describeTopics about a missing topic can retry until the API timeout; list first.
    if (!admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(30, TimeUnit.SECONDS)
            .contains(topic)) {
      return null;
    }
    try {
      return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) return null;
      throw e;
    }
  }

  static Map<Integer, String> racks(Admin admin) throws Exception {
    Map<Integer, String> racks = new TreeMap<>();
    for (Node n : admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)) racks.put(n.id(), n.rack());
    return racks;
  }

  static List<Integer> ids(List<Node> nodes) {
    List<Integer> l = new ArrayList<>();
    for (Node n : nodes) l.add(n.id());
    return l;
  }

  static Map<String, Object> describeJson(TopicDescription d, Map<Integer, String> racks) {
    List<Object> parts = new ArrayList<>();
    for (TopicPartitionInfo pi : d.partitions()) {
      List<String> rr = new ArrayList<>();
      for (Node n : pi.replicas()) rr.add(racks.get(n.id()));
      Integer leader = pi.leader() == null || pi.leader().isEmpty() ? null : pi.leader().id();
      parts.add(Kt.obj("partition", pi.partition(), "leader", leader,
          "leader_rack", leader == null ? null : racks.get(leader),
          "replicas", ids(pi.replicas()), "replica_racks", rr, "isr", ids(pi.isr())));
    }
    return Kt.obj("topic", d.name(), "partitions", parts);
  }

  static void printDescribe(TopicDescription d, Map<Integer, String> racks) {
    for (TopicPartitionInfo pi : d.partitions()) {
      Integer leader = pi.leader() == null || pi.leader().isEmpty() ? null : pi.leader().id();
      System.out.println(String.format("%s[%d] leader %s (%s) replicas %s isr %s", d.name(),
          pi.partition(), leader, leader == null ? "-" : racks.get(leader), ids(pi.replicas()),
          ids(pi.isr())));
    }
  }

  // kt create-topic (--topic may name several, comma-separated: created alike in one request)
  static int create(Kt.Args a) throws Exception {
    List<String> topics = List.of(a.str("topic").split(","));
    int partitions = (int) a.num("partitions", 3);
    short rf = (short) a.num("replication-factor", 3);
    long timeoutMs = a.num("timeout", 60) * 1000;
    Map<String, String> configs = new HashMap<>();
    for (String kv : a.all("config")) {
      int eq = kv.indexOf('=');
      if (eq <= 0) throw new Kt.UsageError("--config wants k=v, got " + kv);
      configs.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    try (Admin admin = admin(a.client(""))) {
      Map<Integer, String> racks = racks(admin);
      Map<Integer, List<Integer>> assignment = null;
      if (a.has("assignment")) {
        assignment = new LinkedHashMap<>();
        String[] ps = a.str("assignment").split(";");
        for (int i = 0; i < ps.length; i++) {
          List<Integer> r = new ArrayList<>();
          for (String s : ps[i].split(",")) r.add(Integer.parseInt(s.trim()));
          assignment.put(i, r);
        }
      } else if (a.has("avoid-leader-rack")) {
        assignment = avoidLeaderRack(racks, a.str("avoid-leader-rack"), partitions, rf);
      }
      List<NewTopic> nts = new ArrayList<>();
      for (String topic : topics) {
        NewTopic nt = assignment != null ? new NewTopic(topic, assignment)
                                         : new NewTopic(topic, partitions, rf);
        nt.configs(configs);
        nts.add(nt);
      }
      try {
        admin.createTopics(nts).all().get(60 + topics.size(), TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException && a.flag("if-not-exists"))) throw e;
      }
      // Wait until every partition has a leader and metadata agrees on the partition count.
      long deadline = System.currentTimeMillis() + timeoutMs;
      int want = assignment != null ? assignment.size() : partitions;
      for (String topic : topics) {
        TopicDescription d = null;
        while (true) {
          try {
            d = describe(admin, topic);
          } catch (ExecutionException e) {
            d = null;
          }
          if (d != null && d.partitions().size() >= want && d.partitions().stream().allMatch(
                  pi -> pi.leader() != null && !pi.leader().isEmpty() && pi.isr().size() == pi.replicas().size())) {
            break;
          }
          if (System.currentTimeMillis() > deadline) {
            System.err.println("create-topic: " + topic + " has no leader for every partition after "
                + timeoutMs / 1000 + " s");
            return 1;
          }
          Thread.sleep(200);
        }
        printDescribe(d, racks);
        System.out.println(Kt.json(describeJson(d, racks)));
      }
      return 0;
    }
  }

  /**
   * Replica lists whose first (preferred leader) replica is never in rack avoid, while a replica in
   * that rack is among the followers (when rf allows); leaders alternate over the other brokers.
   */
  static Map<Integer, List<Integer>> avoidLeaderRack(Map<Integer, String> racks, String avoid,
                                                     int partitions, int rf) {
    List<Integer> in = new ArrayList<>();
    List<Integer> out = new ArrayList<>();
    for (Map.Entry<Integer, String> e : racks.entrySet()) {
      (avoid.equals(e.getValue()) ? in : out).add(e.getKey());
    }
    if (out.isEmpty()) throw new Kt.UsageError("every broker is in rack " + avoid);
    if (rf > racks.size()) throw new Kt.UsageError("replication factor " + rf + " > " + racks.size() + " brokers");
    Map<Integer, List<Integer>> m = new LinkedHashMap<>();
    for (int p = 0; p < partitions; p++) {
      List<Integer> r = new ArrayList<>();
      r.add(out.get(p % out.size()));
      if (rf >= 2 && !in.isEmpty()) r.add(in.get(p % in.size()));
      for (int k = 1; r.size() < rf && k <= out.size(); k++) {
        int b = out.get((p + k) % out.size());
        if (!r.contains(b)) r.add(b);
      }
      for (int b : in) if (r.size() < rf && !r.contains(b)) r.add(b);
      m.put(p, r);
    }
    return m;
  }

  // kt describe
  static int describe(Kt.Args a) throws Exception {
    String topic = a.str("topic");
    try (Admin admin = admin(a.client(""))) {
      TopicDescription d = describe(admin, topic);
      if (d == null) {
        System.err.println("describe: topic " + topic + " does not exist");
        System.out.println(Kt.json(Kt.obj("topic", topic, "exists", false, "partitions", List.of())));
        return 1;
      }
      Map<Integer, String> racks = racks(admin);
      printDescribe(d, racks);
      Map<String, Object> j = describeJson(d, racks);
      j.put("exists", true);
      System.out.println(Kt.json(j));
      return 0;
    }
  }

  // kt delete-topic (--topic may name several, comma-separated)
  static int delete(Kt.Args a) throws Exception {
    try (Admin admin = admin(a.client(""))) {
      admin.deleteTopics(List.of(a.str("topic").split(","))).all().get(60, TimeUnit.SECONDS);
      System.out.println(Kt.json(Kt.obj("deleted", a.str("topic"))));
      return 0;
    }
  }

  // kt list-topics
  static int list(Kt.Args a) throws Exception {
    try (Admin admin = admin(a.client(""))) {
      TreeSet<String> names = new TreeSet<>(
          admin.listTopics(new ListTopicsOptions().listInternal(a.flag("internal"))).names().get(30, TimeUnit.SECONDS));
      for (String n : names) System.out.println(n);
      System.out.println(Kt.json(names));
      return 0;
    }
  }

  // kt cluster
  static int cluster(Kt.Args a) throws Exception {
    try (Admin admin = admin(a.client(""))) {
      List<Object> nodes = new ArrayList<>();
      for (Node n : admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)) {
        System.out.println("node " + n.id() + " " + n.host() + ":" + n.port() + " rack " + n.rack());
        nodes.add(Kt.obj("id", n.id(), "host", n.host(), "port", n.port(), "rack", n.rack()));
      }
      String cid = admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
      System.out.println(Kt.json(Kt.obj("cluster_id", cid, "nodes", nodes)));
      return 0;
    }
  }

  // kt totals: records (end minus beginning offsets) of several topics in one call; -1 for a topic
  // that does not exist.
  static int totals(Kt.Args a) throws Exception {
    Properties p = consumerProps(a.client(""));
    Map<String, Object> out = new LinkedHashMap<>();
    try (Admin admin = admin(a.client(""));
         KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      for (String topic : a.all("topic")) {
        TopicDescription d = describe(admin, topic);
        if (d == null) {
          out.put(topic, -1L);
          continue;
        }
        List<TopicPartition> tps = tps(topic, d.partitions().size());
        Map<TopicPartition, Long> begin = c.beginningOffsets(tps, Duration.ofSeconds(30));
        Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
        long total = 0;
        for (TopicPartition tp : tps) total += end.get(tp) - begin.get(tp);
        out.put(topic, total);
        System.out.println(topic + " " + total);
      }
    }
    System.out.println(Kt.json(Kt.obj("totals", out)));
    return 0;
  }

  // kt end-offsets
  static int endOffsets(Kt.Args a) throws Exception {
    String topic = a.str("topic");
    Properties p = consumerProps(a.client(""));
    int n = partitionCount(a.client(""), topic);
    Map<String, Object> out = new LinkedHashMap<>();
    long total = 0;
    if (n > 0) {
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
        List<TopicPartition> tps = tps(topic, n);
        Map<TopicPartition, Long> begin = c.beginningOffsets(tps, Duration.ofSeconds(30));
        Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
        for (TopicPartition tp : tps) {
          out.put(Integer.toString(tp.partition()), end.get(tp));
          total += end.get(tp) - begin.get(tp);
          System.out.println(topic + "[" + tp.partition() + "] " + begin.get(tp) + ".." + end.get(tp));
        }
      }
    }
    System.out.println(Kt.json(Kt.obj("topic", topic, "exists", n > 0, "end_offsets", out, "total", total)));
    return n > 0 ? 0 : 1;
  }

  // kt consume-count
  static int consumeCount(Kt.Args a) throws Exception {
    String topic = a.str("topic");
    int n = partitionCount(a.client(""), topic);
    Map<String, Object> per = new LinkedHashMap<>();
    long[] counts = new long[Math.max(n, 0)];
    if (n > 0) readAll(a.client(""), topic, n, a.num("read-timeout", 120) * 1000, r -> counts[r.partition()]++);
    long total = 0;
    for (int i = 0; i < n; i++) {
      per.put(Integer.toString(i), counts[i]);
      total += counts[i];
    }
    System.out.println("consume-count: " + topic + " " + total + " records; bytes received per node: " + lastNodeBytes);
    System.out.println(Kt.json(Kt.obj("topic", topic, "exists", n > 0, "records", total, "per_partition", per,
        "node_bytes", lastNodeBytes)));
    return n > 0 ? 0 : 1;
  }

  // kt dump --bootstrap B --topic T: every record (to the end offsets) as partition, offset,
  // timestamp, key/value sizes and digests (Records.digest) and headers (UTF-8, last value per name).
  static int dump(Kt.Args a) throws Exception {
    String topic = a.str("topic");
    int n = partitionCount(a.client(""), topic);
    List<Object> out = new ArrayList<>();
    if (n > 0) {
      readAll(a.client(""), topic, n, a.num("read-timeout", 120) * 1000, r -> {
        Map<String, Object> headers = new LinkedHashMap<>();
        for (var h : r.headers()) {
          headers.put(h.key(), h.value() == null ? null : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8));
        }
        out.add(Kt.obj("partition", r.partition(), "offset", r.offset(), "timestamp", r.timestamp(),
            "key_size", r.key() == null ? -1 : r.key().length, "key", Records.digest(r.key()),
            "value_size", r.value() == null ? -1 : r.value().length, "value", Records.digest(r.value()),
            "headers", headers));
      });
    }
    System.out.println("dump: " + topic + " " + out.size() + " records");
    System.out.println(Kt.json(Kt.obj("topic", topic, "exists", n > 0, "records", out)));
    return n > 0 ? 0 : 1;
  }

  // kt wait-ready: every broker of every cluster answers metadata naming all expected nodes.
  static int waitReady(Kt.Args a) throws Exception {
    long deadline = System.currentTimeMillis() + a.num("timeout", 180) * 1000;
    Map<String, Object> out = new LinkedHashMap<>();
    for (String spec : a.all("cluster")) {
      int eq = spec.indexOf('=');
      int at = spec.lastIndexOf('@');
      if (eq <= 0 || at < eq) throw new Kt.UsageError("--cluster wants NAME=HOST:PORT,...@ID,..., got " + spec);
      String name = spec.substring(0, eq);
      String[] addrs = spec.substring(eq + 1, at).split(",");
      List<Integer> want = new ArrayList<>();
      for (String s : spec.substring(at + 1).split(",")) want.add(Integer.parseInt(s.trim()));
      for (String addr : addrs) {
        String last = "";
        while (true) {
          Properties p = new Properties();
          p.put("bootstrap.servers", addr);
          p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
          p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "8000");
          p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
          try (Admin admin = Admin.create(p)) {
            Collection<Node> nodes = admin.describeCluster().nodes().get(8, TimeUnit.SECONDS);
            List<Integer> have = ids(new ArrayList<>(nodes));
            admin.listTopics().names().get(8, TimeUnit.SECONDS);
            if (have.containsAll(want)) break;
            last = "nodes " + have + ", want " + want;
          } catch (Exception e) {
            last = e.toString();
          }
          if (System.currentTimeMillis() > deadline) {
            System.err.println("wait-ready: " + name + " broker " + addr + " not ready: " + last);
            System.out.println(Kt.json(Kt.obj("ready", false, "cluster", name, "broker", addr, "last", last)));
            return 1;
          }
          Thread.sleep(500);
        }
      }
      System.out.println("wait-ready: " + name + " ready");
      out.put(name, true);
    }
    System.out.println(Kt.json(Kt.obj("ready", true, "clusters", out)));
    return 0;
  }

  // --- reading ----------------------------------------------------------------------------------

  static Properties consumerProps(Properties base) {
    Properties p = new Properties();
    p.putAll(base);
    p.put("key.deserializer", ByteArrayDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    p.put("enable.auto.commit", "false");
    p.put("allow.auto.create.topics", "false");
    p.putIfAbsent("isolation.level", "read_committed");
    p.putIfAbsent("auto.offset.reset", "earliest");
    p.putIfAbsent("max.partition.fetch.bytes", "4194304");
    p.putIfAbsent("fetch.max.bytes", "16777216");
    return p;
  }

  static List<TopicPartition> tps(String topic, int n) {
    List<TopicPartition> l = new ArrayList<>();
    for (int i = 0; i < n; i++) l.add(new TopicPartition(topic, i));
    return l;
  }

  /**
   * Reads partitions 0..n-1 of topic from their beginning to the end offsets taken at the start,
   * in offset order per partition. Fails when no progress is made for timeoutMs.
   */
  static void readAll(Properties base, String topic, int n, long timeoutMs,
                      Consumer<ConsumerRecord<byte[], byte[]>> sink) throws Exception {
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(base))) {
      List<TopicPartition> tps = tps(topic, n);
      c.assign(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(30));
      c.seekToBeginning(tps);
      List<TopicPartition> open = new ArrayList<>();
      for (TopicPartition tp : tps) {
        if (c.position(tp, Duration.ofSeconds(30)) < end.get(tp)) open.add(tp);
      }
      c.pause(new ArrayList<>(c.assignment()));
      c.resume(open);
      long lastProgress = System.currentTimeMillis();
      while (!open.isEmpty()) {
        ConsumerRecords<byte[], byte[]> recs = c.poll(Duration.ofMillis(500));
        for (ConsumerRecord<byte[], byte[]> r : recs) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          if (r.offset() < end.get(tp)) sink.accept(r);
        }
        if (!recs.isEmpty()) lastProgress = System.currentTimeMillis();
        List<TopicPartition> done = new ArrayList<>();
        for (TopicPartition tp : open) {
          if (c.position(tp, Duration.ofSeconds(30)) >= end.get(tp)) done.add(tp);
        }
        if (!done.isEmpty()) {
          open.removeAll(done);
          c.pause(done);
          lastProgress = System.currentTimeMillis();
        }
        if (System.currentTimeMillis() - lastProgress > timeoutMs) {
          throw new IllegalStateException("reading " + topic + ": no progress for " + timeoutMs / 1000
              + " s; still open: " + open);
        }
      }
      lastNodeBytes.clear();
      for (var e : c.metrics().entrySet()) {
        var name = e.getKey();
        if (name.group().equals("consumer-node-metrics") && name.name().equals("incoming-byte-total")) {
          String node = name.tags().getOrDefault("node-id", "?");
          Object v = e.getValue().metricValue();
          if (v instanceof Double) lastNodeBytes.merge(node, ((Double) v).longValue(), Long::sum);
        }
      }
    }
  }

  /** incoming-byte-total per node-id ("node-2", "node--1" for bootstrap) of the last readAll. */
  static final Map<String, Long> lastNodeBytes = new TreeMap<>();

  private Topics() {}
}
