package e2e;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * kt format --node CLUSTER_ID=server.properties ...: formats KRaft storage of several nodes in one
 * JVM (kafka.tools.StorageTool format --ignore-formatted for each), which is much quicker on two
 * cores than one StorageTool JVM per node. --scram CLUSTER_ID=MECHANISM=[name=U,password=P] adds a
 * SCRAM user to the bootstrap metadata of every node of that cluster (StorageTool --add-scram).
 */
final class Format {
  static int run(Kt.Args a) {
    int rc = 0;
    Map<String, List<String>> scram = new HashMap<>();
    for (String spec : a.all("scram")) {
      int eq = spec.indexOf('=');
      if (eq <= 0) throw new Kt.UsageError("--scram wants CLUSTER_ID=MECHANISM=[name=U,password=P]");
      scram.computeIfAbsent(spec.substring(0, eq), k -> new ArrayList<>()).add(spec.substring(eq + 1));
    }
    for (String spec : a.all("node")) {
      int eq = spec.indexOf('=');
      if (eq <= 0) throw new Kt.UsageError("--node wants CLUSTER_ID=server.properties, got " + spec);
      String id = spec.substring(0, eq);
      List<String> args = new ArrayList<>(List.of("format", "-t", id, "-c", spec.substring(eq + 1),
          "--ignore-formatted"));
      for (String entry : scram.getOrDefault(id, List.of())) {
        args.add("--add-scram");
        args.add(entry);
      }
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      int r;
      try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
        r = kafka.tools.StorageTool.execute(args.toArray(new String[0]), out);
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
