// GGUF's Q4_K super-block (ggml's block_q4_K), 256 values in 144 bytes:
//
//   f16 d, f16 dmin, 12 bytes of eight 6-bit scales and eight 6-bit mins,
//   128 bytes of nibbles. Sub-block j (32 values) is value = d·sc_j·q - dmin·m_j.
//   Scales/mins packing (get_scale_min_k4): for j < 4, sc_j = s[j] & 63 and
//   m_j = s[j + 4] & 63; for j >= 4, sc_j = (s[j + 4] & 15) | (s[j - 4] >> 6) << 4
//   and m_j = (s[j + 4] >> 4) | (s[j] >> 6) << 4. Nibbles: bytes 32·i .. 32·i + 31
//   hold sub-block 2i in their low nibbles and sub-block 2i + 1 in their high ones.
//
// Only quant_formats.cpp and the integer kernel (x86/avx512vnni_q4_k.cpp)
// include this; the rest of the engine sees quant_formats.h.
#pragma once

#include <cstdint>

namespace smolvlm::kernels {

struct BlockQ4_K {
  uint16_t d;     // f16 super-scale of the scales
  uint16_t dmin;  // f16 super-scale of the mins
  uint8_t scales[12];
  uint8_t qs[128];
};
static_assert(sizeof(BlockQ4_K) == 144, "GGUF block_q4_K size");

// The 6-bit scale and min of sub-block j (0..7).
void q4_k_scale_min(const BlockQ4_K& b, int j, uint8_t& scale, uint8_t& min);

// x[256] into one block. Sub-block scale and min from its range (min clamped
// to <= 0, as ggml's), both quantized to 6 bits against the block's largest,
// then q = clamp(round((x + dmin·m) / (d·sc)), 0, 15) with the stored d, dmin
// as ggml's second pass does. (ggml's reference searches the scale and min
// by weighted least squares first; this fit is simpler, the layout the same.)
void quantize_block_q4_k(const float* x, BlockQ4_K& b);
void dequantize_block_q4_k(const BlockQ4_K& b, float* x);

}  // namespace smolvlm::kernels
