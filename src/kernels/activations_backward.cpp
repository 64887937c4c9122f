#include "kernels/activations_backward.h"

#include <cmath>

#include "kernels/parallel.h"
#include "kernels/shape_check.h"

namespace smolvlm::kernels {

void silu_mul_backward(std::span<const float> gate, std::span<const float> up, std::span<const float> dout,
                       std::span<float> dgate, std::span<float> dup) {
  const int64_t N = static_cast<int64_t>(gate.size());
  check_size("silu_mul_backward", "up", up.size(), N);
  check_size("silu_mul_backward", "dout", dout.size(), N);
  check_size("silu_mul_backward", "dgate", dgate.size(), N);
  check_size("silu_mul_backward", "dup", dup.size(), N);
  parallel_chunks(N, kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const float g = gate[i], u = up[i], d = dout[i];
      const float sigmoid = 1.0f / (1.0f + std::exp(-g));
      dup[i] = d * (g * sigmoid);
      dgate[i] = d * u * (sigmoid * (1.0f + g * (1.0f - sigmoid)));
    }
  });
}

}  // namespace smolvlm::kernels
