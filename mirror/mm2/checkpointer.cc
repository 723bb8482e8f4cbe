#include "mirror/mm2/checkpointer.h"

namespace mirror::mm2 {
namespace {

Result<std::vector<std::regex>> compile(const std::vector<std::string>& patterns,
                                        const char* what) {
  std::vector<std::regex> out;
  for (const auto& p : patterns) {
    try {
      out.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      return make_error(std::string(what) + ": bad regex '" + p + "': " + e.what(), 0, false);
    }
  }
  return out;
}

bool any_match(const std::vector<std::regex>& res, const std::string& s) {
  for (const auto& re : res) {
    if (std::regex_match(s, re)) return true;
  }
  return false;
}

}  // namespace

Result<GroupFilter> GroupFilter::make(const std::vector<std::string>& include,
                                      const std::vector<std::string>& exclude,
                                      std::string own_group) {
  GroupFilter f;
  auto inc = compile(include, "groups");
  if (!inc.ok()) return inc.error();
  auto exc = compile(exclude, "groups_exclude");
  if (!exc.ok()) return exc.error();
  f.include_ = std::move(inc.value());
  f.exclude_ = std::move(exc.value());
  f.own_group_ = std::move(own_group);
  return f;
}

bool GroupFilter::matches(const std::string& group) const {
  return group != own_group_ && !is_position_group(group) && any_match(include_, group) &&
         !any_match(exclude_, group);
}

bool GroupFilter::is_position_group(std::string_view group) {
  constexpr std::string_view kPrefix = "mirror-";
  constexpr std::string_view kSuffix = "-exactly-once";
  return group.size() > kPrefix.size() + kSuffix.size() &&
         group.substr(0, kPrefix.size()) == kPrefix &&
         group.substr(group.size() - kSuffix.size()) == kSuffix;
}

Result<RoundReport> Checkpointer::translate(kafka::ClusterAdmin& source,
                                            kafka::Deadline deadline) const {
  auto groups = source.list_groups(deadline);
  if (!groups.ok()) return groups.error();
  RoundReport report;
  for (const auto& group : *groups) {
    if (!filter_.matches(group)) continue;
    auto offsets = source.group_offsets(group, deadline);
    if (!offsets.ok()) {
      report.problems.push_back("group '" + group + "': " + offsets.error().message);
      continue;
    }
    GroupTranslation t;
    t.group = group;
    for (const auto& [tp, committed] : *offsets) {
      const auto& [topic, partition] = tp;
      if (committed.offset < 0) continue;
      if (!store_.owned(topic, partition)) continue;  // another instance's to checkpoint
      auto downstream = store_.translate(topic, partition, committed.offset);
      if (!downstream) continue;  // not replicated by this flow, or not yet translatable
      t.checkpoints.push_back(Checkpoint{group, naming_.target_topic(topic), partition,
                                         committed.offset, *downstream, committed.metadata});
    }
    if (!t.checkpoints.empty()) report.groups.push_back(std::move(t));
  }
  return report;
}

Checkpointer::SyncReport Checkpointer::sync(kafka::ClusterAdmin& target,
                                            const std::vector<GroupTranslation>& groups,
                                            kafka::Deadline deadline) const {
  SyncReport report;
  for (const auto& g : groups) {
    auto state = target.describe_group(g.group, deadline);
    if (!state.ok()) {
      report.problems.push_back("group '" + g.group + "' on the target: " + state.error().message);
      continue;
    }
    if (state->members > 0) {
      ++report.skipped_active;
      continue;
    }
    kafka::GroupOffsets current;
    if (state->exists) {
      auto read = target.group_offsets(g.group, deadline);
      if (!read.ok()) {
        report.problems.push_back("group '" + g.group + "' on the target: " + read.error().message);
        continue;
      }
      current = std::move(read.value());
    }
    kafka::GroupOffsets forward;
    for (const auto& c : g.checkpoints) {
      auto it = current.find({c.topic, c.partition});
      if (it != current.end() && it->second.offset >= c.downstream_offset) continue;
      forward[{c.topic, c.partition}] = kafka::CommittedOffset{c.downstream_offset, c.metadata};
    }
    if (!forward.empty()) {
      auto st = target.commit_group_offsets(g.group, forward, deadline);
      if (!st.ok()) {
        report.problems.push_back("group '" + g.group + "' on the target: " + st.error().message);
        continue;
      }
    }
    ++report.in_sync;
  }
  return report;
}

}  // namespace mirror::mm2
