// 16-lane f32 vector operations on AVX-512 (F/BW/VL/DQ), the building blocks
// the ISA-generic kernel templates (x86/*_tiles.h) are written in. Include
// only from files compiled with the AVX-512 flags.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace smolvlm::kernels::x86 {

struct Avx512 {
  using F = __m512;
  using M = __mmask16;
  static constexpr int L = 16;
  // Matmul register tiles: kGemmRows x kGemmCols accumulators (plus the x
  // rows and one weight vector) fill the register file without spilling;
  // direct_cols(r) is the width of the unpacked tiles for r < kGemmRows rows.
  static constexpr int kGemmRows = 4, kGemmCols = 6;
  static constexpr int direct_cols(int r) { return (r == 1 ? 8 : 6); }
  // Attention tiles: kAttnRows queries x kAttnKeyVecs vectors of keys for the
  // scores, kAttnRows x kAttnDimVecs vectors of head dims for P·V.
  static constexpr int kAttnRows = 6, kAttnKeyVecs = 4, kAttnDimVecs = 4;

  static F zero() { return _mm512_setzero_ps(); }
  static F set1(float v) { return _mm512_set1_ps(v); }
  static M first(int n) { return static_cast<M>((1u << n) - 1u); }  // lanes 0 .. n-1, n < 16

  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static F load_n(const float* p, int n) { return _mm512_maskz_loadu_ps(first(n), p); }
  static void store(float* p, F v) { _mm512_storeu_ps(p, v); }
  static void store_n(float* p, F v, int n) { _mm512_mask_storeu_ps(p, first(n), v); }

  // BF16 and F16 widen exactly to f32; *_n reads n < 16 elements, the rest are 0.
  static F widen_bf16(__m256i h) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16)); }
  static F load_bf16(const uint16_t* p) { return widen_bf16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))); }
  static F load_bf16_n(const uint16_t* p, int n) { return widen_bf16(_mm256_maskz_loadu_epi16(first(n), p)); }
  static F load_f16(const uint16_t* p) { return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))); }
  static F load_f16_n(const uint16_t* p, int n) { return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(first(n), p)); }

  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F div(F a, F b) { return _mm512_div_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }  // a * b + c, one rounding
  static F max(F a, F b) { return _mm512_max_ps(a, b); }
  static F min(F a, F b) { return _mm512_min_ps(a, b); }

  static M lt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static F select(M m, F a, F b) { return _mm512_mask_blend_ps(m, b, a); }  // m ? a : b

  // Sum of the lanes as the tree ((i + i+8) + (i+4 ...)) + ..., the same
  // fixed order for every caller, so a matmul row never depends on batching.
  static float reduce_add(F v) {
    const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
  }
  static float reduce_max(F v) { return _mm512_reduce_max_ps(v); }
  // Four 128-bit parts as one vector, part 0 in the low lanes.
  static F from_quarters(const __m128 (&p)[L / 4]) {
    const F lo = _mm512_insertf32x4(_mm512_castps128_ps512(p[0]), p[1], 1);
    return _mm512_insertf32x4(_mm512_insertf32x4(lo, p[2], 2), p[3], 3);
  }

  // out[i] = reduce_add(v[i]) for i < 4, the same tree for each sum, computed
  // side by side: 13 shuffles and adds for four sums instead of 32.
  static __m128 reduce_add4(F a, F b, F c, F d) {
    // (i + i+8): a's sums in 128-bit chunks 0-1, b's in 2-3.
    const F ab = _mm512_add_ps(_mm512_shuffle_f32x4(a, b, 0x44), _mm512_shuffle_f32x4(a, b, 0xEE));
    const F cd = _mm512_add_ps(_mm512_shuffle_f32x4(c, d, 0x44), _mm512_shuffle_f32x4(c, d, 0xEE));
    // (i + i+4): one chunk per source, a b c d.
    F x = _mm512_add_ps(_mm512_shuffle_f32x4(ab, cd, 0x88), _mm512_shuffle_f32x4(ab, cd, 0xDD));
    // (i + i+2), then (i + i+1), inside each chunk.
    x = _mm512_add_ps(x, _mm512_permute_ps(x, 0x4E));
    x = _mm512_add_ps(x, _mm512_permute_ps(x, 0xB1));
    return _mm512_castps512_ps128(_mm512_maskz_compress_ps(0x1111, x));
  }

  // Transposes the 16 x 16 matrix whose rows are r[0..15], in place.
  static void transpose(F* r) {
    F t[16], u[16];
    for (int a = 0; a < 8; ++a) {
      t[2 * a] = _mm512_unpacklo_ps(r[2 * a], r[2 * a + 1]);
      t[2 * a + 1] = _mm512_unpackhi_ps(r[2 * a], r[2 * a + 1]);
    }
    // u[4b + m], 128-bit lane c: column 4c + m of rows 4b .. 4b + 3.
    for (int b = 0; b < 4; ++b) {
      u[4 * b] = _mm512_shuffle_ps(t[4 * b], t[4 * b + 2], 0x44);
      u[4 * b + 1] = _mm512_shuffle_ps(t[4 * b], t[4 * b + 2], 0xEE);
      u[4 * b + 2] = _mm512_shuffle_ps(t[4 * b + 1], t[4 * b + 3], 0x44);
      u[4 * b + 3] = _mm512_shuffle_ps(t[4 * b + 1], t[4 * b + 3], 0xEE);
    }
    for (int m = 0; m < 4; ++m) {
      const F even_lo = _mm512_shuffle_f32x4(u[m], u[4 + m], 0x88), even_hi = _mm512_shuffle_f32x4(u[8 + m], u[12 + m], 0x88);
      const F odd_lo = _mm512_shuffle_f32x4(u[m], u[4 + m], 0xDD), odd_hi = _mm512_shuffle_f32x4(u[8 + m], u[12 + m], 0xDD);
      r[m] = _mm512_shuffle_f32x4(even_lo, even_hi, 0x88);
      r[8 + m] = _mm512_shuffle_f32x4(even_lo, even_hi, 0xDD);
      r[4 + m] = _mm512_shuffle_f32x4(odd_lo, odd_hi, 0x88);
      r[12 + m] = _mm512_shuffle_f32x4(odd_lo, odd_hi, 0xDD);
    }
  }

  // For exp: round to nearest integer, and p * 2^n for integral n (scalef
  // saturates to 0 / inf by itself).
  static F round(F x) { return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static F ldexp(F p, F n) { return _mm512_scalef_ps(p, n); }
  static constexpr float kExpMin = -104.0f;  // exp below this is 0 in f32

  // Double-precision sums for the norms: the f32 value nearest the exact moment.
  static double dsum(const float* x, int64_t n, double center, bool squares) {
    __m512d acc0 = _mm512_setzero_pd(), acc1 = _mm512_setzero_pd();
    const __m512d c = _mm512_set1_pd(center);
    int64_t i = 0;
    auto step = [&](__m512 v) {
      __m512d lo = _mm512_sub_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(v)), c);
      __m512d hi = _mm512_sub_pd(_mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1)), c);
      acc0 = squares ? _mm512_fmadd_pd(lo, lo, acc0) : _mm512_add_pd(acc0, lo);
      acc1 = squares ? _mm512_fmadd_pd(hi, hi, acc1) : _mm512_add_pd(acc1, hi);
    };
    for (; i + L <= n; i += L) step(load(x + i));
    double total = _mm512_reduce_add_pd(_mm512_add_pd(acc0, acc1));
    for (; i < n; ++i) total += squares ? (x[i] - center) * (x[i] - center) : x[i] - center;
    return total;
  }
};

}  // namespace smolvlm::kernels::x86
