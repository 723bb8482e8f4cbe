// Consumer group offset translation for one flow: which groups, their translated offsets as MM2
// checkpoints, and the commit of those offsets to idle groups on the target.
#pragma once

#include <map>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "mirror/common/result.h"
#include "mirror/kafka/admin.h"
#include "mirror/mm2/offset_syncs.h"
#include "mirror/mm2/records.h"
#include "mirror/topics/naming.h"

namespace mirror::mm2 {

// The flow's `groups` / `groups_exclude` (full-match regexes); the replicator's own group is never
// included, nor an exactly-once flow's position group (`mirror-<flow>-exactly-once`, on that
// flow's target: a reverse flow would otherwise checkpoint it).
class GroupFilter {
 public:
  static Result<GroupFilter> make(const std::vector<std::string>& include,
                                  const std::vector<std::string>& exclude, std::string own_group);
  bool matches(const std::string& group) const;
  static bool is_position_group(std::string_view group);

 private:
  std::vector<std::regex> include_;
  std::vector<std::regex> exclude_;
  std::string own_group_;
};

struct GroupTranslation {
  std::string group;
  std::vector<Checkpoint> checkpoints;  // one per partition that could be translated
};

struct RoundReport {
  std::vector<GroupTranslation> groups;  // groups with at least one checkpoint
  std::vector<std::string> problems;     // per-group failures (the round goes on without them)
};

class Checkpointer {
 public:
  Checkpointer(topics::NamingPolicy naming, GroupFilter filter, const OffsetSyncStore& store)
      : naming_(std::move(naming)), filter_(std::move(filter)), store_(store) {}

  // Lists the source's groups, reads the committed offsets of the matching ones and translates
  // those of partitions this flow replicates and this process owns. Fails only when the groups
  // cannot be listed.
  Result<RoundReport> translate(kafka::ClusterAdmin& source, kafka::Deadline deadline) const;

  struct SyncReport {
    int in_sync = 0;                    // groups whose target offsets match (now or already)
    int skipped_active = 0;             // groups with members on the target: left alone
    std::vector<std::string> problems;  // per-group failures
  };
  // Commits translated offsets to the same groups on the target, for groups with no active members
  // there, and only where that moves the group forward (a target consumer's progress is kept).
  SyncReport sync(kafka::ClusterAdmin& target, const std::vector<GroupTranslation>& groups,
                  kafka::Deadline deadline) const;

 private:
  topics::NamingPolicy naming_;
  GroupFilter filter_;
  const OffsetSyncStore& store_;
};

}  // namespace mirror::mm2
