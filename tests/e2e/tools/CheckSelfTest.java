package e2e;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/** kt check-selftest: the checker's matching rules on synthetic partitions (no Kafka needed). */
final class CheckSelfTest {
  private static int failures = 0;

  static Check.Rec rec(long offset, String key, String value, long ts, String... headers) {
    RecordHeaders hs = new RecordHeaders();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      hs.add(new RecordHeader(headers[i], headers[i + 1] == null ? null : headers[i + 1].getBytes(StandardCharsets.UTF_8)));
    }
    byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    byte[] v = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    return new Check.Rec(new ConsumerRecord<>("t", 0, offset, ts, TimestampType.CREATE_TIME, -1, -1, k, v, hs,
        Optional.empty()));
  }

  /** Source records 0..n-1: rec i has key k<i> (null for i == 3), value v<i>, one header. */
  static List<Check.Rec> source(int n) {
    List<Check.Rec> l = new ArrayList<>();
    for (int i = 0; i < n; i++) l.add(rec(i, i == 3 ? null : "k" + i, "v" + i, 1000 + i, "h", "x" + i, "h", null));
    return l;
  }

  /** A target partition made of the given source records (re-numbered offsets). */
  static List<Check.Rec> target(List<Check.Rec> src, int... idx) {
    List<Check.Rec> l = new ArrayList<>();
    for (int i : idx) l.add(src.get(i));
    return l;
  }

  static int[] range(int from, int to) {
    int[] r = new int[to - from];
    for (int i = from; i < to; i++) r[i - from] = i;
    return r;
  }

  static int[] concat(int[]... parts) {
    int n = 0;
    for (int[] p : parts) n += p.length;
    int[] r = new int[n];
    int o = 0;
    for (int[] p : parts) {
      System.arraycopy(p, 0, r, o, p.length);
      o += p.length;
    }
    return r;
  }

  static void expect(String name, List<Check.Rec> src, List<Check.Rec> dst, long missing, long dups,
                     long mismatched, long unexpected, long order) {
    Check.Result r = Check.compare(src, dst, 5);
    long[] got = {r.missing, r.duplicates, r.mismatched, r.unexpected, r.orderViolations};
    long[] want = {missing, dups, mismatched, unexpected, order};
    boolean ok = java.util.Arrays.equals(got, want);
    System.out.println((ok ? "ok   " : "FAIL ") + name + ": missing/duplicates/mismatched/unexpected/order = "
        + java.util.Arrays.toString(got) + (ok ? "" : " want " + java.util.Arrays.toString(want)));
    if (!ok) {
      failures++;
      for (String e : r.examples) System.out.println("       " + e);
    }
  }

  static int run(Kt.Args a) {
    List<Check.Rec> s = source(10);
    expect("faithful copy", s, target(s, range(0, 10)), 0, 0, 0, 0, 0);
    expect("empty target", s, List.of(), 10, 0, 0, 0, 0);
    expect("empty source, empty target", List.of(), List.of(), 0, 0, 0, 0, 0);
    expect("one dropped", s, target(s, 0, 1, 3, 4, 5, 6, 7, 8, 9), 1, 0, 0, 0, 0);
    expect("tail missing", s, target(s, range(0, 7)), 3, 0, 0, 0, 0);
    expect("re-sent suffix after a crash", s, target(s, concat(range(0, 8), range(4, 10))), 0, 4, 0, 0, 0);
    expect("re-sent twice", s, target(s, concat(range(0, 6), range(2, 6), range(2, 10))), 0, 8, 0, 0, 0);
    expect("duplicate of the null-key record", s, target(s, concat(range(0, 4), new int[] {3}, range(4, 10))),
        0, 1, 0, 0, 0);
    expect("swapped pair", s, target(s, 0, 2, 1, 3, 4, 5, 6, 7, 8, 9), 0, 0, 0, 0, 1);
    List<Check.Rec> altered = target(s, range(0, 10));
    altered.set(4, rec(4, "k4", "v4", 1004, "h", "x4", "h", "not-null"));
    expect("header value altered", s, altered, 0, 0, 1, 0, 0);
    List<Check.Rec> reordered = target(s, range(0, 10));
    reordered.set(5, rec(5, "k5", "v5", 1005, "h", null, "h", "x5"));
    expect("headers reordered", s, reordered, 0, 0, 1, 0, 0);
    List<Check.Rec> ts = target(s, range(0, 10));
    ts.set(6, rec(6, "k6", "v6", 99, "h", "x6", "h", null));
    expect("timestamp changed", s, ts, 0, 0, 1, 0, 0);
    List<Check.Rec> val = target(s, range(0, 10));
    val.set(7, rec(7, "k7", "changed", 1007, "h", "x7", "h", null));
    expect("value changed", s, val, 0, 0, 1, 0, 0);
    List<Check.Rec> fixed = target(s, range(0, 10));
    fixed.add(5, rec(4, "k4", "v4", 1004, "h", "x4"));  // altered copy of 4 (a header lost), then the real 4
    fixed.remove(4);
    fixed.add(5, s.get(4));
    expect("altered copy followed by a faithful one", s, fixed, 0, 0, 1, 0, 0);
    List<Check.Rec> foreign = target(s, range(0, 10));
    foreign.add(rec(10, "other", "other", 5, "h", "x"));
    expect("foreign record", s, foreign, 0, 0, 0, 1, 0);
    List<Check.Rec> twins = new ArrayList<>(target(s, 0, 1));
    twins.add(s.get(1));  // the source itself holds two identical records
    twins.add(s.get(2));
    expect("identical source records, one copied", twins, target(s, 0, 1, 2), 1, 0, 0, 0, 0);
    expect("identical source records, both copied", twins, target(s, 0, 1, 1, 2), 0, 0, 0, 0, 0);
    expect("identical source records, three copies", twins, target(s, 0, 1, 1, 1, 2), 0, 1, 0, 0, 0);
    System.out.println(failures == 0 ? "check-selftest: all cases pass" : "check-selftest: " + failures + " case(s) FAILED");
    System.out.println(Kt.json(Kt.obj("failures", failures)));
    return failures == 0 ? 0 : 1;
  }

  private CheckSelfTest() {}
}
