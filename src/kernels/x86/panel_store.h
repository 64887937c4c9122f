// Stores an R x CV tile of 16-output accumulators (the panel kernels'
// result) with the bias added, the last vector masked to `cols`, and loads
// one back. Include only from AVX-512 files.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace smolvlm::kernels::x86 {

// y[r][16c + l] = acc[r][c][l] + bias[16c + l] for 16c + l < cols.
template <int R, int CV>
inline void store_panel_tile(const __m512 (&acc)[R][CV], int cols, const float* bias, float* y, int64_t ldy) {
#pragma GCC unroll 8
  for (int c = 0; c < CV; ++c) {
    const int n = cols - 16 * c < 16 ? cols - 16 * c : 16;
    const __mmask16 m = static_cast<__mmask16>((1u << n) - 1u);
    const __m512 b = bias ? _mm512_maskz_loadu_ps(m, bias + 16 * c) : _mm512_setzero_ps();
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) _mm512_mask_storeu_ps(y + r * ldy + 16 * c, m, _mm512_add_ps(acc[r][c], b));
  }
}

// acc[r][c][l] = y[r][16c + l] for 16c + l < cols, 0 past it: a tile's sums
// stored by store_panel_tile without a bias, to go on with.
template <int R, int CV>
inline void load_panel_tile(__m512 (&acc)[R][CV], int cols, const float* y, int64_t ldy) {
#pragma GCC unroll 8
  for (int c = 0; c < CV; ++c) {
    const int n = cols - 16 * c < 16 ? cols - 16 * c : 16;
    const __mmask16 m = static_cast<__mmask16>((1u << n) - 1u);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) acc[r][c] = _mm512_maskz_loadu_ps(m, y + r * ldy + 16 * c);
  }
}

}  // namespace smolvlm::kernels::x86
