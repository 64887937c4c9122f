#include "model/synthetic_values.h"

#include <cmath>

#include "core/dtype.h"
#include "core/splitmix64.h"

namespace smolvlm {
namespace {

uint64_t tensor_seed(uint64_t seed, const std::string& name) {
  uint64_t h = 0xCBF29CE484222325ull;  // FNV-1a of the name, mixed with the seed
  for (unsigned char c : name) h = (h ^ c) * 0x100000001B3ull;
  uint64_t state = seed ^ h;
  return splitmix64(state);
}

}  // namespace

SyntheticValues::SyntheticValues(const SyntheticWeight& weight, uint64_t seed)
    : init_(weight.init), state_(tensor_seed(seed, weight.name)) {}

uint64_t SyntheticValues::next() { return splitmix64(state_); }

void SyntheticValues::fill(std::span<uint16_t> out) {
  const float sigma = 0.02f * std::sqrt(3.0f);  // Irwin-Hall(4) - 2 has variance 1/3
  for (uint16_t& bits : out) {
    float v = init_ == WeightInit::Ones ? 1.0f : 0.0f;
    if (init_ == WeightInit::Normal) {
      const uint64_t r = next();  // four 16-bit uniforms
      const float sum = static_cast<float>((r & 0xFFFF) + ((r >> 16) & 0xFFFF) + ((r >> 32) & 0xFFFF) + (r >> 48));
      v = (sum * (1.0f / 65536.0f) - 2.0f) * sigma;
    }
    bits = f32_to_bf16(v);
  }
}

}  // namespace smolvlm
