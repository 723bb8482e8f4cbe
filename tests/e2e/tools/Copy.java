package e2e;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * kt copy: a trivial copier (source topic -> target topic, same partition, key, value, headers,
 * timestamp), with deliberate faults to prove the checker: --drop, --duplicate and --alter-header
 * take P:O lists (partition:offset of the source record).
 */
final class Copy {
  static Set<String> spots(Kt.Args a, String k) {
    Set<String> s = new HashSet<>();
    String v = a.str(k, "");
    for (String x : v.split(",")) if (!x.isBlank()) s.add(x.trim());
    return s;
  }

  static int run(Kt.Args a) throws Exception {
    String st = a.str("source-topic");
    String tt = a.str("target-topic");
    Properties sp = a.client("source-");
    Properties tp = a.client("target-");
    Set<String> drop = spots(a, "drop");
    Set<String> dup = spots(a, "duplicate");
    Set<String> alter = spots(a, "alter-header");

    int n = Topics.partitionCount(sp, st);
    if (n <= 0) throw new Kt.UsageError("source topic " + st + " does not exist");
    if (a.flag("create") && Topics.partitionCount(tp, tt) == 0) {
      try (Admin admin = Topics.admin(tp)) {
        short rf = (short) a.num("replication-factor", 1);
        admin.createTopics(List.of(new NewTopic(tt, n, rf))).all().get(60, TimeUnit.SECONDS);
      }
      long deadline = System.currentTimeMillis() + 30_000;
      while (Topics.partitionCount(tp, tt) < n && System.currentTimeMillis() < deadline) Thread.sleep(200);
    }

    Properties pp = new Properties();
    pp.putAll(tp);
    pp.put("acks", "all");
    pp.put("enable.idempotence", "true");
    pp.put("linger.ms", "5");
    pp.put("max.request.size", "2097152");
    pp.put("key.serializer", ByteArraySerializer.class.getName());
    pp.put("value.serializer", ByteArraySerializer.class.getName());
    AtomicLong sent = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<Exception> err = new AtomicReference<>();
    long[] read = {0};
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
      Topics.readAll(sp, st, n, a.num("read-timeout", 120) * 1000, (ConsumerRecord<byte[], byte[]> r) -> {
        read[0]++;
        String spot = r.partition() + ":" + r.offset();
        if (drop.contains(spot)) return;
        List<Header> headers = new ArrayList<>();
        for (Header h : r.headers()) headers.add(new RecordHeader(h.key(), h.value()));
        if (alter.contains(spot)) {
          if (headers.isEmpty()) {
            headers.add(new RecordHeader("altered", Records.utf8("yes")));
          } else {
            Header h0 = headers.get(0);
            headers.set(0, new RecordHeader(h0.key(), Records.utf8("altered")));
          }
        }
        int times = dup.contains(spot) ? 2 : 1;
        for (int i = 0; i < times; i++) {
          producer.send(new ProducerRecord<>(tt, r.partition(), r.timestamp(), r.key(), r.value(), headers),
              (md, e) -> {
                if (e == null) {
                  sent.incrementAndGet();
                } else {
                  failed.incrementAndGet();
                  err.compareAndSet(null, e);
                }
              });
        }
      });
      producer.flush();
    }
    if (err.get() != null) System.err.println("copy: first error: " + err.get());
    System.out.println("copy: " + st + " -> " + tt + ": read " + read[0] + ", wrote " + sent.get());
    System.out.println(Kt.json(Kt.obj("read", read[0], "written", sent.get(), "failed", failed.get())));
    return failed.get() == 0 ? 0 : 1;
  }

  private Copy() {}
}
