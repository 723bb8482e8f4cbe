package e2e;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;

/**
 * kt: the e2e suite's Kafka tools, independent of the C++ service (they are the judge).
 * Every command prints human lines and, last, one JSON line for scripts. Exit codes: 0 ok,
 * 1 the check/wait failed, 2 usage or runtime error.
 */
public final class Kt {
  static final String USAGE = String.join("\n",
      "usage: kt COMMAND [options]",
      "  produce        --bootstrap B --topic T --count N [--partitions 0,2] [--rate R] [--run-id ID]",
      "                 [--start-index I] [--value-size N] [--large-every N] [--large-size N]",
      "                 [--timestamp-base MS] [--stop-file PATH] [--property k=v]...",
      "  create-topic   --bootstrap B --topic T [--partitions N] [--replication-factor R]",
      "                 [--assignment '1,2,3;3,2,1'] [--avoid-leader-rack RACK] [--config k=v]...",
      "                 [--if-not-exists] [--timeout S]",
      "  describe       --bootstrap B --topic T",
      "  delete-topic   --bootstrap B --topic T",
      "  list-topics    --bootstrap B [--internal]",
      "  cluster        --bootstrap B",
      "  end-offsets    --bootstrap B --topic T",
      "  totals         --bootstrap B --topic T [--topic T2]...   records of each topic (-1: none)",
      "  consume-count  --bootstrap B --topic T [--property client.rack=RACK]  (+ bytes per node)",
      "  dump           --bootstrap B --topic T   (every record: sizes, digests, headers)",
      "  wait-ready     --cluster NAME=HOST:PORT,...@ID,ID... [--cluster ...] [--timeout S]",
      "  check          --source-bootstrap S --source-topic T --target-bootstrap B --target-topic T2",
      "                 [--no-duplicates] [--ignore-header NAME]... [--wait-seconds N] [--expect-missing N] [--max-examples N] [--read-timeout S]",
      "  copy           --source-bootstrap S --source-topic T --target-bootstrap B --target-topic T2",
      "                 [--create] [--drop P:O,...] [--duplicate P:O,...] [--alter-header P:O,...]",
      "  format         --node CLUSTER_ID=server.properties [--node ...] [--scram CLUSTER_ID=MECH=[name=U,password=P]]...   (KRaft storage, one JVM)",
      "  check-selftest (the checker's matching rules on synthetic partitions; no Kafka)",
      "MirrorMaker 2 compatibility (MM2's own client library, connect-mirror-client):",
      "  mm2-translate  --bootstrap B --source-alias A --group G [--timeout S]   (RemoteClusterUtils.translateOffsets)",
      "  mm2-client     --bootstrap B [--hops-for ALIAS]...   (heartbeat/checkpoint topics, upstream clusters, hops)",
      "  mm2-heartbeats --bootstrap B [--topic heartbeats] [--since MS]   (Heartbeat.deserializeRecord of every record)",
      "  mm2-checkpoints --bootstrap B --topic T [--group G]...   (Checkpoint.deserializeRecord of every record)",
      "  mm2-emit-heartbeat --bootstrap B --source-alias S --target-alias T [--topic heartbeats] [--count N]",
      "  group-commit   --bootstrap B --topic T --group G (--per-partition N | --counts P:N,...)",
      "  group-offsets  --bootstrap B --group G [--topic T]",
      "  list-groups    --bootstrap B",
      "  read-from      --source-bootstrap S --source-topic T (--source-group G | --consumed P:O,...)",
      "                 --target-bootstrap B --target-topic T2 (--offsets P:O,... | --target-group G2)",
      "  topic-configs  --bootstrap B --topic T",
      "  alter-topic-config --bootstrap B --topic T [--set k=v]... [--delete k]...",
      "  add-partitions --bootstrap B --topic T --total N",
      "  produce-tx     --bootstrap B --topic T --count N [--per-txn K] [--abort-every M] [--write-aborted]",
      "                 [--partitions 0,1] [--run-id ID] [--timestamp-base MS]",
      "Topic ACLs (literal topic names; needs a cluster with an authorizer):",
      "  acls           --bootstrap B [--topic T]",
      "  create-acl     --bootstrap B --topic T --principal P --operation OP --permission ALLOW|DENY [--host H]",
      "  delete-acl     --bootstrap B --topic T --principal P --operation OP --permission ALLOW|DENY [--host H]");

  public static void main(String[] argv) {
    if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h")) {
      System.out.println(USAGE);
      System.exit(argv.length == 0 ? 2 : 0);
    }
    Args a = new Args(Arrays.copyOfRange(argv, 1, argv.length));
    int rc;
    try {
      switch (argv[0]) {
        case "produce": rc = Produce.run(a); break;
        case "create-topic": rc = Topics.create(a); break;
        case "describe": rc = Topics.describe(a); break;
        case "delete-topic": rc = Topics.delete(a); break;
        case "list-topics": rc = Topics.list(a); break;
        case "cluster": rc = Topics.cluster(a); break;
        case "end-offsets": rc = Topics.endOffsets(a); break;
        case "totals": rc = Topics.totals(a); break;
        case "consume-count": rc = Topics.consumeCount(a); break;
        case "dump": rc = Topics.dump(a); break;
        case "wait-ready": rc = Topics.waitReady(a); break;
        case "check": rc = Check.run(a); break;
        case "copy": rc = Copy.run(a); break;
        case "format": rc = Format.run(a); break;
        case "check-selftest": rc = CheckSelfTest.run(a); break;
        case "mm2-translate": rc = Mm2.translate(a); break;
        case "mm2-client": rc = Mm2.client(a); break;
        case "mm2-heartbeats": rc = Mm2.heartbeats(a); break;
        case "mm2-checkpoints": rc = Mm2.checkpoints(a); break;
        case "mm2-emit-heartbeat": rc = Mm2.emitHeartbeat(a); break;
        case "group-commit": rc = Offsets.groupCommit(a); break;
        case "group-offsets": rc = Offsets.groupOffsets(a); break;
        case "list-groups": rc = Offsets.listGroups(a); break;
        case "read-from": rc = Offsets.readFrom(a); break;
        case "topic-configs": rc = TopicConfigs.describe(a); break;
        case "alter-topic-config": rc = TopicConfigs.alter(a); break;
        case "add-partitions": rc = TopicConfigs.addPartitions(a); break;
        case "produce-tx": rc = TxProduce.run(a); break;
        case "acls": rc = Acls.list(a); break;
        case "create-acl": rc = Acls.create(a); break;
        case "delete-acl": rc = Acls.delete(a); break;
        default:
          System.err.println("kt: unknown command " + argv[0] + "\n" + USAGE);
          rc = 2;
      }
    } catch (UsageError e) {
      System.err.println("kt " + argv[0] + ": " + e.getMessage());
      rc = 2;
    } catch (Exception e) {
      System.err.println("kt " + argv[0] + ": " + e);
      Throwable c = e.getCause();
      while (c != null) {
        System.err.println("  caused by: " + c);
        c = c.getCause();
      }
      rc = 2;
    }
    System.out.flush();
    System.exit(rc);
  }

  static final class UsageError extends RuntimeException {
    UsageError(String m) { super(m); }
  }

  /** --key value / --flag options; repeated options accumulate. */
  static final class Args {
    private final Map<String, List<String>> opts = new HashMap<>();

    Args(String[] a) {
      for (int i = 0; i < a.length; i++) {
        if (!a[i].startsWith("--")) throw new UsageError("unexpected argument " + a[i]);
        String k = a[i].substring(2);
        String v = "true";
        int eq = k.indexOf('=');
        if (eq > 0) {
          v = k.substring(eq + 1);
          k = k.substring(0, eq);
        } else if (i + 1 < a.length && !a[i + 1].startsWith("--")) {
          v = a[++i];
        }
        opts.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
      }
    }

    String str(String k) {
      List<String> v = opts.get(k);
      if (v == null) throw new UsageError("--" + k + " is required");
      return v.get(v.size() - 1);
    }

    String str(String k, String def) {
      List<String> v = opts.get(k);
      return v == null ? def : v.get(v.size() - 1);
    }

    List<String> all(String k) { return opts.getOrDefault(k, List.of()); }

    long num(String k, long def) {
      String v = str(k, null);
      if (v == null) return def;
      try {
        return Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw new UsageError("--" + k + " wants a number, got " + v);
      }
    }

    double dbl(String k, double def) {
      String v = str(k, null);
      return v == null ? def : Double.parseDouble(v);
    }

    boolean flag(String k) { return opts.containsKey(k) && !str(k).equals("false"); }

    boolean has(String k) { return opts.containsKey(k); }

    /** Client properties: bootstrap.servers from --PREFIXbootstrap, extra --PREFIXproperty k=v. */
    Properties client(String prefix) {
      Properties p = new Properties();
      p.put("bootstrap.servers", str(prefix + "bootstrap"));
      p.put("client.dns.lookup", "use_all_dns_ips");
      for (String kv : all(prefix + "property")) {
        int eq = kv.indexOf('=');
        if (eq <= 0) throw new UsageError("--" + prefix + "property wants k=v, got " + kv);
        p.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
      return p;
    }

    List<Integer> ints(String k) {
      List<Integer> out = new ArrayList<>();
      String v = str(k, null);
      if (v == null || v.isBlank()) return out;
      for (String s : v.split(",")) out.add(Integer.parseInt(s.trim()));
      return out;
    }
  }

  // --- tiny JSON writer ------------------------------------------------------------------------

  static String json(Object o) {
    StringBuilder b = new StringBuilder();
    writeJson(b, o);
    return b.toString();
  }

  @SuppressWarnings("unchecked")
  private static void writeJson(StringBuilder b, Object o) {
    if (o == null) {
      b.append("null");
    } else if (o instanceof String) {
      quote(b, (String) o);
    } else if (o instanceof Number || o instanceof Boolean) {
      b.append(o);
    } else if (o instanceof Map) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<Object, Object> e : ((Map<Object, Object>) o).entrySet()) {
        if (!first) b.append(',');
        first = false;
        quote(b, String.valueOf(e.getKey()));
        b.append(':');
        writeJson(b, e.getValue());
      }
      b.append('}');
    } else if (o instanceof Iterable) {
      b.append('[');
      boolean first = true;
      for (Object e : (Iterable<Object>) o) {
        if (!first) b.append(',');
        first = false;
        writeJson(b, e);
      }
      b.append(']');
    } else {
      quote(b, o.toString());
    }
  }

  private static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        default:
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
      }
    }
    b.append('"');
  }

  static Map<String, Object> obj(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }

  static String ints(List<Integer> l) {
    StringJoiner j = new StringJoiner(",");
    for (int i : l) j.add(Integer.toString(i));
    return j.toString();
  }

  private Kt() {}
}
