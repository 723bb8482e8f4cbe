#include "mirror/mm2/records.h"

#include <limits>

namespace mirror::mm2 {
namespace {

constexpr int16_t kVersion = 0;

class Writer {
 public:
  void i16(int16_t v) { be(static_cast<uint64_t>(static_cast<uint16_t>(v)), 2); }
  void i32(int32_t v) { be(static_cast<uint64_t>(static_cast<uint32_t>(v)), 4); }
  void i64(int64_t v) { be(static_cast<uint64_t>(v), 8); }
  // Kafka's STRING: int16 length, then the bytes. Longer strings are cut to what fits.
  void str(const std::string& s) {
    const size_t n = std::min<size_t>(s.size(), std::numeric_limits<int16_t>::max());
    i16(static_cast<int16_t>(n));
    out_.append(s, 0, n);
  }
  std::string take() { return std::move(out_); }

 private:
  void be(uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  std::optional<int16_t> i16() {
    auto v = be(2);
    if (!v) return std::nullopt;
    return static_cast<int16_t>(static_cast<uint16_t>(*v));
  }
  std::optional<int32_t> i32() {
    auto v = be(4);
    if (!v) return std::nullopt;
    return static_cast<int32_t>(static_cast<uint32_t>(*v));
  }
  std::optional<int64_t> i64() {
    auto v = be(8);
    if (!v) return std::nullopt;
    return static_cast<int64_t>(*v);
  }
  std::optional<std::string> str() {
    auto n = i16();
    if (!n || *n < 0 || static_cast<size_t>(*n) > in_.size() - pos_) return std::nullopt;
    std::string s(in_.substr(pos_, static_cast<size_t>(*n)));
    pos_ += static_cast<size_t>(*n);
    return s;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::optional<uint64_t> be(size_t bytes) {
    if (in_.size() - pos_ < bytes) return std::nullopt;
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in_[pos_ + i]);
    pos_ += bytes;
    return v;
  }
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

EncodedRecord encode(const Heartbeat& heartbeat) {
  Writer key;
  key.str(heartbeat.source_cluster);
  key.str(heartbeat.target_cluster);
  Writer value;
  value.i16(kVersion);
  value.i64(heartbeat.timestamp_ms);
  return {key.take(), value.take()};
}

EncodedRecord encode(const Checkpoint& checkpoint) {
  Writer key;
  key.str(checkpoint.group);
  key.str(checkpoint.topic);
  key.i32(checkpoint.partition);
  Writer value;
  value.i16(kVersion);
  value.i64(checkpoint.upstream_offset);
  value.i64(checkpoint.downstream_offset);
  value.str(checkpoint.metadata);
  return {key.take(), value.take()};
}

EncodedRecord encode(const OffsetSync& sync) {
  Writer key;
  key.str(sync.topic);
  key.i32(sync.partition);
  Writer value;
  value.i64(sync.upstream_offset);
  value.i64(sync.downstream_offset);
  return {key.take(), value.take()};
}

std::optional<Heartbeat> decode_heartbeat(std::string_view key, std::string_view value) {
  Reader k(key);
  Reader v(value);
  auto source = k.str();
  auto target = k.str();
  auto version = v.i16();
  if (!source || !target || !k.done() || !version || *version != kVersion) return std::nullopt;
  auto ts = v.i64();
  if (!ts) return std::nullopt;
  return Heartbeat{*source, *target, *ts};
}

std::optional<Checkpoint> decode_checkpoint(std::string_view key, std::string_view value) {
  Reader k(key);
  Reader v(value);
  auto group = k.str();
  auto topic = k.str();
  auto partition = k.i32();
  auto version = v.i16();
  if (!group || !topic || !partition || !k.done() || !version || *version != kVersion)
    return std::nullopt;
  auto upstream = v.i64();
  auto downstream = v.i64();
  auto metadata = v.str();
  if (!upstream || !downstream || !metadata) return std::nullopt;
  return Checkpoint{*group, *topic, *partition, *upstream, *downstream, *metadata};
}

std::optional<OffsetSync> decode_offset_sync(std::string_view key, std::string_view value) {
  Reader k(key);
  Reader v(value);
  auto topic = k.str();
  auto partition = k.i32();
  auto upstream = v.i64();
  auto downstream = v.i64();
  if (!topic || !partition || !k.done() || !upstream || !downstream || !v.done())
    return std::nullopt;
  return OffsetSync{*topic, *partition, *upstream, *downstream};
}

}  // namespace mirror::mm2
