#include "core/dtype.h"

#include <array>
#include <cmath>

namespace smolvlm {
namespace {

struct DTypeInfo {
  DType type;
  std::string_view name;
  size_t size_bytes;
};

constexpr std::array<DTypeInfo, 10> kDTypes{{
    {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2},
    {DType::F64, "F64", 8}, {DType::I64, "I64", 8}, {DType::I32, "I32", 4},
    {DType::I16, "I16", 2}, {DType::I8, "I8", 1},   {DType::U8, "U8", 1},
    {DType::BOOL, "BOOL", 1},
}};

}  // namespace

size_t dtype_size_bytes(DType t) {
  for (const auto& d : kDTypes)
    if (d.type == t) return d.size_bytes;
  return 0;
}

std::string_view dtype_name(DType t) {
  for (const auto& d : kDTypes)
    if (d.type == t) return d.name;
  if (t == DType::Q8_0) return "Q8_0";
  if (t == DType::Q4_0) return "Q4_0";
  if (t == DType::Q4_K) return "Q4_K";
  if (t == DType::BF16_PANELS) return "BF16_PANELS";
  if (t == DType::Q8_0_PANELS) return "Q8_0_PANELS";
  if (t == DType::Q4_0_PANELS) return "Q4_0_PANELS";
  return "?";
}

bool dtype_is_quantized(DType t) { return t == DType::Q8_0 || t == DType::Q4_0 || t == DType::Q4_K; }

int64_t dtype_block_elems(DType t) {
  if (t == DType::Q4_K) return 256;  // a super-block of 8 x 32
  return dtype_is_quantized(t) ? 32 : 1;
}

size_t dtype_block_bytes(DType t) {
  if (t == DType::Q8_0) return 2 + 32;  // f16 scale + 32 int8
  if (t == DType::Q4_0) return 2 + 16;  // f16 scale + 32 nibbles
  if (t == DType::Q4_K) return 2 + 2 + 12 + 128;  // f16 d, dmin, 6-bit scales and mins, 256 nibbles
  return dtype_size_bytes(t);
}

std::optional<uint64_t> dtype_tensor_bytes(DType t, const std::vector<int64_t>& shape) {
  if (t == DType::BF16_PANELS) {  // rows padded to whole 64-row panels (kernels/bf16_panels.h)
    if (shape.size() != 2 || shape[0] < 0 || shape[1] < 0 || shape[1] % 2 != 0) return std::nullopt;
    return static_cast<uint64_t>((shape[0] + 63) / 64 * 64) * static_cast<uint64_t>(shape[1]) * 2;
  }
  if (t == DType::Q8_0_PANELS || t == DType::Q4_0_PANELS) {  // 16-row panels of blocks (kernels/quant_panels.h)
    if (shape.size() != 2 || shape[0] < 0 || shape[1] < 0 || shape[1] % 32 != 0) return std::nullopt;
    const uint64_t block_bytes = t == DType::Q8_0_PANELS ? 544 : 288;
    return static_cast<uint64_t>((shape[0] + 15) / 16) * static_cast<uint64_t>(shape[1] / 32) * block_bytes;
  }
  const int64_t block = dtype_block_elems(t);
  if (dtype_block_bytes(t) == 0 || (block > 1 && (shape.empty() || shape.back() % block != 0))) return std::nullopt;
  uint64_t blocks = 1;
  for (int64_t d : shape) {
    if (d < 0) return std::nullopt;
    blocks *= static_cast<uint64_t>(d);
  }
  return blocks / static_cast<uint64_t>(block) * dtype_block_bytes(t);
}

std::optional<DType> dtype_from_name(std::string_view name) {
  for (const auto& d : kDTypes)
    if (d.name == name) return d.type;
  return std::nullopt;
}

float f16_to_f32(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1u, exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
  float magnitude;
  if (exponent == 0)
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31)
    magnitude = mantissa ? NAN : INFINITY;
  else
    magnitude = std::ldexp(static_cast<float>(mantissa | 0x400u), static_cast<int>(exponent) - 25);
  return sign ? -magnitude : magnitude;
}

uint16_t f32_to_f16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t abs = x & 0x7fffffffu;
  if (abs > 0x7f800000u) return sign | 0x7e00u;              // NaN
  if (abs >= 0x477ff000u) return sign | 0x7c00u;             // overflow -> inf
  if (abs < 0x38800000u) {                                   // subnormal or zero in f16
    float a;
    std::memcpy(&a, &abs, sizeof a);
    return sign | static_cast<uint16_t>(std::nearbyint(a * 16777216.0f));  // a / 2^-24, ties-to-even
  }
  uint32_t rounded = abs + 0xfffu + ((abs >> 13) & 1u);      // round mantissa to 10 bits, ties-to-even
  return sign | static_cast<uint16_t>((rounded - 0x38000000u) >> 13);
}

}  // namespace smolvlm
