// torch.nn.utils.clip_grad_norm_ (torch 1.13, norm_type 2), as Trainer calls
// it with max_grad_norm (fixtures/training/README.md "Optimizer").
#pragma once

#include <span>

#include "train/param_ref.h"

namespace smolvlm::train {

struct GradClipResult {
  float total_norm = 0;  // ||(||g_i||_2)_i||_2 before clipping, the "grad_norm" Trainer logs
  float coef = 1;        // what every gradient was multiplied by (1 when not clipped)
};

// The global L2 norm of all gradients, as a norm of the per-tensor norms
// (each computed in double, rounded to f32 as torch.norm returns it).
float grad_norm_total(std::span<const ParamRef> params);

// coef = max_norm / (total + 1e-6) in f32; when coef < 1 every gradient is
// multiplied by it in place (torch 1.13 multiplies by clamp(coef, max=1),
// which leaves the gradients unchanged otherwise). max_norm <= 0: no clipping,
// the norm is still measured.
GradClipResult clip_grad_norm(std::span<const ParamRef> params, double max_norm);

}  // namespace smolvlm::train
