#include "mirror/mm2/records.h"

#include <gtest/gtest.h>

namespace mirror::mm2 {
namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

// The layouts below are MM2's (connect-mirror-client Heartbeat / Checkpoint): Kafka protocol
// structs, int16-length strings, big-endian integers, an int16 version 0 before each value.
TEST(Records, HeartbeatLayout) {
  auto r = encode(Heartbeat{"a", "bc", 0x0102030405060708});
  EXPECT_EQ(r.key, bytes({0, 1, 'a', 0, 2, 'b', 'c'}));
  EXPECT_EQ(r.value, bytes({0, 0, 1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(Records, CheckpointLayout) {
  auto r = encode(Checkpoint{"g", "a.t", 258, 5, -1, "m"});
  EXPECT_EQ(r.key, bytes({0, 1, 'g', 0, 3, 'a', '.', 't', 0, 0, 1, 2}));
  EXPECT_EQ(r.value, bytes({0,    0,                                         // version
                            0,    0,    0,    0,    0,    0,    0,    5,     // upstream offset
                            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // downstream offset
                            0,    1,    'm'}));
}

TEST(Records, RoundTrip) {
  Heartbeat hb{"primary", "backup", 1732000000000};
  auto h = encode(hb);
  EXPECT_EQ(decode_heartbeat(h.key, h.value), hb);
  Checkpoint cp{"orders-service", "primary.orders", 7, 123456789, 123, ""};
  auto c = encode(cp);
  EXPECT_EQ(decode_checkpoint(c.key, c.value), cp);
}

TEST(Records, MalformedInputDecodesToNothing) {
  auto c = encode(Checkpoint{"g", "t", 0, 1, 2, "m"});
  EXPECT_FALSE(decode_checkpoint(c.key.substr(0, c.key.size() - 1), c.value));
  EXPECT_FALSE(decode_checkpoint(c.key, c.value.substr(0, 5)));
  EXPECT_FALSE(decode_checkpoint(c.key + "x", c.value)) << "trailing bytes in the key";
  std::string v1 = c.value;
  v1[1] = 1;  // version 1 is unknown
  EXPECT_FALSE(decode_checkpoint(c.key, v1));
  EXPECT_FALSE(decode_heartbeat(bytes({0, 9, 'a'}), bytes({0, 0})));
  EXPECT_FALSE(decode_heartbeat("", ""));
}

TEST(Records, TopicNames) {
  EXPECT_EQ(kHeartbeatsTopic, "heartbeats");
  EXPECT_EQ(checkpoints_topic("primary"), "primary.checkpoints.internal");
  EXPECT_EQ(checkpoints_topic("primary", "_"), "primary_checkpoints_internal");
  // MirrorSourceConfig.offsetSyncsTopic() with offset-syncs.topic.location = target names the topic
  // after the source alias; DefaultReplicationPolicy.offsetSyncsTopic adds prefix and suffix.
  EXPECT_EQ(offset_syncs_topic("primary"), "mm2-offset-syncs.primary.internal");
  EXPECT_EQ(offset_syncs_topic("primary", "_"), "mm2-offset-syncs_primary_internal");
}

TEST(Records, OffsetSyncIsTopicPartitionKeyAndTwoInt64s) {
  // connect-mirror's OffsetSync: key {topic: STRING, partition: INT32}, value {upstreamOffset:
  // INT64, offset: INT64}, no version header.
  auto r = encode(OffsetSync{"orders", 3, 0x0102, 0x0a0b});
  EXPECT_EQ(r.key, bytes({0, 6, 'o', 'r', 'd', 'e', 'r', 's', 0, 0, 0, 3}));
  EXPECT_EQ(r.value, bytes({0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0x0a, 0x0b}));
  EXPECT_EQ(decode_offset_sync(r.key, r.value), (OffsetSync{"orders", 3, 0x0102, 0x0a0b}));
  EXPECT_FALSE(decode_offset_sync(r.key, r.value.substr(0, 15)));
  EXPECT_FALSE(decode_offset_sync(r.key, r.value + "x"));
}

}  // namespace
}  // namespace mirror::mm2
