// The fast mode's attention for a few query rows (a decode step, the short
// tail of a chunked prefill), as a policy of attention_tiles.h: the BF16
// products of attention_bf16.h (queries, keys, probabilities and values
// rounded to BF16, vdpbf16ps, f32 softmax), but read straight from the cache
// rows as stored. Packing the whole cache for one query row would cost a pass
// over it per step; widening a BF16 cache to f32 for f32 FMAs took 1.8x as
// long on a cache in L2 (bench_kernels BM_CausalAttention/fast_bf16_cache).
//
// A BF16 cache is read as it is; an F32 or F16 one is rounded to BF16 on the
// fly, so a cache that holds a half's widened values gives the half's bits.
// Include only from the AVX-512 file.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "kernels/backend.h"
#include "kernels/x86/attention_bf16.h"
#include "kernels/x86/prefetch.h"
#include "kernels/x86/vec_avx512.h"

namespace smolvlm::kernels::x86 {

template <KvElement E>
struct Bf16RowProducts {
  using Packed = Bf16Products<E>;
  static constexpr int KC = Avx512::kAttnKeyVecs, R_MAX = Avx512::kAttnRows;
  static constexpr int64_t KB = KC * 16;
  static constexpr bool kBf16 = true;  // probabilities rounded to BF16

  // Vectors of 16 pairs of head dims in a query row, the tail 0.
  static int64_t pair_vecs(const AttentionArgs& a) { return (a.head_dim + 31) / 32; }
  // The query rows and the probability rows, as BF16 pairs.
  static int64_t scratch_floats(const AttentionArgs& a) { return R_MAX * (pair_vecs(a) * 16 + KB / 2); }

  const AttentionArgs& a;
  float* scratch;
  int64_t kv0 = 0;  // element of a.k and a.v where the kv head's rows start

  uint32_t* qb() const { return reinterpret_cast<uint32_t*>(scratch); }
  uint32_t* pb() const { return qb() + R_MAX * pair_vecs(a) * 16; }

  void pack(int64_t g) {
    kv0 = g * a.kv_head_stride;
    prefetch_rows(a.k, 0, 2 * KB);
    prefetch_rows(a.v, 0, KB);
  }

  // Lanes of vector c of a row (32 BF16 per vector) that lie inside head_dim.
  __mmask32 lanes32(int64_t c) const {
    const int64_t left = a.head_dim - 32 * c;
    return left >= 32 ? ~__mmask32(0) : static_cast<__mmask32>((1u << left) - 1u);
  }
  // Dims [32c, 32c + 32) of cache row `row` (element offset) as 16 BF16
  // pairs, 0 outside `keep` (lanes32(c)). Whole vectors load unmasked: masked
  // loads that missed the cache stalled a 256M step's attention to twice its time.
  __m512bh row_pairs(const void* base, int64_t row, int64_t c, __mmask32 keep) const {
    const int64_t d0 = 32 * c;
    if constexpr (E == KvElement::BF16) {
      const uint16_t* p = static_cast<const uint16_t*>(base) + row + d0;
      return (__m512bh)(keep == ~__mmask32(0) ? _mm512_loadu_si512(p) : _mm512_maskz_loadu_epi16(keep, p));
    } else {
      const int64_t left = a.head_dim - d0;
      return _mm512_cvtne2ps_pbh(Packed::kv16(base, row + d0 + 16, left - 16), Packed::kv16(base, row + d0, left));
    }
  }
  // Dims [d0, d0 + 16) of cache row `row` as BF16, 0 outside `keep` (Packed::mask16 of what is left).
  __m256i row_halves(const void* base, int64_t row, int64_t d0, __mmask16 keep) const {
    if constexpr (E == KvElement::BF16) {
      const uint16_t* p = static_cast<const uint16_t*>(base) + row + d0;
      return keep == __mmask16(0xFFFF) ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))
                                       : _mm256_maskz_loadu_epi16(keep, p);
    } else {
      return Packed::kv_bf16x16(base, row + d0, a.head_dim - d0);
    }
  }

  template <int R>
  void load_queries(const float* const* q) {
    for (int r = 0; r < R; ++r)
      for (int64_t c = 0; c < pair_vecs(a); ++c) {
        const int64_t d0 = 32 * c, left = a.head_dim - d0;
        const __m512 lo = Packed::f32x16(q[r] + d0, left), hi = Packed::f32x16(q[r] + d0 + 16, left - 16);
        _mm512_storeu_si512(qb() + (r * pair_vecs(a) + c) * 16, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
      }
  }

  // A decode step reads the cache from DRAM once: each block asks for the
  // next block's values and the keys of the one after, a head's first blocks
  // when it starts (pack). A cache's rows lie back to back (kv_row =
  // head_dim), so their lines are one run, one add a line: a loop over rows
  // and dims had taken ~15 % of a step in L2. Full attention's rows are
  // strided (kv_row = heads x head_dim): one run a row.
  void prefetch_rows(const void* base, int64_t j_begin, int64_t j_end) const {
    const int64_t bytes = static_cast<int64_t>(kv_element_bytes(E));
    const char* rows = static_cast<const char*>(base) + kv0 * bytes;
    if (j_end > a.n_keys) j_end = a.n_keys;
    if (j_begin >= j_end) return;
    if (a.kv_row == a.head_dim)
      return prefetch_bytes(rows + j_begin * a.kv_row * bytes, (j_end - j_begin) * a.kv_row * bytes);
    for (int64_t j = j_begin; j < j_end; ++j) prefetch_bytes(rows + j * a.kv_row * bytes, a.head_dim * bytes);
  }

  // s[r][0 .. KB) = scale * q_r · keys j0 .. j0 + KB: per key, 16 lanes of
  // pair products summed by reduce_add4's tree, four keys at a time.
  template <int R>
  void scores(const float* const*, int64_t j0, int vecs, float* s) const {
    const int64_t NV = pair_vecs(a);
    prefetch_rows(a.v, j0 + KB, j0 + 2 * KB);
    prefetch_rows(a.k, j0 + 2 * KB, j0 + 3 * KB);
    const __m128 scale = _mm_set1_ps(a.scale);
    for (int64_t j = j0; j < j0 + 16 * vecs; j += 16) {
      __m128 sums[R][4];
      for (int quarter = 0; quarter < 4; ++quarter) {
        const int64_t jq = j + 4 * quarter;
        if (jq >= a.n_keys) {  // past the last key: masked by the softmax
          for (int r = 0; r < R; ++r) sums[r][quarter] = _mm_setzero_ps();
          continue;
        }
        // A quarter running past the last key repeats it (masked likewise).
        int64_t row[4];
        for (int i = 0; i < 4; ++i) row[i] = kv0 + (jq + i < a.n_keys ? jq + i : a.n_keys - 1) * a.kv_row;
        __m512 acc[R][4];
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
          for (int i = 0; i < 4; ++i) acc[r][i] = _mm512_setzero_ps();
        for (int64_t c = 0; c < NV; ++c) {
          const __mmask32 keep = lanes32(c);
#pragma GCC unroll 4
          for (int i = 0; i < 4; ++i) {
            const __m512bh k = row_pairs(a.k, row[i], c, keep);
#pragma GCC unroll 8
            for (int r = 0; r < R; ++r)
              acc[r][i] = _mm512_dpbf16_ps(acc[r][i], k, (__m512bh)_mm512_loadu_si512(qb() + (r * NV + c) * 16));
          }
        }
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r)
          sums[r][quarter] = _mm_mul_ps(Avx512::reduce_add4(acc[r][0], acc[r][1], acc[r][2], acc[r][3]), scale);
      }
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) _mm512_storeu_ps(s + r * KB + (j - j0), Avx512::from_quarters(sums[r]));
    }
  }

  // The values of keys j and j + 1 interleaved on the fly into BF16 pairs.
  template <int R>
  void pv(const float* probs, int64_t j0, int64_t n, const float* alpha, float* o, int64_t ldo) const {
    probabilities_to_bf16<R>(probs, KB, n, pb());
    const __m512i interleave = Packed::pair_interleave();
    bf16_pv<R>(pb(), KB / 2, (n + 1) / 2, 0, a.head_dim, alpha, o, ldo, [&](int64_t jp, int64_t d) {
      const int64_t even = kv0 + (j0 + 2 * jp) * a.kv_row;
      const __mmask16 keep = Packed::mask16(a.head_dim - d);
      const __m256i lo = row_halves(a.v, even, d, keep);
      const __m256i hi = 2 * jp + 1 < n ? row_halves(a.v, even + a.kv_row, d, keep) : _mm256_setzero_si256();
      return (__m512bh)_mm512_permutex2var_epi16(_mm512_castsi256_si512(lo), interleave, _mm512_castsi256_si512(hi));
    });
  }
};

}  // namespace smolvlm::kernels::x86
