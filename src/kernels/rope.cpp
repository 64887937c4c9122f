#include "kernels/rope.h"

#include <cmath>

#include "core/error.h"
#include "kernels/shape_check.h"

namespace smolvlm::kernels {

std::vector<float> rope_inv_freq(int64_t head_dim, double theta) {
  if (head_dim <= 0 || head_dim % 2 != 0)
    throw Error("kernels::rope_inv_freq", "head_dim " + std::to_string(head_dim) + " is not a positive even number");
  const float base = static_cast<float>(theta);
  const float d = static_cast<float>(head_dim);
  std::vector<float> inv_freq(head_dim / 2);
  for (int64_t i = 0; i < head_dim / 2; ++i) {
    const float exponent = static_cast<float>(2 * i) / d;
    inv_freq[i] = 1.0f / std::pow(base, exponent);  // float overload: a float32 power
  }
  return inv_freq;
}

void rope_cos_sin(std::span<const float> inv_freq, int64_t position, std::span<float> cos, std::span<float> sin) {
  const int64_t HALF = static_cast<int64_t>(inv_freq.size()), D = 2 * HALF;
  check_size("rope_cos_sin", "cos", cos.size(), D);
  check_size("rope_cos_sin", "sin", sin.size(), D);
  // Positions are int64 cast to float32 before the product (exact below 2^24).
  const float p = static_cast<float>(position);
  for (int64_t i = 0; i < HALF; ++i) {
    const float freq = p * inv_freq[i];
    cos[i] = cos[i + HALF] = std::cos(freq);
    sin[i] = sin[i + HALF] = std::sin(freq);
  }
}

void rope_apply(std::span<float> x, int64_t n_heads, std::span<const float> cos, std::span<const float> sin) {
  const int64_t D = static_cast<int64_t>(cos.size()), HALF = D / 2;
  check_size("rope_apply", "sin", sin.size(), D);
  check_size("rope_apply", "x", x.size(), n_heads * D);
  for (int64_t h = 0; h < n_heads; ++h) {
    float* xh = x.data() + h * D;
    // Pairs are (i, i + d/2); each output is one f32 product plus another.
    for (int64_t i = 0; i < HALF; ++i) {
      const float lo = xh[i], hi = xh[i + HALF];
      xh[i] = lo * cos[i] + (-hi) * sin[i];
      xh[i + HALF] = hi * cos[i + HALF] + lo * sin[i + HALF];
    }
  }
}

}  // namespace smolvlm::kernels
