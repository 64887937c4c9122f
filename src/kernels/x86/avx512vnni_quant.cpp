// Integer matmul over Q8_0 / Q4_0 weights with AVX-512 VNNI (vpdpbusd), for
// activations quantized per 32-block to int8 (quant_matmul.h); Q4_K's is
// avx512vnni_q4_k.cpp. Compiled with the VNNI -m flags (CMakeLists.txt) and
// used only where the CPU has them.
//
// vpdpbusd multiplies unsigned by signed bytes, so the weights are made
// unsigned (a Q8_0 q becomes q + 128, a Q4_0 nibble is already q + 8) and
// each block's integer sum is corrected by -bias · Σ x (the activation sums
// come with the activations). Every output is then
//   y = fma(f_B-1, s_B-1, ... fma(f_1, s_1, fma(f_0, s_0, 0)))
// with f_b the exact integer sum of block b as f32 and s_b = d_w · d_x, in
// block order: the same bits whichever path computes it, so a row's result
// never depends on the rows batched with it.
//   - Few rows (decode): weights read in place, 8 columns at a time, two
//     blocks a step; each column's 16 int32 lanes are reduced to its two
//     block sums by one transposing tree over the 8 columns.
//   - Many rows: each task packs 16 weight columns into a panel, per block
//     [4-byte group g][column][4 bytes] plus the 16 scales, so one vpdpbusd
//     of a broadcast activation group feeds 16 columns: 8 per block and row,
//     and the 16 lanes are the 16 columns' block sums.
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/quant_gemm.h"
#include "kernels/x86/quant_panels_vnni.h"

namespace smolvlm::kernels::x86 {
namespace {

constexpr int64_t kBlock = 32;

template <DType D>
struct QuantWeights {
  static constexpr int64_t kBlockBytes = D == DType::Q8_0 ? 34 : 18;
  static constexpr int kBias = D == DType::Q8_0 ? 128 : 8;

  // Blocks b and b + 1 (b + 1 only when `pair`) as 64 unsigned bytes: Q8_0
  // in element order; Q4_0 as its nibbles fall, 16-byte lanes [b 0-15,
  // b+1 0-15, b 16-31, b+1 16-31] (kInterleaved: the activations follow).
  static constexpr bool kInterleaved = D == DType::Q4_0;
  static __m512i values(const uint8_t* row, int64_t b, bool pair) {
    const uint8_t* q0 = row + b * kBlockBytes + 2;
    if constexpr (D == DType::Q8_0) {
      const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q0));
      const __m512i z = pair ? _mm512_inserti64x4(_mm512_castsi256_si512(lo),
                                                  _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q0 + kBlockBytes)), 1)
                             : _mm512_zextsi256_si512(lo);
      return _mm512_xor_si512(z, _mm512_set1_epi8(static_cast<char>(0x80)));
    } else {
      const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q0));
      const __m128i b1 = pair ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(q0 + kBlockBytes)) : _mm_setzero_si128();
      const __m256i t = _mm256_inserti128_si256(_mm256_castsi128_si256(a), b1, 1);
      const __m256i mask = _mm256_set1_epi8(0x0f);
      const __m256i lo = _mm256_and_si256(t, mask), hi = _mm256_and_si256(_mm256_srli_epi16(t, 4), mask);
      return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
    }
  }

};

// One column's 16 int32 lanes for 8 columns (block b in 128-bit lanes 0, 1
// and b + 1 in 2, 3; interleaved: b in 0, 2 and b + 1 in 1, 3), reduced to
// [block b of columns 0-7, block b + 1 of columns 0-7].
template <bool kInterleaved>
inline __m512i block_sums(const __m512i* p) {
  auto pair = [](__m512i a, __m512i b) {
    return _mm512_add_epi32(_mm512_unpacklo_epi32(a, b), _mm512_unpackhi_epi32(a, b));
  };
  auto quad = [](__m512i a, __m512i b) {
    return _mm512_add_epi32(_mm512_unpacklo_epi64(a, b), _mm512_unpackhi_epi64(a, b));
  };
  // Per 128-bit lane (half a block): the sums of columns 0-3, then 4-7.
  const __m512i s0 = quad(pair(p[0], p[1]), pair(p[2], p[3])), s1 = quad(pair(p[4], p[5]), pair(p[6], p[7]));
  // [c0-3 b, c0-3 b+1, c4-7 b, c4-7 b+1] from the halves, then [c0-7 b, c0-7 b+1].
  constexpr int kFirst = kInterleaved ? _MM_SHUFFLE(1, 0, 1, 0) : _MM_SHUFFLE(2, 0, 2, 0);
  constexpr int kSecond = kInterleaved ? _MM_SHUFFLE(3, 2, 3, 2) : _MM_SHUFFLE(3, 1, 3, 1);
  const __m512i t = _mm512_add_epi32(_mm512_shuffle_i32x4(s0, s1, kFirst), _mm512_shuffle_i32x4(s0, s1, kSecond));
  return _mm512_shuffle_i32x4(t, t, _MM_SHUFFLE(3, 1, 2, 0));
}

// One activation row times 8 weight columns w[c] (repeats past `cols`).
template <DType D>
void direct_row(const QuantGemmArgs& a, int64_t r, const uint8_t* const* w, int cols, int64_t row_bytes, float* y,
                const float* bias) {
  using QW = QuantWeights<D>;
  constexpr int C = 8;
  const int64_t K = a.k, blocks = K / kBlock;
  const int8_t* x = a.xq + r * K;
  const float* xs = a.xs + r * blocks * 8;
  const int32_t* xsum = a.xsum + r * blocks;
  // The 16 scales of a step, one gather: columns 0-7 of block b, then b + 1.
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
  const __m512i scale_index = _mm512_add_epi32(
      _mm512_mullo_epi32(_mm512_min_epi32(lane, _mm512_set1_epi32(cols - 1)), _mm512_set1_epi32(static_cast<int>(row_bytes))),
      _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, QW::kBlockBytes, QW::kBlockBytes, QW::kBlockBytes, QW::kBlockBytes,
                        QW::kBlockBytes, QW::kBlockBytes, QW::kBlockBytes, QW::kBlockBytes));
  __m256 acc = _mm256_setzero_ps();
  for (int64_t b = 0; b < blocks; b += 2) {
    const bool pair = b + 1 < blocks;
    __m512i xv = _mm512_maskz_loadu_epi8(pair ? ~__mmask64{0} : (__mmask64{1} << 32) - 1, x + b * kBlock);
    if constexpr (QW::kInterleaved) xv = _mm512_shuffle_i64x2(xv, xv, _MM_SHUFFLE(3, 1, 2, 0));
    __m512i p[C];
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      _mm_prefetch(reinterpret_cast<const char*>(w[c] + C * row_bytes + b * QW::kBlockBytes), _MM_HINT_T0);
      p[c] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), QW::values(w[c], b, pair), xv);
    }
    const __mmask16 half = pair ? 0xffff : 0x00ff;
    const __m512i d = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), half, scale_index,
                                                  w[0] + b * QW::kBlockBytes, 1);
    const __m512i corr = _mm512_inserti64x4(_mm512_set1_epi32(QW::kBias * xsum[b]),
                                            _mm256_set1_epi32(pair ? QW::kBias * xsum[b + 1] : 0), 1);
    const __m512 f = _mm512_cvtepi32_ps(_mm512_sub_epi32(block_sums<QW::kInterleaved>(p), corr));
    const __m512 s = _mm512_mul_ps(_mm512_cvtph_ps(_mm512_cvtepi32_epi16(d)), _mm512_maskz_loadu_ps(half, xs + b * 8));
    acc = _mm256_fmadd_ps(_mm512_castps512_ps256(f), _mm512_castps512_ps256(s), acc);
    if (pair) acc = _mm256_fmadd_ps(_mm512_extractf32x8_ps(f, 1), _mm512_extractf32x8_ps(s, 1), acc);
  }
  alignas(32) float out[C];
  _mm256_store_ps(out, acc);
  for (int c = 0; c < cols; ++c) y[c] = bias ? out[c] + bias[c] : out[c];
}

// The panel of 16 columns: per block, 8 groups x 16 columns x 4 bytes, then
// the 16 scales as f32.
constexpr int kPanelCols = 16;
constexpr int64_t kPanelBlockBytes = 8 * kPanelCols * 4 + kPanelCols * 4;

// 16 columns' 4-byte group at `offset` of block b, one gather: the rows
// are row_bytes apart (`index`: column i's row, the last one repeated).
inline __m512i gather_groups(const uint8_t* first_row, __m512i index, int64_t offset) {
  return _mm512_i32gather_epi32(index, first_row + offset, 1);
}

template <DType D>
void pack_panel(const uint8_t* first_row, int cols, int64_t row_bytes, int64_t blocks, uint8_t* panel) {
  using QW = QuantWeights<D>;
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i index = _mm512_mullo_epi32(_mm512_min_epi32(lane, _mm512_set1_epi32(cols - 1)),
                                           _mm512_set1_epi32(static_cast<int>(row_bytes)));
  for (int64_t b = 0; b < blocks; ++b) {
    uint8_t* pb = panel + b * kPanelBlockBytes;
    const int64_t at = b * QW::kBlockBytes;
    if constexpr (D == DType::Q8_0) {
      for (int g = 0; g < 8; ++g)
        _mm512_storeu_si512(pb + g * 64, _mm512_xor_si512(gather_groups(first_row, index, at + 2 + 4 * g),
                                                          _mm512_set1_epi8(static_cast<char>(0x80))));
    } else {
      const __m512i mask = _mm512_set1_epi8(0x0f);
      for (int g = 0; g < 4; ++g) {
        const __m512i q = gather_groups(first_row, index, at + 2 + 4 * g);
        _mm512_storeu_si512(pb + g * 64, _mm512_and_si512(q, mask));                                // elements 4g..
        _mm512_storeu_si512(pb + (g + 4) * 64, _mm512_and_si512(_mm512_srli_epi16(q, 4), mask));  // 16 + 4g..
      }
    }
    const __m256i d = _mm512_cvtepi32_epi16(gather_groups(first_row, index, at));  // the f16 scale, low half
    _mm512_storeu_ps(pb + 8 * 64, _mm512_cvtph_ps(d));
  }
}

// Rows r .. r + R - 1 times the panel's 16 columns.
template <DType D, int R>
inline void panel_tile(const QuantGemmArgs& a, int64_t r, const uint8_t* panel, int cols, float* y, int64_t ldy,
                       const float* bias) {
  const int64_t K = a.k, blocks = K / kBlock;
  __m512 acc[R];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) acc[i] = _mm512_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t* pb = panel + b * kPanelBlockBytes;
    __m512i isum[R];
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) isum[i] = _mm512_setzero_si512();
#pragma GCC unroll 8
    for (int g = 0; g < 8; ++g) {
      const __m512i wv = _mm512_loadu_si512(pb + g * 64);
#pragma GCC unroll 8
      for (int i = 0; i < R; ++i) {
        int32_t group;
        std::memcpy(&group, a.xq + (r + i) * K + b * kBlock + 4 * g, 4);
        isum[i] = _mm512_dpbusd_epi32(isum[i], wv, _mm512_set1_epi32(group));
      }
    }
    const __m512 dw = _mm512_loadu_ps(reinterpret_cast<const float*>(pb + 8 * 64));
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      const int64_t row = r + i;
      const __m512i corr = _mm512_set1_epi32(QuantWeights<D>::kBias * a.xsum[row * blocks + b]);
      const __m512 f = _mm512_cvtepi32_ps(_mm512_sub_epi32(isum[i], corr));
      acc[i] = _mm512_fmadd_ps(f, _mm512_mul_ps(dw, _mm512_set1_ps(a.xs[(row * blocks + b) * 8])), acc[i]);
    }
  }
  const __mmask16 m = static_cast<__mmask16>((1u << cols) - 1u);
  for (int i = 0; i < R; ++i) {
    __m512 out = acc[i];
    if (bias) out = _mm512_add_ps(out, _mm512_maskz_loadu_ps(m, bias));
    _mm512_mask_storeu_ps(y + i * ldy, m, out);
  }
}

template <DType D, int R>
void panel_rows(const QuantGemmArgs& a, int64_t r0, int64_t r1, const uint8_t* panel, int cols, int64_t c0) {
  const int64_t OUT = a.w.rows;
  const float* bias = a.bias ? a.bias + c0 : nullptr;
  int64_t r = r0;
  for (; r + R <= r1; r += R) panel_tile<D, R>(a, r, panel, cols, a.y + r * OUT + c0, OUT, bias);
  if constexpr (R > 1)
    if (r < r1) panel_rows<D, R - 1>(a, r, r1, panel, cols, c0);
}

// From this many rows a task packs panels (the packing pays for itself).
constexpr int64_t kPanelMinRows = 4;
constexpr int kPanelRows = 6;

template <DType D>
void quant_gemm_dtype(const QuantGemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1, float* scratch) {
  const int64_t blocks = a.k / kBlock, row_bytes = blocks * QuantWeights<D>::kBlockBytes;
  const auto* base = static_cast<const uint8_t*>(a.w.data);
  const bool packed = r1 - r0 >= kPanelMinRows;
  const int step = packed ? kPanelCols : 8;
  for (int64_t c = c0; c < c1; c += step) {
    const int cols = static_cast<int>(c1 - c < step ? c1 - c : step);
    const uint8_t* w[kPanelCols];
    // Columns past the last repeat it: their results are not stored.
    for (int i = 0; i < step; ++i) w[i] = base + (c + (i < cols ? i : cols - 1)) * row_bytes;
    if (packed) {
      auto* panel = reinterpret_cast<uint8_t*>(scratch);
      pack_panel<D>(w[0], cols, row_bytes, blocks, panel);
      panel_rows<D, kPanelRows>(a, r0, r1, panel, cols, c);
    } else {
      const float* bias = a.bias ? a.bias + c : nullptr;
      for (int64_t r = r0; r < r1; ++r) direct_row<D>(a, r, w, cols, row_bytes, a.y + r * a.w.rows + c, bias);
    }
  }
}

int64_t quant_scratch_floats(int64_t k) { return (k / kBlock * kPanelBlockBytes + 3) / 4; }

void quant_gemm(const QuantGemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1, float* scratch) {
  switch (a.w.dtype) {
    case DType::Q8_0: return quant_gemm_dtype<DType::Q8_0>(a, r0, r1, c0, c1, scratch);
    case DType::Q4_0: return quant_gemm_dtype<DType::Q4_0>(a, r0, r1, c0, c1, scratch);
    case DType::Q8_0_PANELS: return quant_gemm_panels<DType::Q8_0_PANELS>(a, r0, r1, c0, c1);
    case DType::Q4_0_PANELS: return quant_gemm_panels<DType::Q4_0_PANELS>(a, r0, r1, c0, c1);
    case DType::Q4_K: return quant_gemm_q4_k(a, r0, r1, c0, c1, scratch, quant_scratch_floats(a.k));
    default: return;
  }
}

// quantize_activations (quant_matmul.h) a block per step, the same bits:
// amax is a max (exact in any order; a NaN lane never wins, as with
// std::max), and roundf's half-away-from-zero comes from the truncation and
// the exact remainder.
void quantize_activations(const float* x, int64_t n, int8_t* q, float* scales, int32_t* sums) {
  const __m512 sign_bit = _mm512_set1_ps(-0.0f), half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.0f);
  for (int64_t b = 0; b < n / kBlock; ++b) {
    const __m512 x0 = _mm512_loadu_ps(x + b * kBlock), x1 = _mm512_loadu_ps(x + b * kBlock + 16);
    const __m512 amax_lanes =
        _mm512_max_ps(_mm512_andnot_ps(sign_bit, x1), _mm512_max_ps(_mm512_andnot_ps(sign_bit, x0), _mm512_setzero_ps()));
    const float amax = _mm512_reduce_max_ps(amax_lanes);
    const float d = amax / 127.0f;
    const __m512 id = _mm512_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
    __m512i qi[2];
    for (int h = 0; h < 2; ++h) {
      const __m512 t = _mm512_mul_ps(h == 0 ? x0 : x1, id);
      const __m512 whole = _mm512_roundscale_ps(t, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
      const __m512 away = _mm512_or_ps(one, _mm512_and_ps(t, sign_bit));  // ±1 with t's sign
      const __mmask16 up = _mm512_cmp_ps_mask(_mm512_andnot_ps(sign_bit, _mm512_sub_ps(t, whole)), half, _CMP_GE_OQ);
      qi[h] = _mm512_cvttps_epi32(_mm512_mask_add_ps(whole, up, whole, away));
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + b * kBlock), _mm512_cvtepi32_epi8(qi[0]));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + b * kBlock + 16), _mm512_cvtepi32_epi8(qi[1]));
    _mm256_storeu_ps(scales + b * 8, _mm256_set1_ps(d));
    if (sums) sums[b] = _mm512_reduce_add_epi32(_mm512_add_epi32(qi[0], qi[1]));
  }
}

}  // namespace

const QuantKernels& avx512vnni_quant_kernels() {
  static const QuantKernels table{quant_gemm, quant_scratch_floats, quantize_activations};
  return table;
}

}  // namespace smolvlm::kernels::x86
#endif
