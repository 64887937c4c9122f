// Fast matmul over BF16_PANELS weights (kernels/bf16_panels.h) on AVX-512
// BF16: each step broadcasts one pair of an x row (rounded to BF16) and
// multiplies it into 16 outputs with vdpbf16ps, so a tile of R rows and CV
// vectors of a panel keeps R x CV accumulators of 16 outputs each and stores
// them with no horizontal sum. The dot-product form (gemm_bf16.h) spends about a third of
// its time on those sums and on loading both operands as vectors.
//
// Every output is the sum of its pair products in k order in one f32 lane,
// whatever the tile, so decode rows, batched rows and prefill rows agree bit
// for bit, as do any thread count and column split. Include only from the
// AVX-512 file.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/backend.h"
#include "kernels/bf16_panels.h"
#include "kernels/x86/panel_store.h"

namespace smolvlm::kernels::x86 {

// R x CV accumulators plus CV weight vectors and one broadcast stay in the 32
// registers; per step R + CV loads feed R x CV products (prefill and vision).
// CV vectors of 16 outputs make one panel (kPanelRows).
constexpr int kPanelTileRows = 6, kPanelTileVecs = 4;
static_assert(kPanelTileVecs * 16 == kPanelRows, "a tile spans one panel");

// y rows [0, R), columns [0, cols) with cols <= 16 * CV, of x (R rows of BF16,
// ldx apart) times the first CV vectors of `panel` (+ bias).
template <int R, int CV>
inline void panel_tile(const uint16_t* x, int64_t ldx, const uint16_t* panel, int64_t pairs, int cols,
                       const float* bias, float* y, int64_t ldy) {
  __m512 acc[R][CV];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < CV; ++c) acc[r][c] = _mm512_setzero_ps();
  for (int64_t j = 0; j < pairs; ++j) {
    __m512bh w[CV];
#pragma GCC unroll 8
    for (int c = 0; c < CV; ++c) w[c] = (__m512bh)_mm512_loadu_si512(panel + j * 2 * kPanelRows + c * 32);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      int32_t pair;
      std::memcpy(&pair, x + r * ldx + 2 * j, sizeof pair);
      const __m512bh xr = (__m512bh)_mm512_set1_epi32(pair);
#pragma GCC unroll 8
      for (int c = 0; c < CV; ++c) acc[r][c] = _mm512_dpbf16_ps(acc[r][c], xr, w[c]);
    }
  }
  store_panel_tile<R, CV>(acc, cols, bias, y, ldy);
}

// Rows [r0, r1) in R-row tiles (the last ones smaller) against the panel
// holding columns [c, c + cols), c a multiple of kPanelRows.
template <int R, int CV>
void panel_rows(const GemmArgs& a, int64_t r0, int64_t r1, int64_t c, int cols) {
  const int64_t K = a.k, OUT = a.w.rows;
  const uint16_t* panel = static_cast<const uint16_t*>(a.w.data) + c * K;
  const float* bias = a.bias ? a.bias + c : nullptr;
  int64_t r = r0;
  for (; r + R <= r1; r += R) panel_tile<R, CV>(a.x_bf16 + r * K, K, panel, K / 2, cols, bias, a.y + r * OUT + c, OUT);
  if constexpr (R > 1)
    if (r < r1) panel_rows<R - 1, CV>(a, r, r1, c, cols);
}

// Columns [c0, c1), c0 a multiple of kPanelRows: panel by panel while every
// row tile of [r0, r1) passes over each (a panel stays in L2); the last
// panel reads only the vectors it has columns in.
inline void gemm_bf16_panels(const GemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1, float*) {
  constexpr int R = kPanelTileRows;
  for (int64_t c = c0; c < c1; c += kPanelRows) {
    const int cols = static_cast<int>(c1 - c < kPanelRows ? c1 - c : kPanelRows);
    switch ((cols + 15) / 16) {
      case 1: panel_rows<R, 1>(a, r0, r1, c, cols); break;
      case 2: panel_rows<R, 2>(a, r0, r1, c, cols); break;
      case 3: panel_rows<R, 3>(a, r0, r1, c, cols); break;
      default: panel_rows<R, kPanelTileVecs>(a, r0, r1, c, cols); break;
    }
  }
}

}  // namespace smolvlm::kernels::x86
