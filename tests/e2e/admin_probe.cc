// admin_probe: the ClusterAdmin of a real cluster (mirror/kafka/admin.h, make_admin) from the
// command line, one operation per run, the answer as JSON on stdout. Driven by test_admin.py,
// which judges the answers with the Java tools (kt).
//
//   admin_probe BOOTSTRAP describe-configs TOPIC...
//   admin_probe BOOTSTRAP alter-configs TOPIC NAME=VALUE...
//   admin_probe BOOTSTRAP list-groups
//   admin_probe BOOTSTRAP group-offsets GROUP
//   admin_probe BOOTSTRAP describe-group GROUP
//   admin_probe BOOTSTRAP commit-offsets GROUP TOPIC:PARTITION:OFFSET[:METADATA]...
//   admin_probe BOOTSTRAP hold-member GROUP TOPIC SECONDS
//
// hold-member is no admin operation: it keeps one subscribed consumer in GROUP for SECONDS
// (printing {"assigned": N} once it has its partitions) so that a test has a group with a member.
//
// Exit status 0 with the answer, 1 with {"error": ..., "code": ...} when the operation failed,
// 2 on a usage error. ADMIN_PROBE_TIMEOUT_MS (default 15000) is each operation's deadline.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "mirror/kafka/admin.h"
#include "mirror/kafka/handles.h"

namespace {

using namespace mirror;
using namespace mirror::kafka;

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

const char* boolean(bool b) {
  return b ? "true" : "false";
}

int fail(const Error& e) {
  std::cout << "{\"error\": " << quote(e.message) << ", \"code\": " << e.code << "}\n";
  return 1;
}

int usage() {
  std::cerr
      << "usage: admin_probe BOOTSTRAP (describe-configs TOPIC... | alter-configs TOPIC K=V... |"
         " list-groups | group-offsets GROUP | describe-group GROUP |"
         " commit-offsets GROUP TOPIC:PARTITION:OFFSET[:METADATA]... | hold-member GROUP TOPIC "
         "SECONDS)\n";
  return 2;
}

// A consumer in `group` subscribed to `topic` for `seconds`; commits nothing.
int hold_member(const std::string& bootstrap, const std::string& group, const std::string& topic,
                int seconds) {
  auto conf = make_conf({{"bootstrap.servers", bootstrap},
                         {"group.id", group},
                         {"enable.auto.commit", "false"},
                         {"log_level", "3"}},
                        {});
  if (!conf.ok()) return fail(conf.error());
  auto consumer = make_client(ClientType::Consumer, std::move(conf.value()));
  if (!consumer.ok()) return fail(consumer.error());
  rd_kafka_poll_set_consumer(consumer->get());
  PartitionListPtr topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  if (const auto err = rd_kafka_subscribe(consumer->get(), topics.get());
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return fail(make_error(std::string("subscribe: ") + rd_kafka_err2str(err), err));
  }
  const Deadline until = deadline_in(std::chrono::seconds(seconds));
  bool announced = false;
  while (remaining_ms(until) > 0) {
    MessagePtr msg(rd_kafka_consumer_poll(consumer->get(), 100));
    rd_kafka_topic_partition_list_t* assigned = nullptr;
    if (!announced &&
        rd_kafka_assignment(consumer->get(), &assigned) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      PartitionListPtr owned(assigned);
      if (owned->cnt > 0) {
        std::cout << "{\"assigned\": " << owned->cnt << "}" << std::endl;
        announced = true;
      }
    }
  }
  auto st = close_consumer(consumer->get(), deadline_in(std::chrono::seconds(30)));
  if (!st.ok()) return fail(st.error());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  const std::string bootstrap = argv[1];
  const std::string op = argv[2];
  const std::vector<std::string> args(argv + 3, argv + argc);
  const char* timeout_env = std::getenv("ADMIN_PROBE_TIMEOUT_MS");
  const auto timeout =
      std::chrono::milliseconds(timeout_env != nullptr ? std::atol(timeout_env) : 15000);

  if (op == "hold-member") {
    if (args.size() != 3) return usage();
    return hold_member(bootstrap, args[0], args[1], std::atoi(args[2].c_str()));
  }

  auto conf = make_conf({{"bootstrap.servers", bootstrap}, {"log_level", "3"}}, {});
  if (!conf.ok()) return fail(conf.error());
  auto client = make_client(ClientType::Producer, std::move(conf.value()));
  if (!client.ok()) return fail(client.error());
  auto admin = make_admin(client->get());
  const Deadline deadline = deadline_in(timeout);

  if (op == "describe-configs") {
    if (args.empty()) return usage();
    auto r = admin->describe_topic_configs(args, deadline);
    if (!r.ok()) return fail(r.error());
    std::ostringstream out;
    out << "{";
    const char* tsep = "";
    for (const auto& [topic, configs] : *r) {
      out << tsep << quote(topic) << ": {";
      tsep = ", ";
      const char* csep = "";
      for (const auto& [name, e] : configs) {
        out << csep << quote(name) << ": {\"value\": " << quote(e.value)
            << ", \"is_default\": " << boolean(e.is_default)
            << ", \"read_only\": " << boolean(e.read_only)
            << ", \"sensitive\": " << boolean(e.sensitive) << "}";
        csep = ", ";
      }
      out << "}";
    }
    std::cout << out.str() << "}\n";
    return 0;
  }
  if (op == "alter-configs") {
    if (args.size() < 2) return usage();
    std::map<std::string, std::string> set;
    for (size_t i = 1; i < args.size(); ++i) {
      const auto eq = args[i].find('=');
      if (eq == std::string::npos) return usage();
      set[args[i].substr(0, eq)] = args[i].substr(eq + 1);
    }
    auto st = admin->alter_topic_configs(args[0], set, deadline);
    if (!st.ok()) return fail(st.error());
    std::cout << "{}\n";
    return 0;
  }
  if (op == "list-groups") {
    auto r = admin->list_groups(deadline);
    if (!r.ok()) return fail(r.error());
    std::cout << "[";
    for (size_t i = 0; i < r->size(); ++i) std::cout << (i == 0 ? "" : ", ") << quote((*r)[i]);
    std::cout << "]\n";
    return 0;
  }
  if (op == "group-offsets") {
    if (args.size() != 1) return usage();
    auto r = admin->group_offsets(args[0], deadline);
    if (!r.ok()) return fail(r.error());
    std::cout << "[";
    const char* sep = "";
    for (const auto& [tp, c] : *r) {
      std::cout << sep << "{\"topic\": " << quote(tp.first) << ", \"partition\": " << tp.second
                << ", \"offset\": " << c.offset << ", \"metadata\": " << quote(c.metadata) << "}";
      sep = ", ";
    }
    std::cout << "]\n";
    return 0;
  }
  if (op == "describe-group") {
    if (args.size() != 1) return usage();
    auto r = admin->describe_group(args[0], deadline);
    if (!r.ok()) return fail(r.error());
    std::cout << "{\"exists\": " << boolean(r->exists) << ", \"members\": " << r->members
              << ", \"state\": " << quote(r->state) << "}\n";
    return 0;
  }
  if (op == "commit-offsets") {
    if (args.size() < 2) return usage();
    GroupOffsets offsets;
    for (size_t i = 1; i < args.size(); ++i) {
      // TOPIC:PARTITION:OFFSET[:METADATA]; the topic may not contain ':' here.
      const auto a = args[i].find(':');
      const auto b = a == std::string::npos ? a : args[i].find(':', a + 1);
      if (b == std::string::npos) return usage();
      const auto c = args[i].find(':', b + 1);
      CommittedOffset committed;
      committed.offset =
          std::atoll(args[i].substr(b + 1, c == std::string::npos ? c : c - b - 1).c_str());
      if (c != std::string::npos) committed.metadata = args[i].substr(c + 1);
      offsets[{args[i].substr(0, a), std::atoi(args[i].substr(a + 1, b - a - 1).c_str())}] =
          committed;
    }
    auto st = admin->commit_group_offsets(args[0], offsets, deadline);
    if (!st.ok()) return fail(st.error());
    std::cout << "{}\n";
    return 0;
  }
  return usage();
}
