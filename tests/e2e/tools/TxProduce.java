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
 */
final class TxProduce {
  static int run(Kt.Args a) throws Exception {
    String topic = a.str("topic");
    long count = a.num("count", 1000);
    int perTxn = (int) Math.max(1, a.num("per-txn", 10));
    long abortEvery = a.num("abort-every", 0);
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
          Records.Gen g = Records.generate(runId, idx, 100, 0, 0, tsBase);
          int partition = parts.get((int) (idx % parts.size()));
          producer.send(new ProducerRecord<>(topic, partition, g.timestamp, g.key, g.value, g.headers));
        }
        if (abort) {
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
        + " aborted, in " + txns + " transactions (run-id " + runId + ")");
    System.out.println(Kt.json(Kt.obj("acked", committed, "aborted", aborted, "transactions", txns, "run_id", runId)));
    return 0;
  }

  private TxProduce() {}
}
