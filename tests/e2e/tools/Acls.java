package e2e;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Topic ACL commands (topic ACL sync scenarios), with Kafka's own Admin client: acls (the literal
 * ACLs of a topic, or of every topic), create-acl and delete-acl (one literal topic ACL). The
 * principals are data: nobody logs in as them.
 */
final class Acls {
  // kt acls --bootstrap B [--topic T]
  static int list(Kt.Args a) throws Exception {
    String topic = a.str("topic", null);
    AclBindingFilter filter = new AclBindingFilter(
        new ResourcePatternFilter(ResourceType.TOPIC, topic, PatternType.LITERAL), AccessControlEntryFilter.ANY);
    List<Object> out = new ArrayList<>();
    try (Admin admin = Topics.admin(a.client(""))) {
      Collection<AclBinding> acls = admin.describeAcls(filter).values().get(30, TimeUnit.SECONDS);
      for (AclBinding b : acls) {
        AccessControlEntry e = b.entry();
        System.out.println("acls: " + b);
        out.add(Kt.obj("topic", b.pattern().name(), "principal", e.principal(), "host", e.host(),
            "operation", e.operation().name(), "permission", e.permissionType().name()));
      }
    }
    System.out.println(Kt.json(Kt.obj("acls", out)));
    return 0;
  }

  // kt create-acl --bootstrap B --topic T --principal P --operation OP --permission ALLOW|DENY [--host H]
  static int create(Kt.Args a) throws Exception {
    AclBinding b = binding(a);
    try (Admin admin = Topics.admin(a.client(""))) {
      admin.createAcls(List.of(b)).all().get(30, TimeUnit.SECONDS);
    }
    System.out.println("create-acl: " + b);
    System.out.println(Kt.json(Kt.obj("created", b.toString())));
    return 0;
  }

  // kt delete-acl --bootstrap B --topic T --principal P --operation OP --permission ALLOW|DENY [--host H]
  static int delete(Kt.Args a) throws Exception {
    AclBinding b = binding(a);
    int deleted;
    try (Admin admin = Topics.admin(a.client(""))) {
      deleted = admin.deleteAcls(List.of(b.toFilter())).all().get(30, TimeUnit.SECONDS).size();
    }
    System.out.println("delete-acl: " + b + " (" + deleted + " deleted)");
    System.out.println(Kt.json(Kt.obj("deleted", deleted)));
    return deleted > 0 ? 0 : 1;
  }

  private static AclBinding binding(Kt.Args a) {
    return new AclBinding(new ResourcePattern(ResourceType.TOPIC, a.str("topic"), PatternType.LITERAL),
        new AccessControlEntry(a.str("principal"), a.str("host", "*"),
            AclOperation.fromString(a.str("operation")), AclPermissionType.fromString(a.str("permission"))));
  }

  private Acls() {}
}
