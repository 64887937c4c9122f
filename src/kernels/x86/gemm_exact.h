// Exact matmul y = x·Wᵀ (+ bias) for any vector ISA V (vec_avx512.h,
// vec_avx2.h): f32 FMAs over weights widened exactly to f32.
//
// Every output is one dot product computed the same way whatever the batch:
// lane l of one accumulator sums x[k]·w[k] for k ≡ l (mod V::L) in order of k
// (a zero-filled tail included), then V::reduce_add's fixed tree. So the
// packed tiles (many rows) and the direct tiles (decode, few rows) give the
// same bits, and a row never depends on which rows were batched with it.
// Include only from a file compiled for V; everything here is a template on V.
#pragma once

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
  int64_t row(int c) const { return first + c < last ? first + c : last; }
  typename V::F load(int c, int64_t k) const { return load_weight<V, D>(w, row(c) * ld + k); }
  typename V::F load_n(int c, int64_t k, int n) const { return load_weight_n<V, D>(w, row(c) * ld + k, n); }
};

// Weights widened once into a panel [k / L][C][L] (one sequential stream, zero-padded).
template <class V, int C>
struct PackedPanel {
  const float* p;
  typename V::F load(int c, int64_t k) const { return V::load(p + (k / V::L * C + c) * V::L); }
  typename V::F load_n(int c, int64_t k, int) const { return load(c, k); }
};

// y[r][c] = x row r · weight row c (+ bias[c]) for r < R, c < cols <= C.
template <class V, int R, int C, class W>
inline void dot_tile(const float* x, int64_t ldx, const W& w, int64_t K, int cols, const float* bias, float* y,
                     int64_t ldy) {
  using F = typename V::F;
  F acc[R][C];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) acc[r][c] = V::zero();
  int64_t k = 0;
  for (; k + V::L <= K; k += V::L) {
    F xv[R];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) xv[r] = V::load(x + r * ldx + k);
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      const F wv = w.load(c, k);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) acc[r][c] = V::fma(xv[r], wv, acc[r][c]);
    }
  }
  if (k < K) {
    const int n = static_cast<int>(K - k);
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
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < cols; ++c) {
      const float s = V::reduce_add(acc[r][c]);
      y[r * ldy + c] = bias ? s + bias[c] : s;
    }
}

// Widens weight rows [first, first + cols) into a PackedPanel of C rows.
template <class V, int C, DType D>
void pack_panel(const void* w, int64_t K, int64_t first, int cols, float* panel) {
  for (int64_t k = 0, kb = 0; k < K; k += V::L, ++kb)
    for (int c = 0; c < C; ++c) {
      float* dst = panel + (kb * C + c) * V::L;
      if (c >= cols)
        V::store(dst, V::zero());
      else if (k + V::L <= K)
        V::store(dst, load_weight<V, D>(w, (first + c) * K + k));
      else
        V::store(dst, load_weight_n<V, D>(w, (first + c) * K + k, static_cast<int>(K - k)));
    }
}

// Rows [r0, r1) with R-row tiles, the last rows with a smaller tile.
template <class V, int R, int C, class W>
void dot_rows(const GemmArgs& a, int64_t r0, int64_t r1, int64_t c0, const W& w, int cols) {
  const int64_t K = a.k, OUT = a.w.rows;
  const float* bias = a.bias ? a.bias + c0 : nullptr;
  int64_t r = r0;
  for (; r + R <= r1; r += R) dot_tile<V, R, C>(a.x + r * K, K, w, K, cols, bias, a.y + r * OUT + c0, OUT);
  if constexpr (R > 1)
    if (r < r1) dot_rows<V, R - 1, C>(a, r, r1, c0, w, cols);
}

template <class V, DType D>
void gemm_exact_dtype(const GemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1, float* scratch) {
  constexpr int R = V::kGemmRows, C = V::kGemmCols;
  if (r1 - r0 < R) {
    // Few rows (decode): stream the weight rows in place, no packing.
    if (r1 - r0 == 1) {
      constexpr int CD = V::direct_cols(1);
      for (int64_t c = c0; c < c1; c += CD)
        dot_rows<V, 1, CD>(a, r0, r1, c, DirectRows<V, D>{a.w.data, a.k, c, a.w.rows - 1},
                           static_cast<int>(c1 - c < CD ? c1 - c : CD));
    } else {
      constexpr int CD = V::direct_cols(2);
      for (int64_t c = c0; c < c1; c += CD)
        dot_rows<V, R - 1, CD>(a, r0, r1, c, DirectRows<V, D>{a.w.data, a.k, c, a.w.rows - 1},
                               static_cast<int>(c1 - c < CD ? c1 - c : CD));
    }
    return;
  }
  for (int64_t c = c0; c < c1; c += C) {
    const int cols = static_cast<int>(c1 - c < C ? c1 - c : C);
    pack_panel<V, C, D>(a.w.data, a.k, c, cols, scratch);
    dot_rows<V, R, C>(a, r0, r1, c, PackedPanel<V, C>{scratch}, cols);
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

template <class V>
int64_t gemm_scratch_floats(int64_t k) {
  return (k + V::L - 1) / V::L * V::L * V::kGemmCols;
}

}  // namespace smolvlm::kernels::x86
