// Element types a KV cache stores keys and values in, and a read-only view of
// such rows that attention reads in place (no f32 copy per step). BF16 and
// F16 halve the bytes a decode step streams; F32 is the exact mode's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace smolvlm::kernels {

enum class KvElement : uint8_t { F32, BF16, F16 };

inline size_t kv_element_bytes(KvElement e) { return e == KvElement::F32 ? 4 : 2; }

// `size` elements of type `element` at `data`.
struct KvSpan {
  const void* data = nullptr;
  size_t size = 0;
  KvElement element = KvElement::F32;

  KvSpan() = default;
  KvSpan(std::span<const float> f32) : data(f32.data()), size(f32.size()), element(KvElement::F32) {}
  // bits are BF16 or F16 (not F32).
  KvSpan(std::span<const uint16_t> bits, KvElement half) : data(bits.data()), size(bits.size()), element(half) {}
};

}  // namespace smolvlm::kernels
