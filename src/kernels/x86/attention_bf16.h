// The BF16 products of fast-mode attention on AVX-512 BF16 (a policy of
// attention_tiles.h): queries, keys, probabilities and values rounded to
// BF16, vdpbf16ps with f32 accumulation; the softmax stays f32. Keys are
// packed per kv head as pairs of head dims [block][d/2][key][2], values as
// pairs of keys [key/2][dim][2], so both products are register tiles of
// dot products against one broadcast pair. Include only from the AVX-512 file.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "kernels/backend.h"
#include "kernels/x86/attention_exact.h"
#include "kernels/x86/vec_avx512.h"

namespace smolvlm::kernels::x86 {

// The first n keys (rounded up to 16) of the probability rows of a tile (R
// rows of kb floats) rounded to BF16, as pairs of keys: p[r * kb / 2 + jp]
// holds keys 2jp and 2jp + 1 of row r.
template <int R>
inline void probabilities_to_bf16(const float* probs, int64_t kb, int64_t n, uint32_t* p) {
  for (int r = 0; r < R; ++r)
    for (int64_t c = 0; c < n; c += 16)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(p + (r * kb + c) / 2),
                          (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(probs + r * kb + c)));
}

// o[r] = o[r] * alpha[r] + Σ_jp p[r][jp] · V over DVC vectors of dims from
// d0, vdpbf16ps against one broadcast pair of probabilities; value_pairs(jp,
// d) gives dims d .. d + 15 of keys 2jp and 2jp + 1 as 16 BF16 pairs.
template <int R, int DVC, class ValuePairs>
inline void bf16_pv_chunk(const uint32_t* p, int64_t p_row, int64_t n_pairs, int64_t d0, const float* alpha,
                          float* o, int64_t ldo, const ValuePairs& value_pairs) {
  __m512 acc[R][DVC];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    const __m512 ar = _mm512_set1_ps(alpha[r]);
#pragma GCC unroll 8
    for (int c = 0; c < DVC; ++c) acc[r][c] = _mm512_mul_ps(_mm512_loadu_ps(o + r * ldo + d0 + c * 16), ar);
  }
  for (int64_t jp = 0; jp < n_pairs; ++jp) {
    __m512bh vv[DVC];
#pragma GCC unroll 8
    for (int c = 0; c < DVC; ++c) vv[c] = value_pairs(jp, d0 + 16 * c);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m512bh pp = (__m512bh)_mm512_set1_epi32(static_cast<int>(p[r * p_row + jp]));
#pragma GCC unroll 8
      for (int c = 0; c < DVC; ++c) acc[r][c] = _mm512_dpbf16_ps(acc[r][c], vv[c], pp);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < DVC; ++c) _mm512_storeu_ps(o + r * ldo + d0 + c * 16, acc[r][c]);
}

// bf16_pv_chunk over dims d0 .. head_dim (callers start at 0), in chunks of
// kAttnDimVecs vectors, the last ones shorter.
template <int R, int DVC = Avx512::kAttnDimVecs, class ValuePairs>
inline void bf16_pv(const uint32_t* p, int64_t p_row, int64_t n_pairs, int64_t d0, int64_t head_dim,
                    const float* alpha, float* o, int64_t ldo, const ValuePairs& value_pairs) {
  for (; d0 < head_dim; d0 += 16 * DVC) {
    const int vecs = static_cast<int>((head_dim - d0 + 15) / 16);
    if (vecs >= DVC) {
      bf16_pv_chunk<R, DVC>(p, p_row, n_pairs, d0, alpha, o, ldo, value_pairs);
    } else if constexpr (DVC > 1) {
      return bf16_pv<R, DVC - 1>(p, p_row, n_pairs, d0, head_dim, alpha, o, ldo, value_pairs);
    }
  }
}

template <KvElement E = KvElement::F32>
struct Bf16Products {
  static constexpr int KC = Avx512::kAttnKeyVecs, R_MAX = Avx512::kAttnRows;
  static constexpr int64_t KB = KC * 16;
  static constexpr bool kBf16 = true;  // probabilities rounded to BF16

  static int64_t pairs(const AttentionArgs& a) { return (a.head_dim + 1) / 2; }
  static int64_t dim_padded(const AttentionArgs& a) { return (a.head_dim + 15) / 16 * 16; }
  static int64_t keys_padded(const AttentionArgs& a) { return (a.n_keys + KB - 1) / KB * KB; }
  // BF16 elements of kt, vt, the query rows and the probability rows.
  static int64_t scratch_elements(const AttentionArgs& a) {
    return keys_padded(a) * (2 * pairs(a) + dim_padded(a)) + R_MAX * (2 * pairs(a) + KB);
  }
  static int64_t scratch_floats(const AttentionArgs& a) { return (scratch_elements(a) + 1) / 2; }

  const AttentionArgs& a;
  float* scratch;

  uint16_t* kt() const { return reinterpret_cast<uint16_t*>(scratch); }
  uint16_t* vt() const { return kt() + keys_padded(a) * 2 * pairs(a); }
  uint16_t* qb() const { return vt() + keys_padded(a) * dim_padded(a); }
  uint16_t* pb() const { return qb() + R_MAX * 2 * pairs(a); }

  static __mmask16 mask16(int64_t n) {  // lanes below n (clamped to 0 .. 16)
    return n >= 16 ? __mmask16(0xFFFF) : n <= 0 ? __mmask16(0) : static_cast<__mmask16>((1u << n) - 1u);
  }

  // n floats (clamped to 0 .. 16), zeros past n. Whole vectors load
  // unmasked: on Zen 4 a masked load that misses the cache stalls far longer.
  static __m512 f32x16(const float* x, int64_t n) {
    return n >= 16 ? _mm512_loadu_ps(x) : _mm512_maskz_loadu_ps(mask16(n), x);
  }
  // n floats (up to 16) rounded to BF16 (nearest even), zeros past n.
  static __m256i bf16x16(const float* x, int64_t n) { return (__m256i)_mm512_cvtneps_pbh(f32x16(x, n)); }
  // Elements i .. i + n - 1 (n clamped to 0 .. 16) of a K or V stored as E, as f32.
  static __m512 kv16(const void* base, int64_t i, int64_t n) {
    if (n >= 16) return load_kv<Avx512, E>(base, i);
    return n <= 0 ? _mm512_setzero_ps() : load_kv_n<Avx512, E>(base, i, static_cast<int>(n));
  }
  static __m256i kv_bf16x16(const void* base, int64_t i, int64_t n) {
    return (__m256i)_mm512_cvtneps_pbh(kv16(base, i, n));
  }

  // permutex2var_epi16 indices that interleave the low 16 elements of two
  // vectors: a0 b0 a1 b1 ... (one BF16 pair per 32-bit lane).
  static __m512i pair_interleave() {
    alignas(64) int16_t idx[32];
    for (int i = 0; i < 16; ++i) idx[2 * i] = static_cast<int16_t>(i), idx[2 * i + 1] = static_cast<int16_t>(32 + i);
    return _mm512_load_si512(idx);
  }

  // Row x[0, D) as BF16 into out[0, 2 * pairs), the odd tail 0.
  void row_to_bf16(const float* x, uint16_t* out) const {
    for (int64_t d = 0; d < 2 * pairs(a); d += 16) {
      const int64_t n = a.head_dim - d;
      const __mmask16 keep = 2 * pairs(a) - d >= 16 ? __mmask16(0xFFFF)
                                                     : static_cast<__mmask16>((1u << (2 * pairs(a) - d)) - 1u);
      _mm256_mask_storeu_epi16(out + d, keep, bf16x16(x + d, n > 0 ? n : 0));
    }
  }

  void pack(int64_t g) {
    const int64_t D = a.head_dim, NP = pairs(a), DP = dim_padded(a), NK = keys_padded(a);
    uint32_t* k = reinterpret_cast<uint32_t*>(kt());
    uint16_t* v = vt();
    const int64_t kg = g * a.kv_head_stride, vg = g * a.kv_head_stride;
    // Keys: 16 keys x 16 pairs of dims at a time, transposed in registers.
    for (int64_t j0 = 0; j0 < NK; j0 += 16)
      for (int64_t p0 = 0; p0 < NP; p0 += 16) {
        const int64_t d0 = 2 * p0;
        __m512 rows[16];
        for (int i = 0; i < 16; ++i) {
          if (j0 + i >= a.n_keys) {
            rows[i] = _mm512_setzero_ps();
            continue;
          }
          const int64_t kj = kg + (j0 + i) * a.kv_row + d0;
          const __m512 lo = kv16(a.k, kj, D - d0);
          const __m512 hi = kv16(a.k, kj + 16, D - d0 - 16);
          rows[i] = (__m512)_mm512_cvtne2ps_pbh(hi, lo);  // 16 pairs of dims as 32-bit lanes
        }
        Avx512::transpose(rows);
        uint32_t* dst = k + (j0 / KB * NP + p0) * KB + j0 % KB;
        for (int i = 0; i < 16 && p0 + i < NP; ++i) _mm512_storeu_ps(reinterpret_cast<float*>(dst + i * KB), rows[i]);
      }
    // Values: keys j and j + 1 interleaved per dim.
    const __m512i interleave = pair_interleave();
    for (int64_t j = 0; j < NK; j += 2)
      for (int64_t d = 0; d < DP; d += 16) {
        const int64_t n = a.head_dim - d > 0 ? a.head_dim - d : 0;
        const __m256i even = j < a.n_keys ? kv_bf16x16(a.v, vg + j * a.kv_row + d, n) : _mm256_setzero_si256();
        const __m256i odd = j + 1 < a.n_keys ? kv_bf16x16(a.v, vg + (j + 1) * a.kv_row + d, n) : _mm256_setzero_si256();
        _mm512_storeu_si512(v + j * DP + d * 2, _mm512_permutex2var_epi16(_mm512_castsi256_si512(even), interleave,
                                                                           _mm512_castsi256_si512(odd)));
      }
  }

  template <int R>
  void load_queries(const float* const* q) {
    for (int r = 0; r < R; ++r) row_to_bf16(q[r], qb() + r * 2 * pairs(a));
  }

  template <int R>
  void scores(const float* const*, int64_t j0, int vecs, float* s) const {
    with_key_vecs<KC>(vecs, [&](auto kc) { scores_of<R, kc.value>(j0, s); });
  }

  // Scores of the block's first KCV vectors of keys.
  template <int R, int KCV>
  void scores_of(int64_t j0, float* s) const {
    const int64_t NP = pairs(a);
    const uint16_t* kb = kt() + (j0 / KB) * NP * KB * 2;
    const uint32_t* q = reinterpret_cast<const uint32_t*>(qb());
    __m512 acc[R][KCV];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
      for (int c = 0; c < KCV; ++c) acc[r][c] = _mm512_setzero_ps();
    for (int64_t i = 0; i < NP; ++i) {
      __m512bh kv[KCV];
#pragma GCC unroll 8
      for (int c = 0; c < KCV; ++c) kv[c] = (__m512bh)_mm512_loadu_si512(kb + (i * KB + c * 16) * 2);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        const __m512bh qp = (__m512bh)_mm512_set1_epi32(static_cast<int>(q[r * NP + i]));
#pragma GCC unroll 8
        for (int c = 0; c < KCV; ++c) acc[r][c] = _mm512_dpbf16_ps(acc[r][c], kv[c], qp);
      }
    }
    const __m512 scale = _mm512_set1_ps(a.scale);
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < KCV; ++c) _mm512_storeu_ps(s + r * KB + c * 16, _mm512_mul_ps(acc[r][c], scale));
  }

  template <int R>
  void pv(const float* probs, int64_t j0, int64_t n, const float* alpha, float* o, int64_t ldo) const {
    const int64_t DP = dim_padded(a);
    uint32_t* p = reinterpret_cast<uint32_t*>(pb());
    probabilities_to_bf16<R>(probs, KB, n, p);
    const uint16_t* v = vt() + j0 * DP;
    bf16_pv<R>(p, KB / 2, (n + 1) / 2, 0, a.head_dim, alpha, o, ldo, [&](int64_t jp, int64_t d) {
      return (__m512bh)_mm512_loadu_si512(v + jp * 2 * DP + d * 2);
    });
  }
};

}  // namespace smolvlm::kernels::x86
