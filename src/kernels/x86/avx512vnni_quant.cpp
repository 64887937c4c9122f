// Integer matmul over Q8_0 / Q4_0 weights with AVX-512 VNNI (vpdpbusd), for
// activations quantized per 32-block to int8 (quant_matmul.h). Compiled with
// the VNNI -m flags (CMakeLists.txt) and used only where the CPU has them.
//
// vpdpbusd multiplies unsigned by signed bytes, so the weights are made
// unsigned and the activations stay signed: a Q8_0 weight q becomes q + 128,
// a Q4_0 nibble is already q + 8; each 4-byte group's Σ (q + bias)·x is
// corrected by starting its int32 lane at -bias·Σ x, which depends on the
// activations only (one vpdpbusd per row and step, shared by all columns).
// One step covers two blocks (64 bytes): int32 lanes 0-7 hold block b's
// groups, lanes 8-15 block b + 1's, each lane scaled by d_w · d_x in f32.
// Every output is one fixed sequence of steps and one reduction, so a row's
// result does not depend on the tile it was computed in.
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/quant_gemm.h"

namespace smolvlm::kernels::x86 {
namespace {

constexpr int64_t kBlock = 32;

template <DType D>
struct QuantWeights {
  static constexpr int64_t kBlockBytes = D == DType::Q8_0 ? 34 : 18;
  static constexpr int kBias = D == DType::Q8_0 ? 128 : 8;

  // Blocks b and b + 1 (b + 1 only when `pair`) as 64 unsigned bytes in
  // element order.
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
      // [lo b, lo b+1, hi b, hi b+1] -> [lo b, hi b, lo b+1, hi b+1]: elements 0-15, 16-31 of each block.
      const __m512i z = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
      return _mm512_shuffle_i64x2(z, z, _MM_SHUFFLE(3, 1, 2, 0));
    }
  }

  // [d_b x8, d_b+1 x8] in f32 (0 for a missing b + 1).
  static __m512 scales(const uint8_t* row, int64_t b, bool pair) {
    uint16_t d0, d1 = 0;
    std::memcpy(&d0, row + b * kBlockBytes, 2);
    if (pair) std::memcpy(&d1, row + (b + 1) * kBlockBytes, 2);
    const __m256i h = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_set1_epi16(static_cast<short>(d0))),
                                              _mm_set1_epi16(static_cast<short>(d1)), 1);
    return _mm512_cvtph_ps(h);
  }
};

// y[r][c] for r < R, c < cols <= C: activation rows x, weight rows w[c].
template <DType D, int R, int C>
inline void quant_tile(const QuantGemmArgs& a, int64_t r, const uint8_t* const* w, int cols, int64_t row_bytes,
                       float* y, int64_t ldy, const float* bias) {
  using QW = QuantWeights<D>;
  const int64_t K = a.k, blocks = K / kBlock, ldxs = K / kBlock * 8;
  const int8_t* x = a.xq + r * K;
  const float* xs = a.xs + r * ldxs;
  const __m512i bias_bytes = _mm512_set1_epi8(static_cast<char>(QW::kBias));
  __m512 acc[R][C];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) acc[i][c] = _mm512_setzero_ps();
  for (int64_t b = 0; b < blocks; b += 2) {
    const bool pair = b + 1 < blocks;
    const __mmask64 m = pair ? ~__mmask64{0} : (__mmask64{1} << 32) - 1;
    __m512i xv[R], neg[R];
    __m512 sx[R];
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      xv[i] = _mm512_maskz_loadu_epi8(m, x + i * K + b * kBlock);
      sx[i] = _mm512_maskz_loadu_ps(pair ? 0xffff : 0x00ff, xs + i * ldxs + b * 8);
      neg[i] = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_dpbusd_epi32(_mm512_setzero_si512(), bias_bytes, xv[i]));
    }
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      if constexpr (R == 1) _mm_prefetch(reinterpret_cast<const char*>(w[c] + C * row_bytes + b * QW::kBlockBytes), _MM_HINT_T0);
      const __m512i wv = QW::values(w[c], b, pair);
      const __m512 sw = QW::scales(w[c], b, pair);
#pragma GCC unroll 8
      for (int i = 0; i < R; ++i) {
        const __m512i p = _mm512_dpbusd_epi32(neg[i], wv, xv[i]);
        acc[i][c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), _mm512_mul_ps(sx[i], sw), acc[i][c]);
      }
    }
  }
  for (int i = 0; i < R; ++i)
    for (int c = 0; c < cols; ++c) {
      const float s = _mm512_reduce_add_ps(acc[i][c]);
      y[i * ldy + c] = bias ? s + bias[c] : s;
    }
}

template <DType D, int R, int C>
void quant_rows(const QuantGemmArgs& a, int64_t r0, int64_t r1, const uint8_t* const* w, int cols, int64_t row_bytes,
                int64_t c0) {
  const int64_t OUT = a.w.rows;
  const float* bias = a.bias ? a.bias + c0 : nullptr;
  int64_t r = r0;
  for (; r + R <= r1; r += R) quant_tile<D, R, C>(a, r, w, cols, row_bytes, a.y + r * OUT + c0, OUT, bias);
  if constexpr (R > 1)
    if (r < r1) quant_rows<D, R - 1, C>(a, r, r1, w, cols, row_bytes, c0);
}

// Decode (one row) streams C = 8 weight rows at a time; more rows take 3 x 4
// tiles (12 f32 accumulators plus operands fit the 32 zmm registers).
template <DType D>
void quant_gemm_dtype(const QuantGemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
  constexpr int kDecodeCols = 8, kRows = 3, kCols = 4;
  const int64_t row_bytes = a.k / kBlock * QuantWeights<D>::kBlockBytes;
  const auto* base = static_cast<const uint8_t*>(a.w.data);
  const int step = r1 - r0 == 1 ? kDecodeCols : kCols;
  for (int64_t c = c0; c < c1; c += step) {
    const int cols = static_cast<int>(c1 - c < step ? c1 - c : step);
    const uint8_t* w[kDecodeCols];
    // Columns past the last repeat it: their results are not stored.
    for (int i = 0; i < step; ++i) w[i] = base + (c + (i < cols ? i : cols - 1)) * row_bytes;
    if (r1 - r0 == 1)
      quant_rows<D, 1, kDecodeCols>(a, r0, r1, w, cols, row_bytes, c);
    else
      quant_rows<D, kRows, kCols>(a, r0, r1, w, cols, row_bytes, c);
  }
}

void quant_gemm(const QuantGemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
  if (a.w.dtype == DType::Q8_0) return quant_gemm_dtype<DType::Q8_0>(a, r0, r1, c0, c1);
  if (a.w.dtype == DType::Q4_0) return quant_gemm_dtype<DType::Q4_0>(a, r0, r1, c0, c1);
}

}  // namespace

const QuantKernels& avx512vnni_quant_kernels() {
  static const QuantKernels table{quant_gemm};
  return table;
}

}  // namespace smolvlm::kernels::x86
#endif
