#include "mirror/migrate/model.h"

#include <librdkafka/rdkafka.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <regex>

#include "mirror/config/properties.h"

namespace mirror::migrate {

void Fields::set(const std::string& key, Value v) {
  if (auto* existing = find(key)) {
    *existing = std::move(v);
    return;
  }
  entries.emplace_back(key, std::move(v));
}

Value* Fields::find(const std::string& key) {
  for (auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

void Fields::set_property(const std::string& map_key, const std::string& name,
                          const std::string& value) {
  Value* map = find(map_key);
  if (map == nullptr) {
    entries.emplace_back(map_key, Value{Value::Kind::Map, {}, false, {}, {}});
    map = &entries.back().second;
  }
  for (auto& [k, v] : map->map) {
    if (k == name) {
      v = value;
      return;
    }
  }
  map->map.emplace_back(name, value);
}

Cluster& Output::cluster(const std::string& name) {
  for (auto& c : clusters_) {
    if (c.name == name) return c;
  }
  clusters_.push_back({name, {}});
  return clusters_.back();
}

bool Output::has_cluster(const std::string& name) const {
  return std::any_of(clusters_.begin(), clusters_.end(),
                     [&](const Cluster& c) { return c.name == name; });
}

FlowOut& Output::add_flow(const std::string& source, const std::string& target) {
  FlowOut f{flow_name(source, target), {}};
  f.fields.set("source", Value::text(source));
  f.fields.set("target", Value::text(target));
  flows_.push_back(std::move(f));
  return flows_.back();
}

void Output::note(int line, const std::string& key, const std::string& what) {
  std::string where = file_;
  if (line > 0) where += ":" + std::to_string(line);
  std::string text = where + ": " + key + ": " + what;
  // A global key applies to every flow: said once.
  for (const auto& [l, t] : notes_) {
    if (t == text) return;
  }
  notes_.emplace_back(line, std::move(text));
}

std::string Output::secret(const std::string& base, const std::string& what) {
  std::string name;
  for (char c : base) {
    name += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  }
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) name = "_" + name;
  std::string unique = name;
  for (int i = 2; env_names_.count(unique) != 0; ++i) unique = name + "_" + std::to_string(i);
  env_names_.insert(unique);
  env_.push_back({unique, what});
  return "${env:" + unique + "}";
}

namespace {

void emit_value(YAML::Emitter& e, const Value& v) {
  switch (v.kind) {
    case Value::Kind::Scalar:
      if (v.quoted) {
        e << YAML::DoubleQuoted << v.scalar;
      } else {
        e << v.scalar;
      }
      break;
    case Value::Kind::List:
      e << YAML::Flow << YAML::BeginSeq;
      for (const auto& s : v.list) e << YAML::DoubleQuoted << s;
      e << YAML::EndSeq;
      break;
    case Value::Kind::Map:
      e << YAML::BeginMap;
      for (const auto& [k, s] : v.map)
        e << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << s;
      e << YAML::EndMap;
      break;
  }
}

void emit_fields(YAML::Emitter& e, const Fields& fields) {
  for (const auto& [k, v] : fields.entries) {
    e << YAML::Key << k << YAML::Value;
    emit_value(e, v);
  }
}

}  // namespace

Migration Output::finish() const {
  YAML::Emitter e;
  e.SetIndent(2);
  e << YAML::BeginMap;
  e << YAML::Key << "clusters" << YAML::Value << YAML::BeginMap;
  for (const auto& c : clusters_) {
    e << YAML::Key << c.name << YAML::Value << YAML::BeginMap;
    emit_fields(e, c.fields);
    e << YAML::EndMap;
  }
  e << YAML::EndMap;
  e << YAML::Key << "flows" << YAML::Value << YAML::BeginSeq;
  for (const auto& f : flows_) {
    e << YAML::BeginMap << YAML::Key << "name" << YAML::Value << f.name;
    emit_fields(e, f.fields);
    e << YAML::EndMap;
  }
  e << YAML::EndSeq << YAML::EndMap;
  Migration m;
  m.yaml = "# Written by mirror migrate from " + file_ + "\n" + e.c_str() + "\n";
  auto notes = notes_;
  std::stable_sort(notes.begin(), notes.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [line, text] : notes) m.notes.push_back(std::move(text));
  m.env = env_;
  std::sort(m.env.begin(), m.env.end(),
            [](const EnvVar& a, const EnvVar& b) { return a.name < b.name; });
  return m;
}

std::string concat(std::initializer_list<std::string_view> parts) {
  size_t size = 0;
  for (auto p : parts) size += p.size();
  std::string out;
  out.reserve(size);
  for (auto p : parts) out += p;
  return out;
}

std::string flow_name(const std::string& source, const std::string& target) {
  std::string out;
  for (char c : concat({source, "-to-", target})) {
    const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool ok = std::isalnum(static_cast<unsigned char>(l)) != 0;
    if (ok) {
      out += l;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.size() > 100) out.resize(100);
  return out.empty() ? "flow" : out;
}

void keep_mm2_defaults(Output& out, FlowOut& flow) {
  if (flow.fields.find("groups_exclude") == nullptr) {
    flow.fields.set("groups_exclude",
                    Value::strings({"console-consumer-.*", "connect-.*", "__.*"}));
    out.note(0, "groups.exclude",
             "not set: MirrorMaker 2's default list written out (mirror's own default excludes no "
             "group)");
  }
  if (flow.fields.find("replication_factor") == nullptr) {
    flow.fields.set("replication_factor", Value::raw("2"));
    out.note(0, "replication.factor",
             "not set: MirrorMaker 2's default 2 written out (mirror's own -1 takes the target "
             "broker's default)");
  }
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    if (first != std::string::npos) out.push_back(item.substr(first, last - first + 1));
    start = end + 1;
  }
  return out;
}

std::optional<std::string> policy_of(const std::string& java_class) {
  const std::string base = java_class.substr(java_class.rfind('.') + 1);
  if (base == "DefaultReplicationPolicy" || base == "default") return "default";
  if (base == "IdentityReplicationPolicy" || base == "identity") return "identity";
  return std::nullopt;
}

std::optional<bool> boolean(const std::string& text) {
  std::string l;
  for (char c : text) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l == "true") return true;
  if (l == "false") return false;
  return std::nullopt;
}

std::optional<long long> integer(const std::string& text) {
  static const std::regex kInt("[-+]?[0-9]{1,18}");
  if (!std::regex_match(text, kInt)) return std::nullopt;
  return std::stoll(text);
}

namespace {

// Java client names that librdkafka spells otherwise or does not have, with what to do.
struct JavaProperty {
  std::string_view rdkafka;  // empty: none
  std::string_view note;     // why, or how it maps
};

const std::map<std::string, JavaProperty, std::less<>>& java_properties() {
  static const std::map<std::string, JavaProperty, std::less<>> table = {
      {"buffer.memory", {"queue.buffering.max.kbytes", "bytes become KiB"}},
      {"max.request.size", {"message.max.bytes", ""}},
      {"delivery.timeout.ms", {"message.timeout.ms", ""}},
      {"max.poll.records",
       {"", "librdkafka has no poll batch size; mirror drains its queue itself"}},
      {"max.poll.interval.ms", {"", "mirror polls continuously; no equivalent needed"}},
      {"key.serializer", {"", "mirror copies bytes; no serializers"}},
      {"value.serializer", {"", "mirror copies bytes; no serializers"}},
      {"key.deserializer", {"", "mirror copies bytes; no deserializers"}},
      {"value.deserializer", {"", "mirror copies bytes; no deserializers"}},
      {"ssl.truststore.password", {"", "PEM files take no store password"}},
      {"ssl.keystore.password", {"", "PEM files take no store password"}},
      {"ssl.truststore.type", {"", "librdkafka reads PEM (ssl.ca.location)"}},
      {"ssl.keystore.type",
       {"", "librdkafka reads PEM (ssl.certificate.location, ssl.key.location)"}},
      {"ssl.protocol", {"", "librdkafka negotiates the TLS version itself"}},
      {"ssl.enabled.protocols", {"", "librdkafka negotiates the TLS version itself"}},
      {"sasl.login.callback.handler.class", {"", "Java classes cannot be loaded"}},
      {"sasl.client.callback.handler.class", {"", "Java classes cannot be loaded"}},
      {"interceptor.classes", {"", "Java classes cannot be loaded"}},
      {"metric.reporters", {"", "mirror exports Prometheus metrics (docs/metrics.md)"}},
      {"client.id", {"", "mirror names its clients after the flow"}},
  };
  return table;
}

// The username and password of a PLAIN or SCRAM sasl.jaas.config; nullopt for another module.
std::optional<std::pair<std::string, std::string>> jaas_credentials(const std::string& jaas) {
  static const std::regex kModule(R"((PlainLoginModule|ScramLoginModule)\s+required)");
  if (!std::regex_search(jaas, kModule)) return std::nullopt;
  auto option = [&](const char* key) -> std::optional<std::string> {
    const std::regex re(std::string(key) + R"re(\s*=\s*"((?:[^"\\]|\\.)*)")re");
    std::smatch m;
    if (!std::regex_search(jaas, m, re)) return std::nullopt;
    return m[1].str();
  };
  auto user = option("username");
  auto password = option("password");
  if (!user || !password) return std::nullopt;
  return std::make_pair(*user, *password);
}

// Properties whose value is a secret (paths such as ssl.key.location are not).
bool is_secret(const std::string& name) {
  return name.find("password") != std::string::npos || name.find("secret") != std::string::npos ||
         name.find("token") != std::string::npos || name == "ssl.key.pem";
}

bool librdkafka_knows(const std::string& name, const std::string& value) {
  std::unique_ptr<rd_kafka_conf_t, decltype(&rd_kafka_conf_destroy)> conf(rd_kafka_conf_new(),
                                                                          rd_kafka_conf_destroy);
  char err[256];
  return rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), err, sizeof err) ==
         RD_KAFKA_CONF_OK;
}

}  // namespace

void map_client_property(Output& out, Fields& fields, const std::string& map_key,
                         const std::string& name, const std::string& value, int line,
                         const std::string& where) {
  if (name == "sasl.jaas.config") {
    auto creds = jaas_credentials(value);
    if (!creds) {
      out.note(line, name,
               "not PLAIN or SCRAM with username and password: set librdkafka's SASL properties "
               "of " +
                   where +
                   " by hand (OAUTHBEARER: sasl.oauthbearer.*; GSSAPI: "
                   "sasl.kerberos.*)");
      return;
    }
    fields.set_property(map_key, "sasl.username", creds->first);
    fields.set_property(
        map_key, "sasl.password",
        out.secret(where + "_SASL_PASSWORD", "the password in sasl.jaas.config of " + where));
    return;
  }
  if ((name == "ssl.truststore.location" || name == "ssl.keystore.location") && value.size() > 4 &&
      value.substr(value.size() - 4) == ".pem") {
    if (name == "ssl.truststore.location") {
      fields.set_property(map_key, "ssl.ca.location", value);
    } else {
      fields.set_property(map_key, "ssl.certificate.location", value);
      fields.set_property(map_key, "ssl.key.location", value);
    }
    return;
  }
  if (name == "ssl.truststore.location") {
    out.note(line, name,
             "librdkafka reads PEM: export the CA certificates of " + value +
                 " (keytool -exportcert -rfc) and set ssl.ca.location of " + where);
    return;
  }
  if (name == "ssl.keystore.location") {
    out.note(line, name,
             "librdkafka reads PEM: export the client certificate and key of " + value +
                 " and set ssl.certificate.location and ssl.key.location of " + where);
    return;
  }
  if (name == "ssl.endpoint.identification.algorithm") {
    fields.set_property(map_key, name, value.empty() ? "none" : value);
    return;
  }
  if (auto managed = config::managed_property_problem(name, value)) {
    out.note(line, name, "managed by mirror: " + *managed);
    return;
  }
  const auto& table = java_properties();
  if (auto it = table.find(name); it != table.end()) {
    if (it->second.rdkafka.empty()) {
      out.note(line, name, "no librdkafka equivalent: " + std::string(it->second.note));
      return;
    }
    std::string v = value;
    if (name == "buffer.memory") {
      if (auto bytes = integer(value)) v = std::to_string(std::max<long long>(1, *bytes / 1024));
    }
    fields.set_property(map_key, std::string(it->second.rdkafka), v);
    return;
  }
  if (is_secret(name)) {
    fields.set_property(map_key, name,
                        out.secret(where + "_" + name, "the value of " + name + " of " + where));
    return;
  }
  if (!librdkafka_knows(name, value)) {
    out.note(line, name,
             "librdkafka has no such property (or refuses '" + value +
                 "'): left out; set its librdkafka equivalent by hand");
    return;
  }
  fields.set_property(map_key, name, value);
}

}  // namespace mirror::migrate
