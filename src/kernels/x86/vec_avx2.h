// 8-lane f32 vector operations on AVX2 + FMA + F16C, with the same interface
// as Avx512 (vec_avx512.h). Include only from files compiled with the AVX2 flags.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace smolvlm::kernels::x86 {

struct Avx2 {
  using F = __m256;
  using M = __m256;  // all-ones lanes are true
  static constexpr int L = 8;
  // Matmul register tiles: kGemmRows x kGemmCols accumulators (plus the x
  // rows and one weight vector) fill the register file without spilling;
  // direct_cols(r) is the width of the unpacked tiles for r < kGemmRows rows.
  static constexpr int kGemmRows = 3, kGemmCols = 3;
  static constexpr int direct_cols(int r) { return (r == 1 ? 6 : 4); }
  // Attention tiles: kAttnRows queries x kAttnKeyVecs vectors of keys for the
  // scores, kAttnRows x kAttnDimVecs vectors of head dims for P·V.
  static constexpr int kAttnRows = 3, kAttnKeyVecs = 3, kAttnDimVecs = 3;

  static F zero() { return _mm256_setzero_ps(); }
  static F set1(float v) { return _mm256_set1_ps(v); }
  static __m256i first_i(int n) {  // lanes 0 .. n-1 all ones, n < 8
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static M first(int n) { return _mm256_castsi256_ps(first_i(n)); }

  static F load(const float* p) { return _mm256_loadu_ps(p); }
  static F load_n(const float* p, int n) { return _mm256_maskload_ps(p, first_i(n)); }
  static void store(float* p, F v) { _mm256_storeu_ps(p, v); }
  static void store_n(float* p, F v, int n) { _mm256_maskstore_ps(p, first_i(n), v); }

  // 16-bit tails are copied into a zeroed block: AVX2 has no 16-bit masked load.
  static __m128i load_u16(const uint16_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
  static __m128i load_u16_n(const uint16_t* p, int n) {
    uint16_t block[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::memcpy(block, p, static_cast<size_t>(n) * sizeof(uint16_t));
    return load_u16(block);
  }
  static F widen_bf16(__m128i h) { return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16)); }
  static F load_bf16(const uint16_t* p) { return widen_bf16(load_u16(p)); }
  static F load_bf16_n(const uint16_t* p, int n) { return widen_bf16(load_u16_n(p, n)); }
  static F load_f16(const uint16_t* p) { return _mm256_cvtph_ps(load_u16(p)); }
  static F load_f16_n(const uint16_t* p, int n) { return _mm256_cvtph_ps(load_u16_n(p, n)); }

  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F div(F a, F b) { return _mm256_div_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F max(F a, F b) { return _mm256_max_ps(a, b); }
  static F min(F a, F b) { return _mm256_min_ps(a, b); }

  static M lt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static F select(M m, F a, F b) { return _mm256_blendv_ps(b, a, m); }

  // The fixed tree (i + i+4), (i + i+2), (i + i+1): see Avx512::reduce_add.
  static float reduce_add(F v) {
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
  }
  static __m128 reduce_add4(F a, F b, F c, F d) {
    return _mm_setr_ps(reduce_add(a), reduce_add(b), reduce_add(c), reduce_add(d));
  }
  static float reduce_max(F v) {
    __m128 q = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    q = _mm_max_ps(q, _mm_movehl_ps(q, q));
    q = _mm_max_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
  }

  // Transposes the 8 x 8 matrix whose rows are r[0..7], in place (see Avx512::transpose).
  static void transpose(F* r) {
    F t[8], u[8];
    for (int a = 0; a < 4; ++a) {
      t[2 * a] = _mm256_unpacklo_ps(r[2 * a], r[2 * a + 1]);
      t[2 * a + 1] = _mm256_unpackhi_ps(r[2 * a], r[2 * a + 1]);
    }
    for (int b = 0; b < 2; ++b) {
      u[4 * b] = _mm256_shuffle_ps(t[4 * b], t[4 * b + 2], 0x44);
      u[4 * b + 1] = _mm256_shuffle_ps(t[4 * b], t[4 * b + 2], 0xEE);
      u[4 * b + 2] = _mm256_shuffle_ps(t[4 * b + 1], t[4 * b + 3], 0x44);
      u[4 * b + 3] = _mm256_shuffle_ps(t[4 * b + 1], t[4 * b + 3], 0xEE);
    }
    for (int m = 0; m < 4; ++m) {
      r[m] = _mm256_permute2f128_ps(u[m], u[4 + m], 0x20);
      r[4 + m] = _mm256_permute2f128_ps(u[m], u[4 + m], 0x31);
    }
  }

  static F round(F x) { return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  // p * 2^n for integral n in [-126, 127] (exp clamps its input to keep n there).
  static F ldexp(F p, F n) {
    const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
  }
  static constexpr float kExpMin = -87.33f;  // below: 2^n would leave the normal range; exp returns 0

  static double dsum(const float* x, int64_t n, double center, bool squares) {
    __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
    const __m256d c = _mm256_set1_pd(center);
    int64_t i = 0;
    for (; i + L <= n; i += L) {
      const __m256 v = load(x + i);
      const __m256d lo = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), c);
      const __m256d hi = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), c);
      acc0 = squares ? _mm256_fmadd_pd(lo, lo, acc0) : _mm256_add_pd(acc0, lo);
      acc1 = squares ? _mm256_fmadd_pd(hi, hi, acc1) : _mm256_add_pd(acc1, hi);
    }
    const __m256d s = _mm256_add_pd(acc0, acc1);
    __m128d d = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
    double total = _mm_cvtsd_f64(_mm_add_sd(d, _mm_unpackhi_pd(d, d)));
    for (; i < n; ++i) total += squares ? (x[i] - center) * (x[i] - center) : x[i] - center;
    return total;
  }
};

}  // namespace smolvlm::kernels::x86
