// GGUF-compatible block-quantized weights (ggml's block_q8_0 / block_q4_0),
// with the scalar quantize / dequantize references every fast path is tested
// against. A [rows, cols] matrix stores each row as cols / 32 blocks, rows
// back to back, so a row is addressable on its own (rows x row_bytes).
//
//   Q8_0: f16 d, then 32 int8 q;        value = q * d
//   Q4_0: f16 d, then 16 bytes of nibbles; byte j holds element j (low
//         nibble) and element j + 16 (high nibble); value = (nibble - 8) * d
//   Q4_K: super-blocks of 256 in 144 bytes (quant_q4_k.h); rows hold
//         cols / 256 of them. Dequantized exactly as GGUF; the fast
//         mode's integer kernel is x86/avx512vnni_q4_k.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/dtype.h"

namespace smolvlm::kernels {

constexpr int64_t kQuantBlock = 32;

struct BlockQ8_0 {
  uint16_t d;  // f16 scale
  int8_t qs[kQuantBlock];
};
struct BlockQ4_0 {
  uint16_t d;  // f16 scale
  uint8_t qs[kQuantBlock / 2];
};
static_assert(sizeof(BlockQ8_0) == 34 && sizeof(BlockQ4_0) == 18, "GGUF block sizes");

// Bytes of one quantized row of `cols` values (a whole number of blocks).
size_t quant_row_bytes(DType dtype, int64_t cols);

// x[n] (a whole number of blocks) into blocks at `out`; Q8_0 / Q4_0 with ggml's
// reference rounding (quantize_row_q8_0_ref / quantize_row_q4_0_ref):
//   Q8_0: d = amax / 127, q = roundf(x / d)   (half away from zero)
//   Q4_0: d = m / -8 with m the value of largest magnitude (first such),
//         q = min(15, (int8_t)(x / d + 8.5))
// In both, x / d is x * (1 / d) with 1 / d computed from the f32 d, and d is
// then stored rounded to f16. Throws Error for other dtypes or a partial block.
void quantize_row(DType dtype, std::span<const float> x, void* out);

// The inverse: the blocks at `in` to x[n] (q * d: exact in f32 for Q8_0 / Q4_0).
void dequantize_row(DType dtype, const void* in, std::span<float> x);

}  // namespace smolvlm::kernels
