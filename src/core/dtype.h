// Element types as stored in safetensors files, and scalar conversions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

namespace smolvlm {

// Q8_0, Q4_0 and Q4_K are GGUF's block-quantized weights (kernels/quant_formats.h):
// never in a safetensors header, made at load or read from a quantized folder
// (io/quantized_tensors.h). The *_PANELS dtypes are BF16 / Q8_0 / Q4_0
// re-laid out for the fast kernels (kernels/bf16_panels.h, quant_panels.h):
// made at load, never stored.
enum class DType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL, Q8_0, Q4_0, Q4_K, BF16_PANELS, Q8_0_PANELS, Q4_0_PANELS };

size_t dtype_size_bytes(DType t);      // 0 for the block and panel dtypes
std::string_view dtype_name(DType t);  // safetensors spelling: "F32", "BF16", ...; "Q8_0", "Q4_0", "Q4_K"
std::optional<DType> dtype_from_name(std::string_view name);  // safetensors dtypes only

// Block dtypes store rows of `dtype_block_elems` values in `dtype_block_bytes`
// bytes; element dtypes are blocks of one (elems 1, bytes = dtype_size_bytes).
bool dtype_is_quantized(DType t);
int64_t dtype_block_elems(DType t);
size_t dtype_block_bytes(DType t);
// Bytes of a row-major tensor of `shape` (a block dtype blocks its last
// dimension; the panel dtypes pad rows to whole panels); none when the last
// dimension is not a whole number of blocks (BF16_PANELS: of pairs).
std::optional<uint64_t> dtype_tensor_bytes(DType t, const std::vector<int64_t>& shape);

inline float bf16_to_f32(uint16_t h) {
  uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Round to nearest even, as torch's .to(bfloat16); NaN stays NaN.
inline uint16_t f32_to_bf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

float f16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);

}  // namespace smolvlm
