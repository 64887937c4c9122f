// SHA-256 (FIPS 180-4). The server's image-feature cache keys images by the
// hash of their pixels: users share the cache, so a key must not be forgeable
// (a colliding image would be answered with another user's image features).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace smolvlm {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  // The digest as 64 lowercase hex digits; the object is spent afterwards.
  std::string hex_digest();

 private:
  void compress();

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> block_{};
  size_t used_ = 0;
  uint64_t total_bytes_ = 0;
};

}  // namespace smolvlm
