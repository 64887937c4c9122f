// The integer matmul over Q8_0_PANELS / Q4_0_PANELS weights (quant_panels.h)
// with AVX-512 VNNI: per block, each 64-byte group of a panel times the
// broadcast 4 activation bytes it pairs with adds 16 rows' partial block sums
// into 16 int32 lanes, so no transposing sums and no per-call packing (the
// row-layout kernels in avx512vnni_quant.cpp do both). Per output the result
// is the row-layout kernels' to the bit: integer block sums, corrected by
// -bias · Σ x, as f32 times d_w · d_x, fma'd in block order. Include only from
// the VNNI file.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/quant_gemm.h"
#include "kernels/quant_panels.h"
#include "kernels/x86/panel_store.h"

namespace smolvlm::kernels::x86 {

// R rows x CV panels of integer sums and f32 sums stay in registers (24 of 32).
constexpr int kQuantPanelTileRows = 4, kQuantPanelTileVecs = 3;

template <DType D>
struct PanelBlocks {
  static constexpr int kGroups = D == DType::Q8_0_PANELS ? 8 : 4;  // 64-byte loads per block
  static constexpr int64_t kBytes = kGroups * 64 + 32;
  static constexpr int kBias = D == DType::Q8_0_PANELS ? 128 : 8;
  // A pass of a few rows streams each panel once, from DRAM in decode: the hardware
  // prefetcher alone left one thread at ~half the read bandwidth (bench_kernels
  // QuantGemvFromDram), so the loop asks for the block ~4 KiB ahead itself
  // (1 KiB gave 21-30 GB/s on one thread, 4 KiB 34-39, 8 KiB no more).
  static constexpr int kPrefetchBlocks = static_cast<int>((4096 + kBytes - 1) / kBytes);
  static constexpr int kLines = static_cast<int>((kBytes + 63) / 64);
};

inline __m512i broadcast_group(const int8_t* x) {
  int32_t group;
  std::memcpy(&group, x, sizeof group);
  return _mm512_set1_epi32(group);
}

// Rows r .. r + R - 1 times the CV panels from `panel` on (panel_bytes apart),
// columns [c, c + cols) with cols <= 16 * CV.
template <DType D, int R, int CV>
inline void quant_panel_tile(const QuantGemmArgs& a, int64_t r, const uint8_t* panel, int64_t panel_bytes, int cols,
                             float* y, int64_t ldy, const float* bias) {
  using PB = PanelBlocks<D>;
  const int64_t K = a.k, blocks = K / 32;
  __m512 acc[R][CV];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 8
    for (int c = 0; c < CV; ++c) acc[i][c] = _mm512_setzero_ps();
  // A single row has too few chains to hide vpdpbusd's latency: its groups
  // go into S partial sums (integers: the total is the same whatever the split).
  constexpr int S = R == 1 ? 4 : 1;
  // There a Q4 byte's high nibble also stays in place: (byte & 0xf0) is 16
  // times it, summed apart into partials 2-3 and divided by 16 at the block's
  // end (exact: a multiple of 16), one shift per block instead of per load.
  constexpr bool kHighInPlace = D == DType::Q4_0_PANELS && R == 1;
  for (int64_t b = 0; b < blocks; ++b) {
    __m512i part[S][R][CV];
#pragma GCC unroll 8
    for (int p = 0; p < S; ++p)
#pragma GCC unroll 8
      for (int i = 0; i < R; ++i)
#pragma GCC unroll 8
        for (int c = 0; c < CV; ++c) part[p][i][c] = _mm512_setzero_si512();
    if constexpr (CV == 1) {
#pragma GCC unroll 8
      for (int c = 0; c < CV; ++c)
#pragma GCC unroll 10
        for (int l = 0; l < PB::kLines; ++l)
          _mm_prefetch(reinterpret_cast<const char*>(panel + c * panel_bytes + (b + PB::kPrefetchBlocks) * PB::kBytes + l * 64),
                       _MM_HINT_T0);
    }
#pragma GCC unroll 8
    for (int g = 0; g < PB::kGroups; ++g) {
      __m512i(&lo_sum)[R][CV] = part[kHighInPlace ? g % 2 : g % S];
      __m512i(&hi_sum)[R][CV] = part[kHighInPlace ? 2 + g % 2 : g % S];
      __m512i lo[CV], hi[CV];
#pragma GCC unroll 8
      for (int c = 0; c < CV; ++c) {
        const __m512i v = _mm512_loadu_si512(panel + c * panel_bytes + b * PB::kBytes + g * 64);
        if constexpr (D == DType::Q8_0_PANELS) {
          lo[c] = v;
        } else {  // the low nibbles are elements 4g.., the high ones 16 + 4g..
          lo[c] = _mm512_and_si512(v, _mm512_set1_epi8(0x0f));
          hi[c] = kHighInPlace ? _mm512_and_si512(v, _mm512_set1_epi8(static_cast<char>(0xf0)))
                               : _mm512_and_si512(_mm512_srli_epi16(v, 4), _mm512_set1_epi8(0x0f));
        }
      }
#pragma GCC unroll 8
      for (int i = 0; i < R; ++i) {
        const int8_t* xb = a.xq + (r + i) * K + b * 32;
        const __m512i x_lo = broadcast_group(xb + 4 * g);
#pragma GCC unroll 8
        for (int c = 0; c < CV; ++c) lo_sum[i][c] = _mm512_dpbusd_epi32(lo_sum[i][c], lo[c], x_lo);
        if constexpr (D == DType::Q4_0_PANELS) {
          const __m512i x_hi = broadcast_group(xb + 16 + 4 * g);
#pragma GCC unroll 8
          for (int c = 0; c < CV; ++c) hi_sum[i][c] = _mm512_dpbusd_epi32(hi_sum[i][c], hi[c], x_hi);
        }
      }
    }
    __m512i(&isum)[R][CV] = part[0];
    if constexpr (kHighInPlace) {
#pragma GCC unroll 8
      for (int c = 0; c < CV; ++c)
        isum[0][c] = _mm512_add_epi32(_mm512_add_epi32(part[0][0][c], part[1][0][c]),
                                      _mm512_srai_epi32(_mm512_add_epi32(part[2][0][c], part[3][0][c]), 4));
    } else {
#pragma GCC unroll 8
      for (int p = 1; p < S; ++p)
#pragma GCC unroll 8
        for (int i = 0; i < R; ++i)
#pragma GCC unroll 8
          for (int c = 0; c < CV; ++c) isum[i][c] = _mm512_add_epi32(isum[i][c], part[p][i][c]);
    }
#pragma GCC unroll 8
    for (int c = 0; c < CV; ++c) {
      const __m512 dw = _mm512_cvtph_ps(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(panel + c * panel_bytes + b * PB::kBytes + PB::kGroups * 64)));
#pragma GCC unroll 8
      for (int i = 0; i < R; ++i) {
        const int64_t row = r + i;
        const __m512i corr = _mm512_set1_epi32(PB::kBias * a.xsum[row * blocks + b]);
        const __m512 f = _mm512_cvtepi32_ps(_mm512_sub_epi32(isum[i][c], corr));
        acc[i][c] = _mm512_fmadd_ps(f, _mm512_mul_ps(dw, _mm512_set1_ps(a.xs[(row * blocks + b) * 8])), acc[i][c]);
      }
    }
  }
  store_panel_tile<R, CV>(acc, cols, bias, y, ldy);
}

template <DType D, int R, int CV>
void quant_panel_rows(const QuantGemmArgs& a, int64_t r0, int64_t r1, int64_t c, int cols) {
  const int64_t OUT = a.w.rows, panel_bytes = a.k / 32 * PanelBlocks<D>::kBytes;
  const uint8_t* panel = static_cast<const uint8_t*>(a.w.data) + c / kQuantPanelRows * panel_bytes;
  const float* bias = a.bias ? a.bias + c : nullptr;
  int64_t r = r0;
  for (; r + R <= r1; r += R) quant_panel_tile<D, R, CV>(a, r, panel, panel_bytes, cols, a.y + r * OUT + c, OUT, bias);
  if constexpr (R > 1)
    if (r < r1) quant_panel_rows<D, R - 1, CV>(a, r, r1, c, cols);
}

// Columns [c0, c1), c0 a multiple of 16, in strips of CV panels while every
// row tile passes over each; the last strip reads only the panels it has.
// Up to 7 rows (decode, a few sequences decoding together) take one panel at
// a time instead, prefetched: consecutive panels are consecutive bytes, so the
// pass is a single sequential stream, where three interleaved ones left one
// thread 20-40 % short of its read bandwidth (1, 2, 6 rows: 21-30 -> 34-38,
// 20-21 -> 33-35, 15 -> 20 GB/s); the activation broadcasts that strips share
// come from L1 at these row counts.
template <DType D>
void quant_gemm_panels(const QuantGemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
  constexpr int R = kQuantPanelTileRows, CV = kQuantPanelTileVecs;
  static_assert(CV == 3, "the switch below covers strips of up to 3 panels");
  if (r1 - r0 < 2 * R) {
    for (int64_t c = c0; c < c1; c += 16)
      quant_panel_rows<D, R, 1>(a, r0, r1, c, static_cast<int>(c1 - c < 16 ? c1 - c : 16));
    return;
  }
  for (int64_t c = c0; c < c1; c += 16 * CV) {
    const int cols = static_cast<int>(c1 - c < 16 * CV ? c1 - c : 16 * CV);
    switch ((cols + 15) / 16) {
      case 1: quant_panel_rows<D, R, 1>(a, r0, r1, c, cols); break;
      case 2: quant_panel_rows<D, R, 2>(a, r0, r1, c, cols); break;
      default: quant_panel_rows<D, R, CV>(a, r0, r1, c, cols); break;
    }
  }
}

}  // namespace smolvlm::kernels::x86
