// Software prefetch of a byte range, for kernels whose reads the hardware
// prefetcher does not foresee (strided rows, the next task's operands).
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace smolvlm::kernels::x86 {

// Asks for every cache line of [p, p + n) into L1: one prefetch a 64-byte
// step from p, and the line of the last byte, where p does not start a line.
inline void prefetch_bytes(const void* p, int64_t n) {
  if (n <= 0) return;
  const char* bytes = static_cast<const char*>(p);
  for (int64_t i = 0; i < n; i += 64) _mm_prefetch(bytes + i, _MM_HINT_T0);
  _mm_prefetch(bytes + n - 1, _MM_HINT_T0);
}

}  // namespace smolvlm::kernels::x86
