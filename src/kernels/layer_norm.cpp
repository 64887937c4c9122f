#include "kernels/layer_norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/backend.h"
#include "kernels/parallel.h"
#include "kernels/shape_check.h"

namespace smolvlm::kernels {

namespace {

// The affine pair widened to f32, after every size is checked.
struct Affine {
  std::vector<float> w, b;
};

Affine checked_affine(std::span<const float> x, int64_t n, const WeightView& weight, const WeightView& bias,
                      std::span<float> y) {
  const int64_t D = weight.cols;
  check_size("layer_norm", "weight rows", static_cast<size_t>(weight.rows), 1);
  check_size("layer_norm", "bias rows", static_cast<size_t>(bias.rows), 1);
  check_size("layer_norm", "bias", static_cast<size_t>(bias.cols), D);
  check_size("layer_norm", "x", x.size(), n * D);
  check_size("layer_norm", "y", y.size(), n * D);
  Affine a{std::vector<float>(D), std::vector<float>(D)};
  weight_row_to_f32(weight, 0, a.w);
  weight_row_to_f32(bias, 0, a.b);
  return a;
}

}  // namespace

void layer_norm(std::span<const float> x, int64_t n, const WeightView& weight, const WeightView& bias, float eps,
                std::span<float> y) {
  const Backend& be = backend();
  if (!be.layer_norm) return reference::layer_norm(x, n, weight, bias, eps, y);
  const Affine a = checked_affine(x, n, weight, bias, y);
  const int64_t D = weight.cols;
  parallel_chunks(n, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(D, 1)), [&](int64_t b, int64_t e) {
    be.layer_norm(x.data() + b * D, e - b, D, a.w.data(), a.b.data(), eps, y.data() + b * D);
  });
}

void reference::layer_norm(std::span<const float> x, int64_t n, const WeightView& weight, const WeightView& bias,
                           float eps, std::span<float> y) {
  const int64_t D = weight.cols;
  const Affine a = checked_affine(x, n, weight, bias, y);
  const std::vector<float>& w = a.w;
  const std::vector<float>& b = a.b;
  for (int64_t t = 0; t < n; ++t) {
    const float* xt = x.data() + t * D;
    float* yt = y.data() + t * D;
    // Mean and variance in double, each rounded once: the f32 values closest
    // to the exact moments, whatever order torch's Welford reduction used.
    double sum = 0.0;
    for (int64_t i = 0; i < D; ++i) sum += xt[i];
    const double mean_d = sum / static_cast<double>(D);
    double sum_sq = 0.0;
    for (int64_t i = 0; i < D; ++i) sum_sq += (xt[i] - mean_d) * (xt[i] - mean_d);
    const float mean = static_cast<float>(mean_d);
    const float variance = static_cast<float>(sum_sq / static_cast<double>(D));
    const float rstd = 1.0f / std::sqrt(variance + eps);
    // torch's CPU kernel folds the mean into an offset: (x * rstd + (-rstd * mean)) * w + b.
    const float offset = -rstd * mean;
    for (int64_t i = 0; i < D; ++i) yt[i] = (xt[i] * rstd + offset) * w[i] + b[i];
  }
}

}  // namespace smolvlm::kernels
