package e2e;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/** Deterministic test records and record identity (digests) shared by produce, check and copy. */
final class Records {
  /** One generated record. */
  static final class Gen {
    final byte[] key;
    final byte[] value;
    final List<Header> headers;
    final long timestamp;

    Gen(byte[] key, byte[] value, List<Header> headers, long timestamp) {
      this.key = key;
      this.value = value;
      this.headers = headers;
      this.timestamp = timestamp;
    }
  }

  /**
   * Record number i of run runId: key null when i%7==3; value null when i%11==5, large
   * (largeSize bytes) when i%largeEvery==0, else about valueSize bytes; i%4 headers, among them a
   * repeated header key and a null header value; timestamp tsBase+i.
   */
  static Gen generate(String runId, long i, int valueSize, int largeEvery, int largeSize, long tsBase) {
    byte[] key = (i % 7 == 3) ? null : utf8("k-" + runId + "-" + (i % 997));
    byte[] value;
    if (i % 11 == 5) {
      value = null;
    } else {
      String head = "v-" + runId + "-" + i + "-";
      int size = (largeEvery > 0 && i % largeEvery == 0) ? largeSize : valueSize;
      byte[] v = new byte[Math.max(size, head.length())];
      byte[] h = utf8(head);
      System.arraycopy(h, 0, v, 0, h.length);
      for (int j = h.length; j < v.length; j++) v[j] = (byte) ('a' + (int) ((i + j) % 26));
      value = v;
    }
    List<Header> headers = new ArrayList<>();
    int n = (int) (i % 4);
    if (n >= 1) headers.add(new RecordHeader("h-a", utf8("a-" + i)));
    if (n >= 2) headers.add(new RecordHeader("h-null", (byte[]) null));
    if (n >= 3) headers.add(new RecordHeader("h-a", new byte[] {0, (byte) 0xff, (byte) (i & 0xff)}));
    return new Gen(key, value, headers, tsBase + i);
  }

  static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

  // --- identity ----------------------------------------------------------------------------------

  static MessageDigest sha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void put(MessageDigest d, byte[] b) {
    if (b == null) {
      d.update(new byte[] {0});
    } else {
      d.update(new byte[] {1});
      d.update(longBytes(b.length));
      d.update(b);
    }
  }

  private static byte[] longBytes(long v) {
    byte[] b = new byte[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return b;
  }

  private static String done(MessageDigest d) {
    return Base64.getEncoder().withoutPadding().encodeToString(d.digest()).substring(0, 32);
  }

  static String digest(byte[] b) {
    MessageDigest d = sha();
    put(d, b);
    return done(d);
  }

  static String headersDigest(Iterable<Header> headers) {
    MessageDigest d = sha();
    for (Header h : headers) {
      put(d, utf8(h.key()));
      put(d, h.value());
    }
    return done(d);
  }

  /** Printable short form of bytes for reports. */
  static String show(byte[] b) {
    if (b == null) return "null";
    String s = new String(b, 0, Math.min(b.length, 32), StandardCharsets.UTF_8);
    StringBuilder o = new StringBuilder();
    for (char c : s.toCharArray()) o.append(c >= 0x20 && c < 0x7f ? c : '?');
    if (b.length > 32) o.append("…(").append(b.length).append(" bytes)");
    return o.toString();
  }

  private Records() {}
}
