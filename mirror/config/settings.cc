#include "mirror/config/settings.h"

#include <cctype>

namespace mirror::config {

std::string yaml_string(const std::string& text) {
  bool plain = !text.empty() && (std::isalnum(static_cast<unsigned char>(text[0])) != 0) &&
               text.find_first_not_of(
                   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                   "0123456789_.:/-") == std::string::npos;
  if (plain) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string yaml_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const std::string& item : items) {
    if (out.size() > 1) out += ", ";
    std::string quoted = yaml_string(item);
    out += quoted.starts_with('"') ? quoted : "\"" + quoted + "\"";
  }
  return out + "]";
}

std::string markdown_cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string code_cell(const std::string& text) {
  return "`" + markdown_cell(text) + "`";
}

std::string unknown_key_message(const std::string& key, const std::string& what,
                                const std::vector<std::string>& known) {
  constexpr size_t kListKeysUpTo = 6;  // the config file's top level has six
  std::string message = "unknown key " + quote(key) + " in " + what;
  if (key == "<<") return message + ": YAML merge keys are not supported";
  if (std::optional<std::string> suggestion = nearest(key, known)) {
    return message + "; did you mean '" + *suggestion + "'?";
  }
  if (known.size() <= kListKeysUpTo) {
    std::string list;
    for (const std::string& name : known) list += (list.empty() ? "" : ", ") + name;
    return message + " (expected " + list + ")";
  }
  return message;
}

}  // namespace mirror::config
