#include "mirror/config/parse.h"

#include <yaml-cpp/eventhandler.h>

#include <sstream>
#include <vector>

namespace mirror::config {
namespace {

// Notes where a document's root node starts, ignoring everything else.
class RootProbe : public YAML::EventHandler {
 public:
  YAML::Mark root = YAML::Mark::null_mark();

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { note(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { note(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    note(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    note(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    note(mark);
  }
  void OnMapEnd() override {}

 private:
  void note(const YAML::Mark& mark) {
    if (!seen_) root = mark;
    seen_ = true;
  }
  bool seen_ = false;
};

Location location_of(const Reader& reader, const YAML::Mark& mark) {
  if (mark.line < 0 || mark.column < 0) return Location{reader.file(), 0, 0};
  return Location{reader.file(), mark.line + 1, mark.column + 1};
}

}  // namespace

std::optional<YAML::Node> parse_root_mapping(Reader& reader, const std::string& text) {
  // First walk the documents without building nodes. yaml-cpp 0.7 neither rejects a stray token
  // at the root (such as a lone ',') nor consumes it: YAML::LoadAll would then produce empty
  // documents forever. A document that starts where the previous one did is that case.
  constexpr size_t kDocumentsToLookAt = 3;
  std::vector<YAML::Mark> roots;
  YAML::Node root;
  try {
    std::istringstream input(text);
    YAML::Parser parser(input);
    while (roots.size() < kDocumentsToLookAt) {
      RootProbe probe;
      if (!parser.HandleNextDocument(probe)) break;
      if (!roots.empty() && probe.root.pos == roots.back().pos) {
        std::string token = probe.root.pos >= 0 && static_cast<size_t>(probe.root.pos) < text.size()
                                ? quote(text.substr(probe.root.pos, 1))
                                : "token";
        reader.error(location_of(reader, probe.root), "YAML syntax error: unexpected " + token);
        return std::nullopt;
      }
      roots.push_back(probe.root);
    }
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    reader.error(location_of(reader, e.mark), "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
  if (roots.empty() || root.IsNull()) {
    reader.error(Location{reader.file(), 0, 0}, "the file is empty");
    return std::nullopt;
  }
  if (roots.size() > 1) {
    reader.error(location_of(reader, roots[1]), "a second YAML document: a file holds exactly one");
  }
  if (!root.IsMap()) {
    reader.error(reader.at(root),
                 "expected a mapping at the top level, got " + describe_kind(root));
    return std::nullopt;
  }
  return root;
}

}  // namespace mirror::config
