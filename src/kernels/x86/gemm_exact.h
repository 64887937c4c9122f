// Exact matmul y = x·Wᵀ (+ bias) for any vector ISA V (vec_avx512.h,
// vec_avx2.h): f32 FMAs over weights widened exactly to f32.
//
// Every output is one dot product computed the same way whatever the batch:
// lane l of one accumulator sums x[k]·w[k] for k ≡ l (mod V::L) in order of k
// (a zero-filled tail included), then V::reduce_add's fixed tree. So the
// packed tiles (many rows) and the direct tiles (decode, few rows) give the
// same bits, and a row never depends on which rows were batched with it.
// Long rows are cut into k ranges (KRange) so a weight panel stays in L1
// while every row tile passes over it; a lane carries its partial sum from
// range to range, so the cut does not change its order.
// Include only from a file compiled for V; everything here is a template on V.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "core/dtype.h"
#include "kernels/backend.h"

namespace smolvlm::kernels::x86 {

template <class V, DType D>
inline typename V::F load_weight(const void* base, int64_t i) {
  if constexpr (D == DType::F32) return V::load(static_cast<const float*>(base) + i);
  if constexpr (D == DType::BF16) return V::load_bf16(static_cast<const uint16_t*>(base) + i);
  if constexpr (D == DType::F16) return V::load_f16(static_cast<const uint16_t*>(base) + i);
}

template <class V, DType D>
inline typename V::F load_weight_n(const void* base, int64_t i, int n) {
  if constexpr (D == DType::F32) return V::load_n(static_cast<const float*>(base) + i, n);
  if constexpr (D == DType::BF16) return V::load_bf16_n(static_cast<const uint16_t*>(base) + i, n);
  if constexpr (D == DType::F16) return V::load_f16_n(static_cast<const uint16_t*>(base) + i, n);
}

// Weights read in place: row c of the tile is W row (first + c), widened per load.
template <class V, DType D>
struct DirectRows {
  const void* w;
  int64_t ld, first, last;  // rows past `last` repeat it: their results are dropped
  int64_t ahead;            // rows to prefetch ahead (the tile's width)
  int64_t row(int c) const { return first + c < last ? first + c : last; }
  typename V::F load(int c, int64_t k) const { return load_weight<V, D>(w, row(c) * ld + k); }
  typename V::F load_n(int c, int64_t k, int n) const { return load_weight_n<V, D>(w, row(c) * ld + k, n); }
  // Decode streams each weight once from DRAM: fetch the next tile's rows one
  // tile ahead, the hardware prefetcher ramps up too late on rows this short.
  void prefetch(int c, int64_t k) const {
    constexpr int64_t kBytes = D == DType::F32 ? 4 : 2;
    _mm_prefetch(static_cast<const char*>(w) + ((first + c + ahead) * ld + k) * kBytes, _MM_HINT_T0);
  }
};

// Weights [k0, k1) widened once into a panel [(k - k0) / L][C][L] (one
// sequential stream, zero-padded).
template <class V, int C>
struct PackedPanel {
  const float* p;
  int64_t k0;
  typename V::F load(int c, int64_t k) const { return V::load(p + ((k - k0) / V::L * C + c) * V::L); }
  typename V::F load_n(int c, int64_t k, int) const { return load(c, k); }
  void prefetch(int, int64_t) const {}  // in L1 already
};

// The part [k0, k1) of the dot products of length K one tile call covers.
// Accumulators start at zero when k0 = 0, else from `partial` (R * C vectors
// a previous range left), and are reduced into y when k1 = K, else left in
// `partial`.
struct KRange {
  int64_t k0, k1, K;
  float* partial;
};

// y[c] = sum of acc[c]'s lanes (+ bias[c]) for c < cols <= C, four at a time
// with V::reduce_add4 (the same tree as V::reduce_add for every sum).
template <class V, int C>
inline void store_sums(const typename V::F* acc, int cols, const float* bias, float* y) {
  for (int c0 = 0; c0 < cols; c0 += 4) {
    const typename V::F z = V::zero();
    __m128 sums = V::reduce_add4(acc[c0], c0 + 1 < C ? acc[c0 + 1] : z, c0 + 2 < C ? acc[c0 + 2] : z,
                                 c0 + 3 < C ? acc[c0 + 3] : z);
    if (cols - c0 >= 4) {
      if (bias) sums = _mm_add_ps(sums, _mm_loadu_ps(bias + c0));
      _mm_storeu_ps(y + c0, sums);
      continue;
    }
    float s[4];
    _mm_storeu_ps(s, sums);
    for (int i = 0; c0 + i < cols; ++i) y[c0 + i] = bias ? s[i] + bias[c0 + i] : s[i];
  }
}

// y[r][c] = x row r · weight row c (+ bias[c]) for r < R, c < cols <= C,
// over the k range kr.
template <class V, int R, int C, class W>
inline void dot_tile(const float* x, int64_t ldx, const W& w, const KRange& kr, int cols, const float* bias, float* y,
                     int64_t ldy) {
  using F = typename V::F;
  F acc[R][C];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) acc[r][c] = kr.k0 == 0 ? V::zero() : V::load(kr.partial + (r * C + c) * V::L);
  int64_t k = kr.k0;
  for (; k + V::L <= kr.k1; k += V::L) {
    F xv[R];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) xv[r] = V::load(x + r * ldx + k);
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      w.prefetch(c, k);
      const F wv = w.load(c, k);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) acc[r][c] = V::fma(xv[r], wv, acc[r][c]);
    }
  }
  if (k < kr.k1) {
    const int n = static_cast<int>(kr.k1 - k);
    F xv[R];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) xv[r] = V::load_n(x + r * ldx + k, n);
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      const F wv = w.load_n(c, k, n);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) acc[r][c] = V::fma(xv[r], wv, acc[r][c]);
    }
  }
  if (kr.k1 == kr.K) {
    for (int r = 0; r < R; ++r) store_sums<V, C>(acc[r], cols, bias, y + r * ldy);
    return;
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) V::store(kr.partial + (r * C + c) * V::L, acc[r][c]);
}

// Widens weight rows [first, first + cols), columns [k0, k1), into a PackedPanel of C rows.
template <class V, int C, DType D>
void pack_panel(const void* w, int64_t K, int64_t first, int cols, int64_t k0, int64_t k1, float* panel) {
  for (int64_t k = k0, kb = 0; k < k1; k += V::L, ++kb)
    for (int c = 0; c < C; ++c) {
      float* dst = panel + (kb * C + c) * V::L;
      if (c >= cols)
        V::store(dst, V::zero());
      else if (k + V::L <= k1)
        V::store(dst, load_weight<V, D>(w, (first + c) * K + k));
      else
        V::store(dst, load_weight_n<V, D>(w, (first + c) * K + k, static_cast<int>(k1 - k)));
    }
}

// Rows [r0, r1) with R-row tiles, the last rows with a smaller tile; tile i
// keeps its partial sums at kr.partial + i * (R * C * L).
template <class V, int R, int C, class W>
void dot_rows(const GemmArgs& a, int64_t r0, int64_t r1, int64_t c0, const W& w, int cols, KRange kr) {
  const int64_t K = a.k, OUT = a.w.rows;
  const float* bias = a.bias ? a.bias + c0 : nullptr;
  int64_t r = r0;
  for (; r + R <= r1; r += R) {
    dot_tile<V, R, C>(a.x + r * K, K, w, kr, cols, bias, a.y + r * OUT + c0, OUT);
    if (kr.partial) kr.partial += R * C * V::L;
  }
  if constexpr (R > 1)
    if (r < r1) dot_rows<V, R - 1, C>(a, r, r1, c0, w, cols, kr);
}

// The longest k range: a panel of C weight rows plus a tile's x rows fit L1
// (30 KiB of f32 at 768).
constexpr int64_t kExactKRange = 768;

// Rows of length K cut into equal ranges of at most max_range, each a
// multiple of `multiple` (but the last): the range length.
constexpr int64_t k_range(int64_t K, int64_t max_range, int64_t multiple) {
  const int64_t pieces = (K + max_range - 1) / max_range;
  return ((K + pieces - 1) / pieces + multiple - 1) / multiple * multiple;
}

template <class V>
int64_t gemm_scratch_floats(int64_t rows) {
  const int64_t tiles = (rows + V::kGemmRows - 1) / V::kGemmRows;
  return (kExactKRange + tiles * V::kGemmRows * V::L) * V::kGemmCols;
}

// Batches up to this many rows (continuous batching's decode steps) stream
// the weights in place; packing pays off only when many row tiles reuse a
// panel: packing a panel reads the weights from DRAM without the direct
// tiles' prefetch, and a decode step reads every weight from DRAM once.
template <class V>
constexpr int64_t kDirectMaxRows = 4 * V::kGemmRows;

template <class V, DType D>
void gemm_exact_dtype(const GemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1, float* scratch) {
  constexpr int R = V::kGemmRows, C = V::kGemmCols;
  const int64_t K = a.k;
  if (r1 - r0 <= kDirectMaxRows<V>) {
    // Few rows (decode): stream the weight rows in place, whole rows, no packing.
    const KRange whole{0, K, K, nullptr};
    if (r1 - r0 >= R) {
      // R-row tiles (as the packed tiles), so each weight tile is read from
      // DRAM once and from L1 by the other row tiles.
      for (int64_t c = c0; c < c1; c += C)
        dot_rows<V, R, C>(a, r0, r1, c, DirectRows<V, D>{a.w.data, K, c, a.w.rows - 1, C},
                          static_cast<int>(c1 - c < C ? c1 - c : C), whole);
    } else if (r1 - r0 == 1) {
      constexpr int CD = V::direct_cols(1);
      for (int64_t c = c0; c < c1; c += CD)
        dot_rows<V, 1, CD>(a, r0, r1, c, DirectRows<V, D>{a.w.data, K, c, a.w.rows - 1, CD},
                           static_cast<int>(c1 - c < CD ? c1 - c : CD), whole);
    } else {
      constexpr int CD = V::direct_cols(2);
      for (int64_t c = c0; c < c1; c += CD)
        dot_rows<V, R - 1, CD>(a, r0, r1, c, DirectRows<V, D>{a.w.data, K, c, a.w.rows - 1, CD},
                               static_cast<int>(c1 - c < CD ? c1 - c : CD), whole);
    }
    return;
  }
  float* partial = scratch + kExactKRange * C;
  const int64_t step = k_range(K, kExactKRange, V::L);
  for (int64_t c = c0; c < c1; c += C) {
    const int cols = static_cast<int>(c1 - c < C ? c1 - c : C);
    for (int64_t k0 = 0; k0 < K; k0 += step) {
      const int64_t k1 = K - k0 < step ? K : k0 + step;
      pack_panel<V, C, D>(a.w.data, K, c, cols, k0, k1, scratch);
      dot_rows<V, R, C>(a, r0, r1, c, PackedPanel<V, C>{scratch, k0}, cols, KRange{k0, k1, K, partial});
    }
  }
}

template <class V>
void gemm_exact(const GemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1, float* scratch) {
  switch (a.w.dtype) {
    case DType::F32: return gemm_exact_dtype<V, DType::F32>(a, r0, r1, c0, c1, scratch);
    case DType::BF16: return gemm_exact_dtype<V, DType::BF16>(a, r0, r1, c0, c1, scratch);
    case DType::F16: return gemm_exact_dtype<V, DType::F16>(a, r0, r1, c0, c1, scratch);
    default: return;  // the driver accepts only these dtypes
  }
}


}  // namespace smolvlm::kernels::x86
