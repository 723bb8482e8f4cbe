package e2e;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * kt check: the record checker. Reads the source topic and the target topic fully (to the end
 * offsets taken when reading starts) and compares them partition by partition (same partition
 * number): count, order, key, value, headers (order and values), timestamp.
 *
 * <p>Matching, per partition, in target order: a target record identical (all four fields) to a
 * source record not matched yet is matched to the first such source record; identical to a source
 * record that is matched already, it is a duplicate (at-least-once re-send); matching a source
 * record that an earlier target record had skipped over, it is also an order violation. A target
 * record identical to none is mismatched when it shares (timestamp, key) or (key, value) with an
 * unmatched source record (that source record then counts as present but altered), else
 * unexpected. Source records left unmatched are missing.
 */
final class Check {
  /** What the checker keeps of one record: digests, not payloads. */
  static final class Rec {
    final long offset;
    final long ts;
    final String key;     // digest
    final String value;   // digest
    final String headers; // digest
    final String id;      // all four fields
    final String shown;   // short printable form

    Rec(ConsumerRecord<byte[], byte[]> r) {
      this(r, List.of());
    }

    /** Headers named in {@code ignored} are left out of the comparison (the others keep order). */
    Rec(ConsumerRecord<byte[], byte[]> r, List<String> ignored) {
      offset = r.offset();
      ts = r.timestamp();
      key = Records.digest(r.key());
      value = Records.digest(r.value());
      List<org.apache.kafka.common.header.Header> kept = new ArrayList<>();
      for (var h : r.headers()) if (!ignored.contains(h.key())) kept.add(h);
      headers = Records.headersDigest(kept);
      id = ts + "|" + key + "|" + value + "|" + headers;
      int nh = 0;
      for (var h : r.headers()) nh++;
      shown = "offset " + offset + " ts " + ts + " key " + Records.show(r.key()) + " value "
          + (r.value() == null ? "null" : r.value().length + " bytes") + " headers " + nh;
    }

    String byTsKey() { return ts + "|" + key; }

    String byKeyValue() { return key + "|" + value; }

    String diff(Rec o) {
      List<String> d = new ArrayList<>();
      if (!key.equals(o.key)) d.add("key");
      if (!value.equals(o.value)) d.add("value");
      if (!headers.equals(o.headers)) d.add("headers");
      if (ts != o.ts) d.add("timestamp");
      return String.join(",", d);
    }
  }

  static final class Result {
    long missing, duplicates, mismatched, unexpected, orderViolations, source, target;
    final List<String> examples = new ArrayList<>();
    int maxExamples;

    void example(String s) {
      if (examples.size() < maxExamples) examples.add(s);
    }

    void add(Result o) {
      missing += o.missing;
      duplicates += o.duplicates;
      mismatched += o.mismatched;
      unexpected += o.unexpected;
      orderViolations += o.orderViolations;
      source += o.source;
      target += o.target;
    }
  }

  static Result compare(List<Rec> src, List<Rec> dst, int maxExamples) {
    Result res = new Result();
    res.maxExamples = maxExamples;
    res.source = src.size();
    res.target = dst.size();
    Map<String, List<Integer>> byId = new HashMap<>();
    Map<String, List<Integer>> byTsKey = new HashMap<>();
    Map<String, List<Integer>> byKeyValue = new HashMap<>();
    for (int i = 0; i < src.size(); i++) {
      Rec s = src.get(i);
      byId.computeIfAbsent(s.id, x -> new ArrayList<>()).add(i);
      byTsKey.computeIfAbsent(s.byTsKey(), x -> new ArrayList<>()).add(i);
      byKeyValue.computeIfAbsent(s.byKeyValue(), x -> new ArrayList<>()).add(i);
    }
    int[] seen = new int[src.size()];   // times matched exactly
    boolean[] altered = new boolean[src.size()];
    int next = 0;                       // first source index not passed yet
    for (Rec t : dst) {
      List<Integer> cands = byId.get(t.id);
      if (cands != null) {
        int k = -1;
        for (int c : cands) {
          if (seen[c] == 0) {  // an altered copy may be followed by a faithful one
            k = c;
            break;
          }
        }
        if (k < 0) {
          res.duplicates++;
          seen[cands.get(0)]++;
          res.example("duplicate: target " + t.shown + " (source offset " + src.get(cands.get(0)).offset + ")");
        } else {
          seen[k] = 1;
          if (k < next && !altered[k]) {  // a faithful copy after an altered one is no reordering
            res.orderViolations++;
            res.example("order: target " + t.shown + " is source offset " + src.get(k).offset
                + ", which should have come earlier");
          }
          next = Math.max(next, k + 1);
        }
        continue;
      }
      int k = firstUnmatched(byTsKey.get(t.byTsKey()), seen, altered);
      if (k < 0) k = firstUnmatched(byKeyValue.get(t.byKeyValue()), seen, altered);
      if (k >= 0) {
        altered[k] = true;
        res.mismatched++;
        res.example("mismatch (" + src.get(k).diff(t) + "): source " + src.get(k).shown + " -> target " + t.shown);
        next = Math.max(next, k + 1);
      } else {
        res.unexpected++;
        res.example("unexpected: target " + t.shown);
      }
    }
    for (int i = 0; i < src.size(); i++) {
      if (seen[i] == 0 && !altered[i]) {
        res.missing++;
        res.example("missing: source " + src.get(i).shown);
      }
    }
    return res;
  }

  private static int firstUnmatched(List<Integer> cands, int[] seen, boolean[] altered) {
    if (cands == null) return -1;
    for (int c : cands) if (seen[c] == 0 && !altered[c]) return c;
    return -1;
  }

  static List<List<Rec>> read(Properties p, String topic, long timeoutMs) throws Exception {
    return read(p, topic, timeoutMs, List.of());
  }

  static List<List<Rec>> read(Properties p, String topic, long timeoutMs, List<String> ignored)
      throws Exception {
    int n = Topics.partitionCount(p, topic);
    List<List<Rec>> parts = new ArrayList<>();
    for (int i = 0; i < n; i++) parts.add(new ArrayList<>());
    if (n > 0) {
      Topics.readAll(p, topic, n, timeoutMs, r -> parts.get(r.partition()).add(new Rec(r, ignored)));
    }
    return parts;
  }

  static int run(Kt.Args a) throws Exception {
    String st = a.str("source-topic");
    String tt = a.str("target-topic");
    Properties sp = a.client("source-");
    Properties tp = a.client("target-");
    boolean noDup = a.flag("no-duplicates");
    long waitMs = a.num("wait-seconds", 0) * 1000;
    // A test that expects some records to stay missing (skipped on purpose) stops waiting as soon as
    // no more than that many are missing, instead of waiting out --wait-seconds.
    long expectMissing = a.num("expect-missing", 0);
    int maxEx = (int) a.num("max-examples", 10);
    long readTimeout = a.num("read-timeout", 120) * 1000;
    long deadline = System.currentTimeMillis() + waitMs;
    List<String> ignored = a.all("ignore-header");  // e.g. mirror.provenance

    List<List<Rec>> src = read(sp, st, readTimeout, ignored);
    if (src.isEmpty()) {
      System.err.println("check: source topic " + st + " does not exist");
      System.out.println(Kt.json(Kt.obj("error", "source topic does not exist", "missing", -1)));
      return 2;
    }
    while (true) {
      List<List<Rec>> dst = read(tp, tt, readTimeout, ignored);
      Result total = new Result();
      List<String> lines = new ArrayList<>();
      int n = Math.max(src.size(), dst.size());
      for (int p = 0; p < n; p++) {
        List<Rec> s = p < src.size() ? src.get(p) : List.of();
        List<Rec> d = p < dst.size() ? dst.get(p) : List.of();
        Result r = compare(s, d, maxEx);
        total.add(r);
        lines.add(String.format("  partition %d: source %d target %d missing %d duplicates %d mismatched %d"
            + " unexpected %d order_violations %d", p, r.source, r.target, r.missing, r.duplicates,
            r.mismatched, r.unexpected, r.orderViolations));
        for (String e : r.examples) lines.add("    " + e);
      }
      boolean settled = total.missing <= expectMissing || System.currentTimeMillis() >= deadline;
      if (!settled) {
        Thread.sleep(2000);
        continue;
      }
      boolean ok = total.missing == 0 && total.mismatched == 0 && total.unexpected == 0
          && (!noDup || total.duplicates == 0);
      System.out.println("check: " + st + " (" + src.size() + " partitions) -> " + tt + " ("
          + (dst.isEmpty() ? "does not exist" : dst.size() + " partitions") + ")");
      for (String l : lines) System.out.println(l);
      System.out.println(String.format("check: %s: source %d, target %d, missing %d, duplicates %d, "
          + "mismatched %d, unexpected %d, order violations %d", ok ? "OK" : "FAILED", total.source,
          total.target, total.missing, total.duplicates, total.mismatched, total.unexpected,
          total.orderViolations));
      System.out.println(Kt.json(Kt.obj("missing", total.missing, "duplicates", total.duplicates,
          "mismatched", total.mismatched, "unexpected", total.unexpected,
          "order_violations", total.orderViolations, "source_records", total.source,
          "target_records", total.target, "source_partitions", src.size(),
          "target_partitions", dst.size(), "ok", ok)));
      return ok ? 0 : 1;
    }
  }

  private Check() {}
}
