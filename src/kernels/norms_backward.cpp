#include "kernels/norms_backward.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/parallel.h"
#include "kernels/shape_check.h"

namespace smolvlm::kernels {
namespace {

// r = rsqrt(mean(x²) + eps) exactly as the forward computes it (norms.cpp).
float inverse_rms(const float* x, int64_t D, float eps) {
  double sum_sq = 0.0;
  for (int64_t i = 0; i < D; ++i) sum_sq += static_cast<double>(x[i]) * x[i];
  const float variance = static_cast<float>(sum_sq / static_cast<double>(D));
  return 1.0f / std::sqrt(variance + eps);
}

}  // namespace

void rms_norm_backward(std::span<const float> x, int64_t n, const WeightView& weight, float eps,
                       std::span<const float> dy, std::span<float> dx, std::span<float> dweight) {
  const int64_t D = weight.cols;
  check_size("rms_norm_backward", "weight rows", static_cast<size_t>(weight.rows), 1);
  check_size("rms_norm_backward", "x", x.size(), n * D);
  check_size("rms_norm_backward", "dy", dy.size(), n * D);
  check_size("rms_norm_backward", "dx", dx.size(), n * D);
  if (!dweight.empty()) check_size("rms_norm_backward", "dweight", dweight.size(), D);
  std::vector<float> w(D);
  weight_row_to_f32(weight, 0, w);
  parallel_chunks(n, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(D, 1)), [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const float *xt = x.data() + t * D, *dyt = dy.data() + t * D;
      const float r = inverse_rms(xt, D, eps);
      double dot = 0.0;  // sum of g * x̂
      for (int64_t i = 0; i < D; ++i) dot += static_cast<double>(dyt[i]) * w[i] * (xt[i] * r);
      const float mean = static_cast<float>(dot / static_cast<double>(D));
      float* dxt = dx.data() + t * D;
      for (int64_t i = 0; i < D; ++i) dxt[i] += r * (dyt[i] * w[i] - (xt[i] * r) * mean);
    }
  });
  if (dweight.empty()) return;
  // Rows in order, one thread: dw is one vector that every row adds to.
  for (int64_t t = 0; t < n; ++t) {
    const float *xt = x.data() + t * D, *dyt = dy.data() + t * D;
    const float r = inverse_rms(xt, D, eps);
    for (int64_t i = 0; i < D; ++i) dweight[i] += dyt[i] * (xt[i] * r);
  }
}

}  // namespace smolvlm::kernels
