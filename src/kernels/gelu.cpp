#include "kernels/gelu.h"

#include <cmath>
#include <numbers>

#include "kernels/backend.h"
#include "kernels/parallel.h"

namespace smolvlm::kernels {

void gelu_tanh(std::span<float> x) {
  const Backend& be = backend();
  if (!be.gelu_tanh) return reference::gelu_tanh(x);
  parallel_chunks(static_cast<int64_t>(x.size()), kElementwiseGrain,
                  [&](int64_t b, int64_t e) { be.gelu_tanh(x.data() + b, e - b); });
}

void reference::gelu_tanh(std::span<float> x) {
  // torch's CPU kernel: kBeta = M_SQRT2 * M_2_SQRTPI * 0.5 (= sqrt(2/pi)) in
  // double, then kBeta and kKappa rounded to f32 and the f32 operations below
  // in this order. 2 * inv_sqrtpi is exactly M_2_SQRTPI.
  const float kBeta = static_cast<float>(std::numbers::sqrt2 * (2.0 * std::numbers::inv_sqrtpi) * 0.5);
  const float kKappa = 0.044715f;
  for (float& v : x) {
    const float cube = v * v * v;
    const float inner = kBeta * (v + kKappa * cube);
    v = 0.5f * v * (1.0f + std::tanh(inner));
  }
}

}  // namespace smolvlm::kernels
