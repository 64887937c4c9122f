// Fast matmul on AVX-512 BF16: x rounded to BF16 times BF16 weight rows read
// in place, vdpbf16ps (pairs of products added into f32 lanes). As in
// gemm_exact.h every output is one dot product in a fixed order (lane l sums
// the pairs k ≡ 2l, 2l+1 (mod 32), then Avx512's fixed reduction tree), so many-row
// tiles and decode tiles agree bit for bit. Include only from the AVX-512 file.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "kernels/backend.h"
#include "kernels/x86/gemm_exact.h"
#include "kernels/x86/vec_avx512.h"

namespace smolvlm::kernels::x86 {

inline __m512bh load_bh(const uint16_t* p) { return (__m512bh)_mm512_loadu_si512(p); }
inline __m512bh load_bh_n(const uint16_t* p, int n) {  // n < 32 elements, the rest 0
  return (__m512bh)_mm512_maskz_loadu_epi16(static_cast<__mmask32>((1u << n) - 1u), p);
}

// y[r][c] = x row r · W row (first + c) (+ bias[c]) for r < R, c < cols <= C,
// over the k range kr (gemm_exact.h).
template <int R, int C>
inline void bf16_tile(const uint16_t* x, int64_t K, const uint16_t* w, int64_t first, int64_t last, int cols,
                      const KRange& kr, const float* bias, float* y, int64_t ldy) {
  const uint16_t* wr[C];
#pragma GCC unroll 8
  for (int c = 0; c < C; ++c) wr[c] = w + (first + c < last ? first + c : last) * K;
  __m512 acc[R][C];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c)
      acc[r][c] = kr.k0 == 0 ? _mm512_setzero_ps() : _mm512_loadu_ps(kr.partial + (r * C + c) * 16);
  int64_t k = kr.k0;
  for (; k + 32 <= kr.k1; k += 32) {
    __m512bh xv[R];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) xv[r] = load_bh(x + r * K + k);
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      // Decode streams each weight once from DRAM: fetch the next tile's rows
      // (C rows further) one tile ahead, the hardware prefetcher ramps up too late
      // on rows this short.
      if constexpr (R == 1) _mm_prefetch(reinterpret_cast<const char*>(wr[c] + C * K + k), _MM_HINT_T0);
      const __m512bh wv = load_bh(wr[c] + k);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) acc[r][c] = _mm512_dpbf16_ps(acc[r][c], xv[r], wv);
    }
  }
  if (k < kr.k1) {
    const int n = static_cast<int>(kr.k1 - k);
    __m512bh xv[R];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) xv[r] = load_bh_n(x + r * K + k, n);
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      const __m512bh wv = load_bh_n(wr[c] + k, n);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) acc[r][c] = _mm512_dpbf16_ps(acc[r][c], xv[r], wv);
    }
  }
  if (kr.k1 == kr.K) {
    for (int r = 0; r < R; ++r) store_sums<Avx512, C>(acc[r], cols, bias, y + r * ldy);
    return;
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) _mm512_storeu_ps(kr.partial + (r * C + c) * 16, acc[r][c]);
}

template <int R, int C>
void bf16_rows(const GemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int cols, KRange kr) {
  const int64_t K = a.k, OUT = a.w.rows;
  const uint16_t* w = static_cast<const uint16_t*>(a.w.data);
  const float* bias = a.bias ? a.bias + c0 : nullptr;
  int64_t r = r0;
  for (; r + R <= r1; r += R) {
    bf16_tile<R, C>(a.x_bf16 + r * K, K, w, c0, OUT - 1, cols, kr, bias, a.y + r * OUT + c0, OUT);
    if (kr.partial) kr.partial += R * C * 16;
  }
  if constexpr (R > 1)
    if (r < r1) bf16_rows<R - 1, C>(a, r, r1, c0, cols, kr);
}

// The longest k range: six weight rows and four x rows stay in L1 (30 KiB).
constexpr int64_t kBf16KRange = 1536;
constexpr int kBf16Rows = 3, kBf16Cols = 8;

inline int64_t gemm_bf16_scratch_floats(int64_t rows) {
  return (rows + kBf16Rows - 1) / kBf16Rows * kBf16Rows * kBf16Cols * 16;
}

// Panels of C weight rows, each over k ranges in L1 while every row tile of
// [r0, r1) passes over it.
inline void gemm_bf16(const GemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1, float* scratch) {
  constexpr int R = kBf16Rows, C = kBf16Cols, CD = 8;
  const int64_t K = a.k;
  if (r1 - r0 == 1) {
    for (int64_t c = c0; c < c1; c += CD)
      bf16_rows<1, CD>(a, r0, r1, c, static_cast<int>(c1 - c < CD ? c1 - c : CD), KRange{0, K, K, nullptr});
    return;
  }
  const int64_t step = k_range(K, kBf16KRange, 32);
  for (int64_t c = c0; c < c1; c += C)
    for (int64_t k0 = 0; k0 < K; k0 += step) {
      const int64_t k1 = K - k0 < step ? K : k0 + step;
      bf16_rows<R, C>(a, r0, r1, c, static_cast<int>(c1 - c < C ? c1 - c : C), KRange{k0, k1, K, scratch});
    }
}

inline void to_bf16(const float* x, int64_t n, uint16_t* out) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u);
    _mm256_mask_storeu_epi16(out + i, m, (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

}  // namespace smolvlm::kernels::x86
