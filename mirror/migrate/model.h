// What the three readers (mm2.cc, strimzi.cc, aiven.cc) build, and how it is written out: clusters
// and flows as ordered key/value lists, emitted as mirror YAML in the order they were added.
#pragma once

#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mirror/migrate/migrate.h"

namespace mirror::migrate {

// A YAML value: a scalar (written as given; `quoted` forces quotes), a list of strings, or a map
// of strings (librdkafka properties).
struct Value {
  enum class Kind { Scalar, List, Map } kind = Kind::Scalar;
  std::string scalar;
  bool quoted = false;
  std::vector<std::string> list;
  std::vector<std::pair<std::string, std::string>> map;

  static Value text(std::string s) { return {Kind::Scalar, std::move(s), true, {}, {}}; }
  static Value raw(std::string s) { return {Kind::Scalar, std::move(s), false, {}, {}}; }
  static Value strings(std::vector<std::string> l) {
    return {Kind::List, {}, false, std::move(l), {}};
  }
};

// Ordered keys; set() replaces a key's value in place.
struct Fields {
  std::vector<std::pair<std::string, Value>> entries;
  void set(const std::string& key, Value v);
  Value* find(const std::string& key);
  // For the `properties` / `consumer` / `producer` maps: adds or replaces one property.
  void set_property(const std::string& map_key, const std::string& name, const std::string& value);
};

struct Cluster {
  std::string name;
  Fields fields;  // bootstrap_servers, properties
};

struct FlowOut {
  std::string name;
  Fields fields;  // source, target, topics, ...
};

class Output {
 public:
  explicit Output(std::string file) : file_(std::move(file)) {}

  Cluster& cluster(const std::string& name);  // added on first use
  bool has_cluster(const std::string& name) const;
  FlowOut& add_flow(const std::string& source, const std::string& target);
  std::vector<FlowOut>& flows() { return flows_; }

  // A note about `key` at `line` (0: no line): what happens instead of it.
  void note(int line, const std::string& key, const std::string& what);
  // A secret replaced by ${env:NAME}: returns the reference. NAME is made of `base` (upper case,
  // non-alphanumerics as '_'), unique in this output.
  std::string secret(const std::string& base, const std::string& what);
  const std::string& file() const { return file_; }

  Migration finish() const;

 private:
  std::string file_;
  std::vector<Cluster> clusters_;
  std::vector<FlowOut> flows_;
  std::vector<std::pair<int, std::string>> notes_;  // by line; 0 (no line) first
  std::vector<EnvVar> env_;
  std::set<std::string> env_names_;
};

// The parts joined into one string (one allocation; for messages built in loops).
std::string concat(std::initializer_list<std::string_view> parts);

// A flow name mirror accepts ([a-z0-9][a-z0-9-]*) from "<source>-to-<target>".
std::string flow_name(const std::string& source, const std::string& target);

// MirrorMaker 2's defaults where mirror's differ, written into `flow` for keys it does not set:
// groups_exclude (MM2 excludes console-consumer-.*, connect-.*, __.*) and replication_factor
// (MM2: 2), each with a note. For MM2 and Strimzi input, which run with those defaults.
void keep_mm2_defaults(Output& out, FlowOut& flow);

// "a, b ,c" -> {"a", "b", "c"} (empty items dropped).
std::vector<std::string> split_list(const std::string& text);

// MM2's replication.policy.class -> "default" / "identity"; nullopt for another class.
std::optional<std::string> policy_of(const std::string& java_class);

// "true"/"false" in any case -> bool; nullopt otherwise.
std::optional<bool> boolean(const std::string& text);

// Decimal integer text (optional sign) or nullopt.
std::optional<long long> integer(const std::string& text);

// A Kafka client property (Java client name) for librdkafka: how it maps, in one place for the
// three readers. `apply` sets it on `fields` under `map_key` (properties / consumer / producer),
// or notes why not. `where` names the cluster or flow for messages and env variable names.
void map_client_property(Output& out, Fields& fields, const std::string& map_key,
                         const std::string& name, const std::string& value, int line,
                         const std::string& where);

}  // namespace mirror::migrate
