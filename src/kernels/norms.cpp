#include "kernels/norms.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/backend.h"
#include "kernels/parallel.h"
#include "kernels/shape_check.h"

namespace smolvlm::kernels {

namespace {

std::vector<float> checked_weight(std::span<const float> x, int64_t n, const WeightView& weight,
                                  std::span<float> y) {
  const int64_t D = weight.cols;
  check_size("rms_norm", "weight rows", static_cast<size_t>(weight.rows), 1);
  check_size("rms_norm", "x", x.size(), n * D);
  check_size("rms_norm", "y", y.size(), n * D);
  std::vector<float> w(D);
  weight_row_to_f32(weight, 0, w);
  return w;
}

}  // namespace

void rms_norm(std::span<const float> x, int64_t n, const WeightView& weight, float eps, std::span<float> y) {
  const Backend& be = backend();
  if (!be.rms_norm) return reference::rms_norm(x, n, weight, eps, y);
  const std::vector<float> w = checked_weight(x, n, weight, y);
  const int64_t D = weight.cols;
  parallel_chunks(n, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(D, 1)), [&](int64_t b, int64_t e) {
    be.rms_norm(x.data() + b * D, e - b, D, w.data(), eps, y.data() + b * D);
  });
}

void reference::rms_norm(std::span<const float> x, int64_t n, const WeightView& weight, float eps,
                         std::span<float> y) {
  const int64_t D = weight.cols;
  const std::vector<float> w = checked_weight(x, n, weight, y);
  for (int64_t t = 0; t < n; ++t) {
    const float* xt = x.data() + t * D;
    float* yt = y.data() + t * D;
    // The mean of squares is summed in double and rounded once: the f32 value
    // closest to the exact mean, whatever order torch's reduction used.
    double sum_sq = 0.0;
    for (int64_t i = 0; i < D; ++i) sum_sq += static_cast<double>(xt[i]) * xt[i];
    const float variance = static_cast<float>(sum_sq / static_cast<double>(D));
    // torch: rsqrt(variance + eps) with eps as an f32 scalar; rsqrt = 1 / sqrt.
    const float inv_rms = 1.0f / std::sqrt(variance + eps);
    // Normalise first, then scale by the weight (two f32 roundings, SPEC §2).
    for (int64_t i = 0; i < D; ++i) yt[i] = w[i] * (xt[i] * inv_rms);
  }
}

}  // namespace smolvlm::kernels
