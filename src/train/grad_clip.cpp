#include "train/grad_clip.h"

#include <cmath>

namespace smolvlm::train {
namespace {

float l2_norm(std::span<const float> values) {
  double sum = 0;
  for (float v : values) sum += static_cast<double>(v) * v;
  return static_cast<float>(std::sqrt(sum));
}

}  // namespace

float grad_norm_total(std::span<const ParamRef> params) {
  double sum = 0;
  for (const ParamRef& p : params) {
    const double norm = l2_norm(p.grad);
    sum += norm * norm;
  }
  return static_cast<float>(std::sqrt(sum));
}

GradClipResult clip_grad_norm(std::span<const ParamRef> params, double max_norm) {
  GradClipResult result;
  result.total_norm = grad_norm_total(params);
  if (max_norm <= 0) return result;
  // torch: clip_coef = max_norm / (total_norm + 1e-6) on an f32 tensor, where
  // Tensor.__rtruediv__ is reciprocal() * max_norm.
  const float coef = (1.0f / (result.total_norm + 1e-6f)) * static_cast<float>(max_norm);
  if (coef >= 1.0f) return result;
  result.coef = coef;
  for (const ParamRef& p : params)
    for (float& g : p.grad) g *= coef;
  return result;
}

}  // namespace smolvlm::train
