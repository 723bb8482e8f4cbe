package e2e;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * kt format --node CLUSTER_ID=server.properties ...: formats KRaft storage of several nodes in one
 * JVM (kafka.tools.StorageTool format --ignore-formatted for each), which is much quicker on two
 * cores than one StorageTool JVM per node.
 */
final class Format {
  static int run(Kt.Args a) {
    int rc = 0;
    for (String spec : a.all("node")) {
      int eq = spec.indexOf('=');
      if (eq <= 0) throw new Kt.UsageError("--node wants CLUSTER_ID=server.properties, got " + spec);
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      int r;
      try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
        r = kafka.tools.StorageTool.execute(new String[] {"format", "-t", spec.substring(0, eq), "-c",
            spec.substring(eq + 1), "--ignore-formatted"}, out);
      }
      System.out.print(buf.toString(StandardCharsets.UTF_8));
      if (r != 0) {
        System.err.println("format: " + spec.substring(eq + 1) + " failed (" + r + ")");
        rc = 1;
      }
    }
    System.out.println(Kt.json(Kt.obj("formatted", a.all("node").size(), "ok", rc == 0)));
    return rc;
  }

  private Format() {}
}
