// mm2: MirrorMaker 2's dedicated mode, a Java properties file. Keys are looked up as MM2 does:
// `A->B.<key>` for flow A->B, then `<key>`; `<alias>.<client key>` are cluster A's client
// settings, `<alias>.consumer.` / `.producer.` / `.admin.` those of its clients in one role.
#include <map>
#include <optional>
#include <set>

#include "mirror/migrate/mm2_keys.h"
#include "mirror/migrate/model.h"

namespace mirror::migrate {

namespace {

struct Entry {
  std::string value;
  int line = 0;
};

// Java's Properties.load: `key = value`, `key: value` or `key value`; # and ! comments; a
// trailing backslash continues the line; \t \n \r \f \uXXXX and \<char> escapes.
Result<std::map<std::string, Entry>> parse_properties(std::string_view text,
                                                      const std::string& file) {
  std::map<std::string, Entry> out;
  std::vector<std::pair<std::string, int>> logical;  // joined lines, with the first line's number
  {
    int number = 0;
    std::string pending;
    int pending_line = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string line(text.substr(pos, end - pos));
      pos = end + 1;
      ++number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      size_t first = line.find_first_not_of(" \t\f");
      if (pending.empty()) {
        if (first == std::string::npos || line[first] == '#' || line[first] == '!') continue;
        pending_line = number;
      }
      line = first == std::string::npos ? "" : line.substr(first);
      size_t slashes = 0;
      while (slashes < line.size() && line[line.size() - 1 - slashes] == '\\') ++slashes;
      if (slashes % 2 == 1) {
        pending += line.substr(0, line.size() - 1);
        continue;
      }
      logical.emplace_back(pending + line, pending_line);
      pending.clear();
      if (end == text.size()) break;
    }
    if (!pending.empty()) logical.emplace_back(pending, pending_line);
  }
  for (const auto& [line, number] : logical) {
    std::string key;
    std::string value;
    bool in_key = true;
    bool separated = false;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      std::string& to = in_key ? key : value;
      if (c == '\\' && i + 1 < line.size()) {
        const char n = line[++i];
        if (n == 'u') {
          const bool hex = i + 4 < line.size() &&
                           line.substr(i + 1, 4).find_first_not_of("0123456789abcdefABCDEF") ==
                               std::string::npos;
          if (!hex)
            return Error{file + ":" + std::to_string(number) + ": malformed \\uXXXX escape"};
          const unsigned code = std::stoul(line.substr(i + 1, 4), nullptr, 16);
          i += 4;
          if (code < 0x80) {
            to += static_cast<char>(code);
          } else if (code < 0x800) {
            to += static_cast<char>(0xC0 | (code >> 6));
            to += static_cast<char>(0x80 | (code & 0x3F));
          } else {
            to += static_cast<char>(0xE0 | (code >> 12));
            to += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            to += static_cast<char>(0x80 | (code & 0x3F));
          }
        } else {
          to += n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n == 'f' ? '\f' : n;
        }
        continue;
      }
      if (in_key && (c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f')) {
        in_key = false;
        // Whitespace, then at most one = or :, then whitespace.
        size_t j = i;
        while (j < line.size() && (line[j] == ' ' || line[j] == '\t' || line[j] == '\f')) ++j;
        if (!separated && j < line.size() && (line[j] == '=' || line[j] == ':')) ++j;
        separated = true;
        while (j < line.size() && (line[j] == ' ' || line[j] == '\t' || line[j] == '\f')) ++j;
        i = j - 1;
        continue;
      }
      to += c;
    }
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    out[key] = {value, number};
  }
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

Result<Migration> migrate_mm2(std::string_view text, const std::string& file) {
  auto parsed = parse_properties(text, file);
  if (!parsed.ok()) return parsed.error();
  const auto& props = parsed.value();
  Output out(file);
  std::set<std::string> used;  // keys mapped or noted

  auto clusters_entry = props.find("clusters");
  if (clusters_entry == props.end()) {
    return Error{file +
                 ": no 'clusters' key: not a MirrorMaker 2 dedicated-mode file (it lists "
                 "the cluster aliases, e.g. clusters = A, B)"};
  }
  used.insert("clusters");
  const auto aliases = split_list(clusters_entry->second.value);
  if (aliases.empty())
    return Error{file + ":" + std::to_string(clusters_entry->second.line) +
                 ": clusters: no aliases"};
  const std::set<std::string> alias_set(aliases.begin(), aliases.end());

  // Clusters: bootstrap servers and client settings (global ones apply to every cluster).
  for (const auto& alias : aliases) {
    auto& c = out.cluster(alias);
    auto bs = props.find(alias + ".bootstrap.servers");
    if (bs == props.end()) {
      return Error{concat({file, ": cluster '", alias, "' has no ", alias, ".bootstrap.servers"})};
    }
    used.insert(bs->first);
    std::string joined;
    for (const auto& s : split_list(bs->second.value)) joined += (joined.empty() ? "" : ",") + s;
    c.fields.set("bootstrap_servers", Value::text(joined));
  }
  for (const auto& [key, entry] : props) {
    if (is_client_key(key)) {  // global: every cluster
      used.insert(key);
      for (const auto& alias : aliases) {
        map_client_property(out, out.cluster(alias).fields, "properties", key, entry.value,
                            entry.line, alias);
      }
    }
  }
  for (const auto& [key, entry] : props) {
    const auto dot = key.find('.');
    if (dot == std::string::npos || key.find("->") != std::string::npos) continue;
    const std::string alias = key.substr(0, dot);
    const std::string rest = key.substr(dot + 1);
    if (alias_set.count(alias) == 0 || rest == "bootstrap.servers") continue;
    if (starts_with(rest, "consumer.") || starts_with(rest, "producer.") ||
        starts_with(rest, "admin."))
      continue;
    used.insert(key);
    if (is_client_key(rest)) {
      map_client_property(out, out.cluster(alias).fields, "properties", rest, entry.value,
                          entry.line, alias);
    } else {
      out.note(entry.line, key, "a cluster-level setting mirror has no place for; left out");
    }
  }

  // Flows: every A->B.enabled = true pair of the aliases (MM2 runs no flow that is not enabled).
  // Looked up per pair, as MM2 does, so aliases with dots in them work.
  std::set<std::string> flow_prefixes;  // "A->B." of the pairs that have an .enabled key
  for (const auto& [key, entry] : props) {
    const auto arrow = key.find("->");
    if (arrow == std::string::npos) continue;
    const std::string source = key.substr(0, arrow);
    const std::string after = key.substr(arrow + 2);
    std::string target;  // the longest alias `after` starts with, followed by a dot
    for (const auto& a : aliases) {
      if (starts_with(after, a + ".") && a.size() > target.size()) target = a;
    }
    if (alias_set.count(source) == 0 || target.empty()) {
      const std::string side =
          alias_set.count(source) == 0 ? source : after.substr(0, after.find('.'));
      return Error{concat({file, ":", std::to_string(entry.line), ": ", key, ": '", side,
                           "' is not one of the clusters (", clusters_entry->second.value, ")"})};
    }
    if (after == concat({target, ".enabled"}))
      flow_prefixes.insert(concat({source, "->", target, "."}));
  }
  for (const auto& source : aliases) {
    for (const auto& target : aliases) {
      const std::string key = concat({source, "->", target, ".enabled"});
      auto it = props.find(key);
      if (source == target || it == props.end()) continue;
      const auto& entry = it->second;
      used.insert(key);
      auto enabled = boolean(entry.value);
      if (!enabled) {
        return Error{
            concat({file, ":", std::to_string(entry.line), ": ", key, ": want true or false"})};
      }
      if (!*enabled) {
        out.note(entry.line, key, "false: no flow written");
        continue;
      }
      auto& flow = out.add_flow(source, target);
      const std::string prefix = concat({source, "->", target, "."});
      // The flow's keys: A->B.<key> wins over <key>.
      std::map<std::string, Entry> keys;
      for (const auto& [k, e] : props) {
        if (!is_flow_key(k) || k.find("->") != std::string::npos) continue;
        const auto d = k.find('.');
        if (d != std::string::npos && alias_set.count(k.substr(0, d)) != 0) continue;
        keys[k] = e;
      }
      for (const auto& [k, e] : props) {
        if (starts_with(k, prefix)) keys[k.substr(prefix.size())] = e;
      }
      for (const auto& [k, e] : keys) {
        if (k == "enabled") continue;
        if (starts_with(k, "consumer.") || starts_with(k, "producer.")) {
          const bool consumer = starts_with(k, "consumer.");
          map_client_property(out, flow.fields, consumer ? "consumer" : "producer", k.substr(9),
                              e.value, e.line, flow.name);
          continue;
        }
        if (!is_flow_key(k)) {
          out.note(e.line, prefix + k, "not a MirrorMaker 2 setting mirror knows; left out");
          continue;
        }
        map_flow_key(out, flow, k, e.value, e.line);
      }
      // Role-specific client settings of its clusters.
      for (const auto& [k, e] : props) {
        if (starts_with(k, source + ".consumer.")) {
          map_client_property(out, flow.fields, "consumer", k.substr(source.size() + 10), e.value,
                              e.line, flow.name);
        } else if (starts_with(k, target + ".producer.")) {
          map_client_property(out, flow.fields, "producer", k.substr(target.size() + 10), e.value,
                              e.line, flow.name);
        }
      }
    }
  }
  for (auto& flow : out.flows()) keep_mm2_defaults(out, flow);
  for (const auto& [k, e] : props) {
    if (used.count(k) != 0) continue;
    const auto d = k.find('.');
    const std::string alias = d == std::string::npos ? "" : k.substr(0, d);
    const std::string rest = d == std::string::npos ? "" : k.substr(d + 1);
    if (alias_set.count(alias) != 0 &&
        (starts_with(rest, "consumer.") || starts_with(rest, "producer."))) {
      continue;  // applied to the flows reading from / writing to it
    }
    if (alias_set.count(alias) != 0 && starts_with(rest, "admin.")) {
      out.note(e.line, k, "mirror's admin clients use the cluster's properties; left out");
      continue;
    }
    if (k.find("->") != std::string::npos) {
      bool of_a_flow = false;
      for (const auto& prefix : flow_prefixes) of_a_flow = of_a_flow || starts_with(k, prefix);
      if (!of_a_flow)
        out.note(e.line, k, "no such flow is enabled (A->B.enabled = true): left out");
      continue;  // the flow's own keys were mapped above
    }
    if (is_flow_key(k)) continue;  // mapped into every flow (or noted there)
    out.note(e.line, k, unknown_key_note(k));
  }
  if (out.flows().empty()) {
    out.note(0, "->.enabled",
             "no replication flow is enabled (A->B.enabled = true): the output has no flows");
  }
  return out.finish();
}

}  // namespace mirror::migrate
