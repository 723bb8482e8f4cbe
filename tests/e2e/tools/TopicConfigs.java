package e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Topic config and partition commands (topic config sync and partition growth scenarios):
 * topic-configs (every config of a topic, and which ones are set on the topic itself),
 * alter-topic-config (incremental set/delete), add-partitions (grow a topic to N partitions and
 * wait until each has a leader).
 */
final class TopicConfigs {
  // kt topic-configs --bootstrap B --topic T
  static int describe(Kt.Args a) throws Exception {
    String topic = a.str("topic");
    ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Map<String, Object> explicit = new TreeMap<>();
    Map<String, Object> all = new TreeMap<>();
    try (Admin admin = Topics.admin(a.client(""))) {
      if (Topics.describe(admin, topic) == null) {
        System.out.println(Kt.json(Kt.obj("topic", topic, "exists", false)));
        return 1;
      }
      Config c = admin.describeConfigs(List.of(res)).all().get(30, TimeUnit.SECONDS).get(res);
      for (ConfigEntry e : c.entries()) {
        all.put(e.name(), e.value());
        if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
          explicit.put(e.name(), e.value());
          System.out.println("topic-configs: " + topic + " " + e.name() + "=" + e.value());
        }
      }
    }
    System.out.println(Kt.json(Kt.obj("topic", topic, "exists", true, "explicit", explicit, "all", all)));
    return 0;
  }

  // kt alter-topic-config --bootstrap B --topic T [--set k=v]... [--delete k]...
  static int alter(Kt.Args a) throws Exception {
    String topic = a.str("topic");
    ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    List<AlterConfigOp> ops = new ArrayList<>();
    for (String kv : a.all("set")) {
      int eq = kv.indexOf('=');
      if (eq <= 0) throw new Kt.UsageError("--set wants k=v, got " + kv);
      ops.add(new AlterConfigOp(new ConfigEntry(kv.substring(0, eq), kv.substring(eq + 1)), AlterConfigOp.OpType.SET));
    }
    for (String k : a.all("delete")) ops.add(new AlterConfigOp(new ConfigEntry(k, null), AlterConfigOp.OpType.DELETE));
    if (ops.isEmpty()) throw new Kt.UsageError("--set k=v or --delete k is required");
    try (Admin admin = Topics.admin(a.client(""))) {
      admin.incrementalAlterConfigs(Map.of(res, ops)).all().get(30, TimeUnit.SECONDS);
    }
    System.out.println("alter-topic-config: " + topic + " set " + a.all("set") + " delete " + a.all("delete"));
    System.out.println(Kt.json(Kt.obj("topic", topic, "set", a.all("set"), "delete", a.all("delete"))));
    return 0;
  }

  // kt add-partitions --bootstrap B --topic T --total N [--timeout S]
  static int addPartitions(Kt.Args a) throws Exception {
    String topic = a.str("topic");
    int total = (int) a.num("total", -1);
    if (total <= 0) throw new Kt.UsageError("--total N is required");
    long deadline = System.currentTimeMillis() + a.num("timeout", 60) * 1000;
    try (Admin admin = Topics.admin(a.client(""))) {
      admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(total))).all().get(60, TimeUnit.SECONDS);
      while (true) {
        TopicDescription d = Topics.describe(admin, topic);
        if (d != null && d.partitions().size() == total
            && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
          break;
        }
        if (System.currentTimeMillis() > deadline) {
          System.err.println("add-partitions: " + topic + " does not have " + total + " partitions with leaders");
          return 1;
        }
        Thread.sleep(200);
      }
    }
    System.out.println("add-partitions: " + topic + " now has " + total + " partitions");
    System.out.println(Kt.json(Kt.obj("topic", topic, "partitions", total)));
    return 0;
  }

  private TopicConfigs() {}
}
