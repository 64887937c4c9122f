// C += A·B for the backward matmuls (kernels/matmul_backward.h), for any
// vector ISA V: A is read through strides (so dy can be used as it is or
// transposed, no copy), B's rows are widened from their stored dtype, sums in
// f32 FMAs, in order of p. The driver cuts p into blocks; a tile loads its C
// values, adds one block's products and stores them back.
// Include only from a file compiled for V; everything here is a template on V.
#pragma once

#include <cstdint>

#include "core/dtype.h"
#include "kernels/backend.h"
#include "kernels/x86/gemm_exact.h"

namespace smolvlm::kernels::x86 {

// Register tiles: kRows rows of C x kVecs vectors of columns (accumulators,
// the B vectors and one broadcast fill the register file).
template <class V>
struct AccTile {
  static constexpr int kRows = V::L == 16 ? 4 : 2;
  static constexpr int kVecs = V::L == 16 ? 6 : 4;
};

// Rows [m, m + R) and columns [n0, n0 + width) of C, width <= C * L, over p in [p0, p1).
template <class V, int R, int C, DType D>
inline void acc_tile(const GemmAccArgs& g, int64_t m, int64_t n0, int width, int64_t p0, int64_t p1) {
  using F = typename V::F;
  const int64_t N = g.b.cols;
  int count[C];
  for (int c = 0; c < C; ++c) {
    const int left = width - c * V::L;
    count[c] = left <= 0 ? 0 : (left < V::L ? left : V::L);
  }
  const bool full = width == C * V::L;
  F acc[R][C];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      const float* cp = g.c + (m + r) * N + n0 + c * V::L;
      acc[r][c] = full ? V::load(cp) : V::load_n(cp, count[c]);
    }
  for (int64_t p = p0; p < p1; ++p) {
    F bv[C];
    const int64_t row = p * N + n0;
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c)
      bv[c] = full ? load_weight<V, D>(g.b.data, row + c * V::L)
                   : load_weight_n<V, D>(g.b.data, row + c * V::L, count[c]);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const F av = V::set1(g.a[(m + r) * g.a_m + p * g.a_p]);
#pragma GCC unroll 8
      for (int c = 0; c < C; ++c) acc[r][c] = V::fma(av, bv[c], acc[r][c]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      float* cp = g.c + (m + r) * N + n0 + c * V::L;
      if (full)
        V::store(cp, acc[r][c]);
      else if (count[c] > 0)
        V::store_n(cp, acc[r][c], count[c]);
    }
}

template <class V, DType D>
void gemm_accumulate_dtype(const GemmAccArgs& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1, int64_t p0,
                           int64_t p1) {
  constexpr int R = AccTile<V>::kRows, C = AccTile<V>::kVecs, W = C * V::L;
  for (int64_t n = n0; n < n1; n += W) {
    const int width = static_cast<int>(n1 - n < W ? n1 - n : W);
    int64_t m = m0;
    for (; m + R <= m1; m += R) acc_tile<V, R, C, D>(g, m, n, width, p0, p1);
    for (; m < m1; ++m) acc_tile<V, 1, C, D>(g, m, n, width, p0, p1);
  }
}

template <class V>
void gemm_accumulate(const GemmAccArgs& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1, int64_t p0, int64_t p1) {
  switch (g.b.dtype) {
    case DType::F32: return gemm_accumulate_dtype<V, DType::F32>(g, m0, m1, n0, n1, p0, p1);
    case DType::BF16: return gemm_accumulate_dtype<V, DType::BF16>(g, m0, m1, n0, n1, p0, p1);
    case DType::F16: return gemm_accumulate_dtype<V, DType::F16>(g, m0, m1, n0, n1, p0, p1);
    default: return;  // the driver accepts only these dtypes
  }
}

}  // namespace smolvlm::kernels::x86
