// avx512_bf16_peak_loop: compiled with -mavx512f -mavx512bf16 (CMakeLists.txt).
#include "isa_loops.h"

#if defined(__AVX512BF16__)
#include <immintrin.h>

namespace smolvlm::bench {
namespace {

double bf16_peak(int64_t rounds) {
  // 16 chains hide the instruction's latency at two issues per cycle.
  constexpr int kChains = 16;
  __m512 acc[kChains];
  for (__m512& a : acc) a = _mm512_setzero_ps();
  const __m512bh x = (__m512bh)_mm512_set1_epi16(0x3F80);  // 1.0
  const __m512bh y = (__m512bh)_mm512_set1_epi16(0x3580);  // 2^-20: sums stay finite, never denormal
  for (int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 16
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_dpbf16_ps(acc[c], x, y);
  }
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  // Publishing the result keeps the loop from being optimised away.
  float lanes[16];
  _mm512_storeu_ps(lanes, sum);
  volatile float sink = 0;
  for (float lane : lanes) sink = sink + lane;
  return static_cast<double>(rounds) * kChains * 16 /* lanes */ * 2 /* pairs */ * 2 /* FLOPs */;
}

}  // namespace

PeakLoop avx512_bf16_peak_loop() { return bf16_peak; }

}  // namespace smolvlm::bench
#else
namespace smolvlm::bench {
PeakLoop avx512_bf16_peak_loop() { return nullptr; }
}  // namespace smolvlm::bench
#endif
