#include "kernels/activations.h"

#include <cmath>

#include "kernels/backend.h"
#include "kernels/parallel.h"
#include "kernels/shape_check.h"

namespace smolvlm::kernels {

void silu_mul(std::span<const float> gate, std::span<const float> up, std::span<float> out) {
  const Backend& be = backend();
  if (!be.silu_mul) return reference::silu_mul(gate, up, out);
  check_size("silu_mul", "up", up.size(), static_cast<int64_t>(gate.size()));
  check_size("silu_mul", "out", out.size(), static_cast<int64_t>(gate.size()));
  parallel_chunks(static_cast<int64_t>(gate.size()), kElementwiseGrain, [&](int64_t b, int64_t e) {
    be.silu_mul(gate.data() + b, up.data() + b, out.data() + b, e - b);
  });
}

void add_in_place(std::span<float> x, std::span<const float> delta) {
  const Backend& be = backend();
  if (!be.add) return reference::add_in_place(x, delta);
  check_size("add_in_place", "delta", delta.size(), static_cast<int64_t>(x.size()));
  parallel_chunks(static_cast<int64_t>(x.size()), kElementwiseGrain,
                  [&](int64_t b, int64_t e) { be.add(x.data() + b, delta.data() + b, e - b); });
}

void reference::silu_mul(std::span<const float> gate, std::span<const float> up, std::span<float> out) {
  check_size("silu_mul", "up", up.size(), static_cast<int64_t>(gate.size()));
  check_size("silu_mul", "out", out.size(), static_cast<int64_t>(gate.size()));
  for (size_t i = 0; i < gate.size(); ++i) {
    const float g = gate[i];
    out[i] = (g / (1.0f + std::exp(-g))) * up[i];
  }
}

void reference::add_in_place(std::span<float> x, std::span<const float> delta) {
  check_size("add_in_place", "delta", delta.size(), static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) x[i] += delta[i];
}

}  // namespace smolvlm::kernels
