package e2e;

import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * kt produce-tx: records of Records.generate written in transactions of --per-txn records, so the
 * source partitions have offset gaps (one transaction marker after each transaction; an aborted
 * transaction's records are invisible to read_committed readers as well). Every --abort-every-th
 * transaction is aborted; its records carry indices of their own (from 1,000,000,000 up), so they
 * never look like a committed record. Committed record i goes to partition parts[i % len].
 *
 * <p>Without --write-aborted an aborted transaction's records never reach the logs: their
 * timestamps (tsBase + index) lie days ahead, past the brokers' log.message.timestamp.after.max.ms
 * (1 hour in Kafka 4), so they are refused, and an abort right after the sends drops whatever the
 * producer still holds; such a transaction leaves only its markers. With --write-aborted they are
 * written: generated as run "<run-id>-aborted" (index k, timestamp tsBase + k: keys and values
 * of their own, timestamps among the committed records'), flushed and acknowledged before the
 * abort, so a read_uncommitted reader sees them; "aborted_written" counts the acknowledged ones.
 */
final class TxProduce {
  static int run(Kt.Args a) throws Exception {
    String topic = a.str("topic");
    long count = a.num("count", 1000);
    int perTxn = (int) Math.max(1, a.num("per-txn", 10));
    long abortEvery = a.num("abort-every", 0);
    boolean writeAborted = a.flag("write-aborted");
    String runId = a.str("run-id", UUID.randomUUID().toString().substring(0, 8));
    long tsBase = a.num("timestamp-base", System.currentTimeMillis() - 60_000);
    Properties p = a.client("");
    p.put("transactional.id", "kt-tx-" + runId);
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    p.put("key.serializer", ByteArraySerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    List<Integer> parts = Produce.partitions(a, topic);
    long committed = 0, aborted = 0, txns = 0, abortedIndex = 1_000_000_000L;
    java.util.concurrent.atomic.AtomicLong abortedWritten = new java.util.concurrent.atomic.AtomicLong();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      producer.initTransactions();
      long i = 0;
      while (i < count) {
        txns++;
        boolean abort = abortEvery > 0 && txns % abortEvery == 0;
        producer.beginTransaction();
        int n = 0;
        for (; n < perTxn && (abort || i + n < count); n++) {
          long idx = abort ? abortedIndex++ : i + n;
          Records.Gen g = abort && writeAborted
              ? Records.generate(runId + "-aborted", idx - 1_000_000_000L, 100, 0, 0, tsBase)
              : Records.generate(runId, idx, 100, 0, 0, tsBase);
          int partition = parts.get((int) (idx % parts.size()));
          ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, partition, g.timestamp, g.key, g.value, g.headers);
          if (abort && writeAborted) {
            producer.send(rec, (md, e) -> {
              if (e == null) abortedWritten.incrementAndGet();
            });
          } else {
            producer.send(rec);
          }
        }
        if (abort) {
          if (writeAborted) producer.flush();
          producer.abortTransaction();
          aborted += n;
        } else {
          producer.commitTransaction();
          committed += n;
          i += n;
        }
      }
    }
    System.out.println("produce-tx: topic " + topic + ": " + committed + " records committed, " + aborted
        + " aborted (" + abortedWritten.get() + " of them written), in " + txns + " transactions (run-id " + runId + ")");
    System.out.println(Kt.json(Kt.obj("acked", committed, "aborted", aborted, "aborted_written", abortedWritten.get(),
        "transactions", txns, "run_id", runId)));
    return 0;
  }

  private TxProduce() {}
}
