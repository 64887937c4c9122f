#include "kernels/rope_backward.h"

#include "kernels/shape_check.h"

namespace smolvlm::kernels {

void rope_apply_backward(std::span<float> dx, int64_t n_heads, std::span<const float> cos,
                         std::span<const float> sin) {
  const int64_t D = static_cast<int64_t>(cos.size()), HALF = D / 2;
  check_size("rope_apply_backward", "sin", sin.size(), D);
  check_size("rope_apply_backward", "dx", dx.size(), n_heads * D);
  // Forward: lo' = lo c - hi s, hi' = hi c + lo s. Transposed: lo = lo' c + hi' s, hi = hi' c - lo' s.
  for (int64_t h = 0; h < n_heads; ++h) {
    float* g = dx.data() + h * D;
    for (int64_t i = 0; i < HALF; ++i) {
      const float lo = g[i], hi = g[i + HALF];
      g[i] = lo * cos[i] + hi * sin[i + HALF];
      g[i + HALF] = hi * cos[i + HALF] - lo * sin[i];
    }
  }
}

}  // namespace smolvlm::kernels
