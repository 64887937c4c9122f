// torch.optim.AdamW as Trainer builds it, step for step as torch 1.13's
// _single_tensor_adamw computes it (fixtures/training/README.md "Optimizer"):
// decoupled weight decay first, then the moments, then the bias-corrected
// update, all in f32 with the scalars rounded to f32 as torch's kernels do.
// State (m, v, step) is kept per parameter name, so a run can be saved and
// resumed (--resume) with the same tensors in any order.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "train/param_ref.h"

namespace smolvlm::train {

struct AdamWConfig {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weight_decay = 0.0;  // applied to the ParamRefs with decay = true, 0 to the others
};

class AdamW {
 public:
  explicit AdamW(AdamWConfig config = {});

  // One optimizer step at learning rate `lr` (the schedule's value for this
  // step) over every param, each with its (already clipped) gradient. A param
  // seen for the first time starts with m = v = 0 and step 0. Throws Error
  // when a param's size differs from its state's or from its gradient's.
  void step(std::span<const ParamRef> params, double lr);

  const AdamWConfig& config() const { return config_; }
  // Steps taken by `name` (0 if never stepped).
  int64_t step_count(const std::string& name) const;

  // The state as a safetensors file: exp_avg.<name>, exp_avg_sq.<name> (F32,
  // 1-D) and each name's step in the metadata ("step.<name>"), with the
  // betas, eps and weight decay it ran with. Written atomically (temp + rename).
  void save_state(const std::string& path) const;
  // Replaces the state with the file's. Hyper-parameters that differ from
  // this optimizer's throw Error naming the file (a resumed run must not
  // silently change its optimizer).
  void load_state(const std::string& path);

 private:
  struct Moments {
    std::vector<float> exp_avg, exp_avg_sq;
    int64_t step = 0;
  };
  Moments& moments_for(const ParamRef& p);

  AdamWConfig config_;
  std::map<std::string, Moments> state_;
};

}  // namespace smolvlm::train
