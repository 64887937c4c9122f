#include "kernels/quant_formats.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "core/error.h"
#include "kernels/quant_q4_k.h"

namespace smolvlm::kernels {
namespace {

void check_blocks(const char* what, DType dtype, size_t n) {
  if (!dtype_is_quantized(dtype))
    throw Error(std::string("kernels::") + what, std::string(dtype_name(dtype)) + " is not a block dtype");
  const auto block = static_cast<size_t>(dtype_block_elems(dtype));
  if (n % block != 0)
    throw Error(std::string("kernels::") + what,
                std::to_string(n) + " values are not a whole number of " + std::to_string(block) + "-blocks");
}

void quantize_block_q8_0(const float* x, BlockQ8_0& b) {
  float amax = 0.0f;
  for (int64_t j = 0; j < kQuantBlock; ++j) amax = std::max(amax, std::fabs(x[j]));
  const float d = amax / 127.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  b.d = f32_to_f16(d);
  for (int64_t j = 0; j < kQuantBlock; ++j) b.qs[j] = static_cast<int8_t>(std::roundf(x[j] * id));
}

void quantize_block_q4_0(const float* x, BlockQ4_0& b) {
  float amax = 0.0f, max = 0.0f;
  for (int64_t j = 0; j < kQuantBlock; ++j)
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  const float d = max / -8.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  b.d = f32_to_f16(d);
  constexpr int64_t half = kQuantBlock / 2;
  for (int64_t j = 0; j < half; ++j) {
    // ggml truncates toward zero through int8_t; x * id lies in [-8, 8], so
    // the sum is in [0.5, 16.5] and only 16 needs the clamp.
    const auto lo = static_cast<uint8_t>(std::min(15, static_cast<int>(static_cast<int8_t>(x[j] * id + 8.5f))));
    const auto hi =
        static_cast<uint8_t>(std::min(15, static_cast<int>(static_cast<int8_t>(x[j + half] * id + 8.5f))));
    b.qs[j] = static_cast<uint8_t>(lo | (hi << 4));
  }
}

}  // namespace

size_t quant_row_bytes(DType dtype, int64_t cols) {
  check_blocks("quant_row_bytes", dtype, static_cast<size_t>(cols));
  return static_cast<size_t>(cols / dtype_block_elems(dtype)) * dtype_block_bytes(dtype);
}

void quantize_row(DType dtype, std::span<const float> x, void* out) {
  check_blocks("quantize_row", dtype, x.size());
  if (dtype == DType::Q4_K) {
    for (size_t i = 0; i < x.size() / 256; ++i) quantize_block_q4_k(x.data() + i * 256, static_cast<BlockQ4_K*>(out)[i]);
    return;
  }
  const size_t blocks = x.size() / kQuantBlock;
  for (size_t i = 0; i < blocks; ++i) {
    const float* xb = x.data() + i * kQuantBlock;
    if (dtype == DType::Q8_0)
      quantize_block_q8_0(xb, static_cast<BlockQ8_0*>(out)[i]);
    else
      quantize_block_q4_0(xb, static_cast<BlockQ4_0*>(out)[i]);
  }
}

void dequantize_row(DType dtype, const void* in, std::span<float> x) {
  check_blocks("dequantize_row", dtype, x.size());
  if (dtype == DType::Q4_K) {
    for (size_t i = 0; i < x.size() / 256; ++i) {
      BlockQ4_K b;
      std::memcpy(&b, static_cast<const uint8_t*>(in) + i * sizeof b, sizeof b);
      dequantize_block_q4_k(b, x.data() + i * 256);
    }
    return;
  }
  const size_t blocks = x.size() / kQuantBlock;
  constexpr int64_t half = kQuantBlock / 2;
  for (size_t i = 0; i < blocks; ++i) {
    float* xb = x.data() + i * kQuantBlock;
    if (dtype == DType::Q8_0) {
      BlockQ8_0 b;  // blocks are 2-byte aligned at most: copy out
      std::memcpy(&b, static_cast<const uint8_t*>(in) + i * sizeof b, sizeof b);
      const float d = f16_to_f32(b.d);
      for (int64_t j = 0; j < kQuantBlock; ++j) xb[j] = static_cast<float>(b.qs[j]) * d;
    } else {
      BlockQ4_0 b;
      std::memcpy(&b, static_cast<const uint8_t*>(in) + i * sizeof b, sizeof b);
      const float d = f16_to_f32(b.d);
      for (int64_t j = 0; j < half; ++j) {
        xb[j] = static_cast<float>((b.qs[j] & 0x0f) - 8) * d;
        xb[j + half] = static_cast<float>((b.qs[j] >> 4) - 8) * d;
      }
    }
  }
}

}  // namespace smolvlm::kernels
