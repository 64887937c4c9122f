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

// A panel's pairs of k in chunks of this many (256 KiB of weights): a down_proj
// panel of K = 8192 (1 MiB) no longer fits L2 beside the rows streaming past
// it (512-token SmolLM2-1.7B down_proj: 840 -> 910 GFLOP/s; 512 pairs cost
// the K = 2048 shapes 3-5 %).
constexpr int64_t kPanelChunkPairs = 1024;

// y rows [0, R), columns [0, cols) with cols <= 16 * CV, plus x (R rows of
// BF16, ldx apart, from pair j0) times pairs [j0, j1) of the first CV vectors
// of `panel`; y starts from 0 where j0 == 0 and from its stored values
// otherwise (an f32 sum stored and loaded again keeps its bits), and takes
// the bias where j1 == pairs.
template <int R, int CV>
inline void panel_tile(const uint16_t* x, int64_t ldx, const uint16_t* panel, int64_t j0, int64_t j1, int64_t pairs,
                       int cols, const float* bias, float* y, int64_t ldy) {
  __m512 acc[R][CV];
  if (j0 == 0) {
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
      for (int c = 0; c < CV; ++c) acc[r][c] = _mm512_setzero_ps();
  } else {
    load_panel_tile<R, CV>(acc, cols, y, ldy);
  }
  for (int64_t j = j0; j < j1; ++j) {
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
  store_panel_tile<R, CV>(acc, cols, j1 == pairs ? bias : nullptr, y, ldy);
}

// Rows [r0, r1) in R-row tiles (the last ones smaller) against pairs [j0, j1)
// of the panel holding columns [c, c + cols), c a multiple of kPanelRows.
template <int R, int CV>
void panel_rows(const GemmArgs& a, int64_t r0, int64_t r1, int64_t c, int cols, int64_t j0, int64_t j1) {
  const int64_t K = a.k, OUT = a.w.rows;
  const uint16_t* panel = static_cast<const uint16_t*>(a.w.data) + c * K;
  const float* bias = a.bias ? a.bias + c : nullptr;
  int64_t r = r0;
  for (; r + R <= r1; r += R)
    panel_tile<R, CV>(a.x_bf16 + r * K, K, panel, j0, j1, K / 2, cols, bias, a.y + r * OUT + c, OUT);
  if constexpr (R > 1)
    if (r < r1) panel_rows<R - 1, CV>(a, r, r1, c, cols, j0, j1);
}

// Columns [c0, c1), c0 a multiple of kPanelRows: panel by panel, and a panel
// chunk by chunk of k, while every row tile of [r0, r1) passes over each (a
// chunk stays in L2); the last panel reads only the vectors it has columns in.
inline void gemm_bf16_panels(const GemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1, float*) {
  constexpr int R = kPanelTileRows;
  // A pass of a few rows (decode) reads each panel once: no chunks there.
  const int64_t pairs = a.k / 2, chunk = r1 - r0 < R ? pairs : kPanelChunkPairs;
  for (int64_t c = c0; c < c1; c += kPanelRows) {
    const int cols = static_cast<int>(c1 - c < kPanelRows ? c1 - c : kPanelRows);
    int64_t j0 = 0;
    do {  // once at least: K = 0 still stores the bias
      const int64_t j1 = pairs - j0 <= chunk ? pairs : j0 + chunk;
      switch ((cols + 15) / 16) {
        case 1: panel_rows<R, 1>(a, r0, r1, c, cols, j0, j1); break;
        case 2: panel_rows<R, 2>(a, r0, r1, c, cols, j0, j1); break;
        case 3: panel_rows<R, 3>(a, r0, r1, c, cols, j0, j1); break;
        default: panel_rows<R, kPanelTileVecs>(a, r0, r1, c, cols, j0, j1); break;
      }
      j0 = j1;
    } while (j0 < pairs);
  }
}

}  // namespace smolvlm::kernels::x86
