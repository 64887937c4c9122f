#include "train/adamw.h"

#include <cmath>

#include "core/error.h"

namespace smolvlm::train {
namespace {

// The f32 scalars of one step: torch hands Python floats to its f32 kernels,
// which round them to f32 (the bias corrections are computed in double first).
struct StepScalars {
  float decay_factor;    // 1 - lr * weight_decay
  float beta1, one_minus_beta1;
  float beta2, one_minus_beta2;
  float bias_correction2_sqrt;
  float eps;
  float neg_step_size;   // -lr / (1 - beta1^t)
};

StepScalars step_scalars(const AdamWConfig& c, double lr, double weight_decay, int64_t t) {
  const double bias_correction1 = 1.0 - std::pow(c.beta1, static_cast<double>(t));
  const double bias_correction2 = 1.0 - std::pow(c.beta2, static_cast<double>(t));
  return StepScalars{static_cast<float>(1.0 - lr * weight_decay),
                     static_cast<float>(c.beta1),
                     static_cast<float>(1.0 - c.beta1),
                     static_cast<float>(c.beta2),
                     static_cast<float>(1.0 - c.beta2),
                     static_cast<float>(std::sqrt(bias_correction2)),
                     static_cast<float>(c.eps),
                     static_cast<float>(-(lr / bias_correction1))};
}

// torch 1.13 _single_tensor_adamw for one tensor, op by op:
//   param.mul_(1 - lr*wd); exp_avg.mul_(beta1).add_(grad, alpha=1-beta1)
//   exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1-beta2)
//   denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
//   param.addcdiv_(exp_avg, denom, value=-step_size)
// add_ with alpha is a fused multiply-add in torch's vectorized CPU kernel;
// addcmul_ and addcdiv_ are plain (value * t1) * t2 and (value * t1) / t2.
void adamw_update(std::span<float> p, std::span<const float> g, std::span<float> m, std::span<float> v,
                  const StepScalars& s) {
  for (size_t i = 0; i < p.size(); ++i) {
    const float param = p[i] * s.decay_factor;
    m[i] = std::fma(g[i], s.one_minus_beta1, m[i] * s.beta1);
    v[i] = v[i] * s.beta2 + s.one_minus_beta2 * g[i] * g[i];
    const float denom = std::sqrt(v[i]) / s.bias_correction2_sqrt + s.eps;
    p[i] = param + s.neg_step_size * m[i] / denom;
  }
}

}  // namespace

AdamW::AdamW(AdamWConfig config) : config_(config) {}

int64_t AdamW::step_count(const std::string& name) const {
  const auto it = state_.find(name);
  return it == state_.end() ? 0 : it->second.step;
}

AdamW::Moments& AdamW::moments_for(const ParamRef& p) {
  if (p.grad.size() != p.value.size())
    throw Error("optimizer: " + p.name, "gradient has " + std::to_string(p.grad.size()) + " elements, the tensor " +
                                            std::to_string(p.value.size()));
  Moments& m = state_[p.name];
  if (m.step == 0 && m.exp_avg.empty()) {
    m.exp_avg.assign(p.value.size(), 0.0f);
    m.exp_avg_sq.assign(p.value.size(), 0.0f);
  }
  if (m.exp_avg.size() != p.value.size())
    throw Error("optimizer: " + p.name, "its saved state has " + std::to_string(m.exp_avg.size()) +
                                            " elements, the tensor " + std::to_string(p.value.size()));
  return m;
}

void AdamW::step(std::span<const ParamRef> params, double lr) {
  for (const ParamRef& p : params) {
    Moments& m = moments_for(p);
    m.step += 1;
    const double weight_decay = p.decay ? config_.weight_decay : 0.0;
    adamw_update(p.value, p.grad, m.exp_avg, m.exp_avg_sq, step_scalars(config_, lr, weight_decay, m.step));
  }
}

}  // namespace smolvlm::train
