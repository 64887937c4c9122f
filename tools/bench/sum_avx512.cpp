// avx512_sum_loop: compiled with -mavx512f (CMakeLists.txt).
#include "isa_loops.h"

#if defined(__AVX512F__)
#include <immintrin.h>

namespace smolvlm::bench {
namespace {

uint64_t sum_words(const uint64_t* p, size_t n) {
  // Four independent sums of whole cache lines, so the adds never limit the loads.
  __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm512_add_epi64(s0, _mm512_loadu_si512(p + i));
    s1 = _mm512_add_epi64(s1, _mm512_loadu_si512(p + i + 8));
    s2 = _mm512_add_epi64(s2, _mm512_loadu_si512(p + i + 16));
    s3 = _mm512_add_epi64(s3, _mm512_loadu_si512(p + i + 24));
  }
  uint64_t lanes[8];
  _mm512_storeu_si512(lanes, _mm512_add_epi64(_mm512_add_epi64(s0, s1), _mm512_add_epi64(s2, s3)));
  uint64_t sum = 0;
  for (uint64_t lane : lanes) sum += lane;
  for (; i < n; ++i) sum += p[i];
  return sum;
}

}  // namespace

SumLoop avx512_sum_loop() { return sum_words; }

}  // namespace smolvlm::bench
#else
namespace smolvlm::bench {
SumLoop avx512_sum_loop() { return nullptr; }
}  // namespace smolvlm::bench
#endif
