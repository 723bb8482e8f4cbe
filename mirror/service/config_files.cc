#include "mirror/service/config_files.h"

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string_view>
#include <system_error>

namespace mirror::service {
namespace {

constexpr uint64_t kOffset = 14695981039346656037ULL;
constexpr uint64_t kPrime = 1099511628211ULL;
constexpr size_t kMaxBytes = size_t{16} << 20;  // what the loader reads at most

void mix(uint64_t& hash, std::string_view bytes) {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= kPrime;
  }
  hash ^= 0xff;  // a separator no text contains, so "ab"+"c" differs from "a"+"bc"
  hash *= kPrime;
}

}  // namespace

std::string fingerprint(const std::vector<std::string>& files) {
  uint64_t hash = kOffset;
  std::vector<char> buffer(size_t{64} << 10);
  for (const auto& file : files) {
    mix(hash, file);
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      mix(hash, "unreadable: " + std::error_code(errno, std::generic_category()).message());
      continue;
    }
    size_t total = 0;
    while (in && total < kMaxBytes) {
      in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      const auto got = static_cast<size_t>(in.gcount());
      if (got == 0) break;
      mix(hash, std::string_view(buffer.data(), got));
      total += got;
    }
  }
  std::array<char, 17> text{};
  (void)std::snprintf(text.data(), text.size(), "%016llx", static_cast<unsigned long long>(hash));
  return {text.data()};
}

}  // namespace mirror::service
