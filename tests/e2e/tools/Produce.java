package e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * kt produce: N deterministic records (see Records.generate), acks=all, idempotent. With
 * --stop-file PATH it stops sending early once PATH exists (checked every 100 records), flushes
 * and reports the records sent as "sent" (otherwise "sent" is the count).
 */
final class Produce {
  static int run(Kt.Args a) throws Exception {
    String topic = a.str("topic");
    long count = a.num("count", 1000);
    double rate = a.dbl("rate", 0);
    String runId = a.str("run-id", UUID.randomUUID().toString().substring(0, 8));
    long start = a.num("start-index", 0);
    int valueSize = (int) a.num("value-size", 100);
    int largeEvery = (int) a.num("large-every", 500);
    int largeSize = (int) a.num("large-size", 100_000);
    long tsBase = a.num("timestamp-base", System.currentTimeMillis() - 60_000);
    boolean quiet = a.flag("quiet");
    java.io.File stopFile = a.has("stop-file") ? new java.io.File(a.str("stop-file")) : null;
    long sent = count;

    Properties p = a.client("");
    p.putIfAbsent("acks", "all");
    p.putIfAbsent("enable.idempotence", "true");
    p.putIfAbsent("linger.ms", "5");
    p.putIfAbsent("delivery.timeout.ms", "180000");
    p.putIfAbsent("request.timeout.ms", "30000");
    p.putIfAbsent("max.request.size", "2097152");
    p.put("key.serializer", ByteArraySerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());

    List<Integer> parts = partitions(a, topic);

    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<Exception> firstError = new AtomicReference<>();
    long t0 = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      for (long n = 0; n < count; n++) {
        long i = start + n;
        if (stopFile != null && n % 100 == 0 && stopFile.exists()) {
          sent = n;
          break;
        }
        if (rate > 0) {
          long due = t0 + (long) (n * 1e9 / rate);
          long wait = due - System.nanoTime();
          if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        Records.Gen g = Records.generate(runId, i, valueSize, largeEvery, largeSize, tsBase);
        int partition = parts.get((int) (i % parts.size()));
        producer.send(new ProducerRecord<>(topic, partition, g.timestamp, g.key, g.value, g.headers),
            (md, e) -> {
              if (e == null) {
                acked.incrementAndGet();
              } else {
                failed.incrementAndGet();
                firstError.compareAndSet(null, e);
              }
            });
        if (!quiet && rate > 0 && n > 0 && n % (long) Math.max(rate * 5, 1) == 0) {
          System.out.println("produce: sent " + n + ", acked " + acked.get());
        }
      }
      producer.flush();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    if (firstError.get() != null) System.err.println("produce: first error: " + firstError.get());
    System.out.println("produce: topic " + topic + " acked " + acked.get() + " of " + sent + " in "
        + String.format("%.1f", secs) + " s (run-id " + runId + ")");
    System.out.println("acked=" + acked.get());
    System.out.println(Kt.json(Kt.obj("acked", acked.get(), "failed", failed.get(), "run_id", runId,
        "first_index", start, "count", count, "sent", sent, "seconds", Math.round(secs * 10) / 10.0)));
    return failed.get() == 0 && acked.get() == sent ? 0 : 1;
  }

  private Produce() {}

  // --partitions, or every partition of the topic.
  static List<Integer> partitions(Kt.Args a, String topic) throws Exception {
    List<Integer> parts = a.ints("partitions");
    if (!parts.isEmpty()) return parts;
    int n = Topics.partitionCount(a.client(""), topic);
    if (n <= 0) throw new Kt.UsageError("topic " + topic + " does not exist");
    return all(n);
  }

  static List<Integer> all(int n) {
    List<Integer> l = new ArrayList<>();
    for (int i = 0; i < n; i++) l.add(i);
    return l;
  }
}
