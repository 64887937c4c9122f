// Integer matmul over Q4_K weights (quant_q4_k.h) with AVX-512 VNNI, for
// activations quantized per 32-block to int8 (quant_matmul.h). Compiled with
// the VNNI -m flags (CMakeLists.txt) and used only where the CPU has them.
//
// A super-block's 32 nibble bytes of sub-blocks 2i and 2i + 1 spread to 64
// unsigned bytes in value order, so one vpdpbusd against the 64 activation
// bytes they pair with leaves sub-block 2i's partial sums in lanes 0-7 and
// 2i + 1's in lanes 8-15 (exact integers). As f32 they are scaled by
// (d·sc_j)·d_x(j) and summed lane-wise; the mins come off per super-block as
// (dmin·m_j)·(d_x(j)·Σ q_x(j)), the same decomposition as the dequantized
// value d·sc_j·q - dmin·m_j. The activation factor is made once per task:
// gathering it per super-block held a thread to a third of its DRAM rate.
// Each (row, output) runs one fixed sequence, so its result does not depend
// on the rows or columns computed with it.
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/quant_gemm.h"
#include "kernels/quant_q4_k.h"

namespace smolvlm::kernels::x86 {
namespace {

constexpr int64_t kSuperValues = 256;
constexpr int kTileRows = 4;

// What a tile needs of one super-block, decoded once for all its rows.
struct SuperBlock {
  __m512i q[4];      // values 64i .. 64i + 63 as unsigned bytes 0..15
  __m512 scale[4];   // d·sc of sub-block 2i in lanes 0-7, of 2i + 1 in lanes 8-15
  __m256 min;        // dmin·m_j of sub-blocks j = 0..7
};

inline float f16_value(uint16_t h) { return _cvtsh_ss(h); }

// The eight 6-bit scales and mins (get_scale_min_k4, quant_q4_k.h) as 8
// bytes each, four at a time: (s >> 6) << 4 is (s >> 2) & 0x30.
inline void scales_and_mins(const uint8_t* s, __m128i& scales, __m128i& mins) {
  uint32_t u[3];
  std::memcpy(u, s, sizeof u);
  const uint32_t sc_lo = u[0] & 0x3f3f3f3fu, m_lo = u[1] & 0x3f3f3f3fu;
  const uint32_t sc_hi = (u[2] & 0x0f0f0f0fu) | ((u[0] >> 2) & 0x30303030u);
  const uint32_t m_hi = ((u[2] >> 4) & 0x0f0f0f0fu) | ((u[1] >> 2) & 0x30303030u);
  scales = _mm_cvtsi64_si128(static_cast<int64_t>(sc_lo | static_cast<uint64_t>(sc_hi) << 32));
  mins = _mm_cvtsi64_si128(static_cast<int64_t>(m_lo | static_cast<uint64_t>(m_hi) << 32));
}

inline SuperBlock decode(const BlockQ4_K& b) {
  SuperBlock s;
  __m128i sc, m;
  scales_and_mins(b.scales, sc, m);
  const __m256 scale8 = _mm256_mul_ps(_mm256_set1_ps(f16_value(b.d)), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(sc)));
  s.min = _mm256_mul_ps(_mm256_set1_ps(f16_value(b.dmin)), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(m)));
  const __m512i low = _mm512_set1_epi8(0x0f);
  for (int i = 0; i < 4; ++i) {
    const __m256i raw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * i));
    s.q[i] = _mm512_and_si512(_mm512_inserti64x4(_mm512_castsi256_si512(raw), _mm256_srli_epi16(raw, 4), 1), low);
    const __m512i pick = _mm512_inserti64x4(_mm512_set1_epi32(2 * i), _mm256_set1_epi32(2 * i + 1), 1);
    s.scale[i] = _mm512_permutexvar_ps(pick, _mm512_castps256_ps512(scale8));
  }
  return s;
}

// Rows r .. r + R - 1 times the C output columns from `o` (their blocks at
// w[0], w[1], ...); x_sums holds d_x · Σ q_x of each block of those rows,
// `blocks` a row. The columns share each row's activation loads.
template <int R, int C>
void tile(const QuantGemmArgs& a, int64_t r, int64_t o, const BlockQ4_K* const* w, const float* x_sums) {
  const int64_t K = a.k, blocks = K / 32, supers = K / kSuperValues;
  __m512 acc[R][C];
  __m256 mins[R][C];
  for (int i = 0; i < R; ++i)
    for (int c = 0; c < C; ++c) acc[i][c] = _mm512_setzero_ps(), mins[i][c] = _mm256_setzero_ps();
  for (int64_t sb = 0; sb < supers; ++sb) {
    SuperBlock s[C];
#pragma GCC unroll 2
    for (int c = 0; c < C; ++c) {
      // The weights stream from DRAM in decode: ask ~4 KiB ahead (the next
      // column's blocks when this one ends, as columns are contiguous).
      const char* ahead = reinterpret_cast<const char*>(w[c] + sb) + 4096;
      _mm_prefetch(ahead, _MM_HINT_T0);
      _mm_prefetch(ahead + 64, _MM_HINT_T0);
      _mm_prefetch(ahead + 128, _MM_HINT_T0);
      s[c] = decode(w[c][sb]);
    }
#pragma GCC unroll 4
    for (int i = 0; i < R; ++i) {
      const int64_t row = r + i, b0 = row * blocks + sb * 8;
      const int8_t* x = a.xq + row * K + sb * kSuperValues;
      const float* xs = a.xs + b0 * 8;
#pragma GCC unroll 4
      for (int h = 0; h < 4; ++h) {
        const __m512i xv = _mm512_loadu_si512(x + 64 * h);
        const __m512 dx = _mm512_loadu_ps(xs + 16 * h);
#pragma GCC unroll 2
        for (int c = 0; c < C; ++c) {
          const __m512i sums = _mm512_dpbusd_epi32(_mm512_setzero_si512(), s[c].q[h], xv);
          acc[i][c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sums), _mm512_mul_ps(s[c].scale[h], dx), acc[i][c]);
        }
      }
      const __m256 xsum = _mm256_loadu_ps(x_sums + i * blocks + sb * 8);
#pragma GCC unroll 2
      for (int c = 0; c < C; ++c) mins[i][c] = _mm256_fmadd_ps(s[c].min, xsum, mins[i][c]);
    }
  }
  for (int i = 0; i < R; ++i)
    for (int c = 0; c < C; ++c) {
      const float y = _mm512_reduce_add_ps(acc[i][c]) - _mm512_reduce_add_ps(_mm512_zextps256_ps512(mins[i][c]));
      a.y[(r + i) * a.w.rows + o + c] = a.bias ? y + a.bias[o + c] : y;
    }
}

template <int C>
void column_tiles(const QuantGemmArgs& a, int64_t r0, int64_t r1, int64_t o, const BlockQ4_K* const* w,
                  const float* x_sums) {
  const int64_t blocks = a.k / 32;
  int64_t r = r0;
  for (; r + kTileRows <= r1; r += kTileRows) tile<kTileRows, C>(a, r, o, w, x_sums + (r - r0) * blocks);
  const float* rest = x_sums + (r - r0) * blocks;
  switch (r1 - r) {
    case 3: tile<3, C>(a, r, o, w, rest); break;
    case 2: tile<2, C>(a, r, o, w, rest); break;
    case 1: tile<1, C>(a, r, o, w, rest); break;
    default: break;
  }
}

// Rows [r0, r1) of x_sums' capacity, every output column of [c0, c1).
void row_chunk(const QuantGemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1, float* x_sums) {
  const int64_t blocks = a.k / 32, supers = a.k / kSuperValues;
  for (int64_t r = r0; r < r1; ++r)
    for (int64_t b = 0; b < blocks; ++b)
      x_sums[(r - r0) * blocks + b] = a.xs[(r * blocks + b) * 8] * static_cast<float>(a.xsum[r * blocks + b]);
  const auto* base = static_cast<const BlockQ4_K*>(a.w.data);
  int64_t o = c0;
  // Pairs of columns share activation loads (2.2B prefill 58 -> 71 tok/s);
  // a decode step streams one column at a time (pairs halved its rate).
  // Either way each output's sequence of operations is the same.
  if (r1 - r0 >= kTileRows)
    for (; o + 2 <= c1; o += 2) {
      const BlockQ4_K* w[2] = {base + o * supers, base + (o + 1) * supers};
      column_tiles<2>(a, r0, r1, o, w, x_sums);
    }
  for (; o < c1; ++o) {
    const BlockQ4_K* w[1] = {base + o * supers};
    column_tiles<1>(a, r0, r1, o, w, x_sums);
  }
}

}  // namespace

void quant_gemm_q4_k(const QuantGemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1, float* scratch,
                     int64_t scratch_floats) {
  const int64_t rows = scratch_floats / (a.k / 32);
  for (int64_t r = r0; r < r1; r += rows) row_chunk(a, r, r + rows < r1 ? r + rows : r1, c0, c1, scratch);
}

}  // namespace smolvlm::kernels::x86
#endif
