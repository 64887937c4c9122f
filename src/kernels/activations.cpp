#include "kernels/activations.h"

#include <cmath>

#include "kernels/shape_check.h"

namespace smolvlm::kernels {

void silu_mul(std::span<const float> gate, std::span<const float> up, std::span<float> out) {
  check_size("silu_mul", "up", up.size(), static_cast<int64_t>(gate.size()));
  check_size("silu_mul", "out", out.size(), static_cast<int64_t>(gate.size()));
  for (size_t i = 0; i < gate.size(); ++i) {
    const float g = gate[i];
    out[i] = (g / (1.0f + std::exp(-g))) * up[i];
  }
}

void add_in_place(std::span<float> x, std::span<const float> delta) {
  check_size("add_in_place", "delta", delta.size(), static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) x[i] += delta[i];
}

}  // namespace smolvlm::kernels
