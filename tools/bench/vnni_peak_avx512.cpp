// avx512_vnni_peak_loop: compiled with -mavx512f -mavx512vnni (CMakeLists.txt).
#include "isa_loops.h"

#if defined(__AVX512VNNI__)
#include <immintrin.h>

namespace smolvlm::bench {
namespace {

double int8_peak(int64_t rounds) {
  // 16 chains hide the instruction's latency at two issues per cycle.
  constexpr int kChains = 16;
  __m512i acc[kChains];
  for (__m512i& a : acc) a = _mm512_setzero_si512();
  const __m512i x = _mm512_set1_epi8(1);
  const __m512i y = _mm512_set1_epi8(-1);  // sums shrink by 4 per round: no overflow before 2^29 rounds
  for (int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 16
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_dpbusd_epi32(acc[c], x, y);
  }
  __m512i sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_epi32(sum, acc[c]);
  // Publishing the result keeps the loop from being optimised away.
  int32_t lanes[16];
  _mm512_storeu_si512(lanes, sum);
  volatile int32_t sink = 0;
  for (int32_t lane : lanes) sink = sink + lane;
  return static_cast<double>(rounds) * kChains * 16 /* lanes */ * 4 /* pairs */ * 2 /* ops */;
}

}  // namespace

PeakLoop avx512_vnni_peak_loop() { return int8_peak; }

}  // namespace smolvlm::bench
#else
namespace smolvlm::bench {
PeakLoop avx512_vnni_peak_loop() { return nullptr; }
}  // namespace smolvlm::bench
#endif
