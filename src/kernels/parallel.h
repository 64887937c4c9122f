// How the kernel drivers use the shared thread pool: per-thread scratch and
// element-wise loops split into cache-sized chunks.
#pragma once

#include <cstdint>

#include "core/thread_pool.h"

namespace smolvlm::kernels {

// Element-wise loops go parallel from this many floats (64 KiB) per chunk:
// below it, waking a thread costs more than the loop.
constexpr int64_t kElementwiseGrain = int64_t{1} << 14;

// A buffer of at least n floats owned by the calling thread, reused across
// calls (no allocation per kernel call once warm).
float* thread_scratch(int64_t n);

// Runs fn(begin, end) over [0, n) in chunks of at least `grain` elements, on
// as many pool threads as there are chunks.
template <class Fn>
void parallel_chunks(int64_t n, int64_t grain, Fn&& fn) {
  const int64_t chunks = (n + grain - 1) / grain;
  if (chunks <= 1) {
    if (n > 0) fn(int64_t{0}, n);
    return;
  }
  shared_pool().parallel_for(chunks, [&](int64_t c0, int64_t c1) {
    fn(c0 * grain, c1 * grain < n ? c1 * grain : n);
  });
}

}  // namespace smolvlm::kernels
