// Test helper: the SHA-256 hex digest of a buffer (the fixtures' pixel and
// frame hashes), with the engine's own SHA-256.
#pragma once

#include <cstddef>
#include <string>

#include "core/sha256.h"

namespace smolvlm::testing {

inline std::string sha256_hex(const void* data, size_t size) {
  Sha256 hash;
  hash.update(data, size);
  return hash.hex_digest();
}

}  // namespace smolvlm::testing
