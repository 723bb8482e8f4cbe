// Admin API building blocks shared by the real admin (admin.cc) and the mock cluster's admin
// (mock_cluster.cc), which drives the parts of the Admin API that librdkafka's mock serves.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>

#include "mirror/common/result.h"
#include "mirror/kafka/admin.h"

namespace mirror::kafka {

// A group's committed offsets (ListConsumerGroupOffsets) for `partitions`, or for every partition
// the group committed when `partitions` is null. Partitions without a commit are left out. With
// `require_stable`, a partition whose offset an open transaction has written fails with
// UNSTABLE_OFFSET_COMMIT (the error's code) until that transaction ends.
Result<GroupOffsets> list_group_offsets(rd_kafka_t* rk, const std::string& group,
                                        const rd_kafka_topic_partition_list_t* partitions,
                                        Deadline deadline, bool require_stable = false);

// Commits offsets for a group from outside it (AlterConsumerGroupOffsets); the error of a failed
// request names every partition that failed.
Status alter_group_offsets(rd_kafka_t* rk, const std::string& group, const GroupOffsets& offsets,
                           Deadline deadline);

}  // namespace mirror::kafka
