// One Linear of the decoder as training sees it (SPEC §2 convention y = x·Wᵀ,
// W [out, in]), with PEFT's LoRA on top when an adapter targets it
// (fixtures/training/README.md "LoRA"):
//   y = x·Wᵀ + scaling · (x·Aᵀ)·Bᵀ,   A [r, in], B [out, r].
// The forward keeps u = scaling · x·Aᵀ [n, r] (the caller keeps x); with it
//   dB += dyᵀ·u,  du = scaling · dy·B,  dA += duᵀ·x,  dx = dy·W + du·A,  dW += dyᵀ·x.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kernels/compute_mode.h"
#include "kernels/weight_view.h"
#include "model/lora_adapter.h"

namespace smolvlm::train {

struct TrainableLinear {
  kernels::WeightView weight;    // the frozen stored weight, or a full fine-tune's f32 master copy
  std::span<float> weight_grad;  // [out, in] when the weight trains; empty when frozen
  const LoraModule* lora = nullptr;  // the adapter's module on this Linear, or none
  float scaling = 0;
  std::span<float> grad_a, grad_b;  // the LoRA gradients, as A and B
  // The base weight's forward product (kernels/compute_mode.h): Exact, or
  // Fast (BF16 products, f32 sums) in the BF16 training mode; the backward
  // and the LoRA products stay f32.
  kernels::ComputeMode forward_mode = kernels::ComputeMode::Exact;

  int64_t in() const { return weight.cols; }
  int64_t out() const { return weight.rows; }
};

// y [n, out] from x [n, in]. With `lora_on` and a module, `lora_hidden` gets
// u = scaling · x·Aᵀ [n, r] for the backward (else it is left empty).
void linear_forward(const TrainableLinear& l, std::span<const float> x, int64_t n, bool lora_on, std::span<float> y,
                    std::vector<float>& lora_hidden);

// Adds the gradients of y's loss given dy [n, out] to the Linear's trainable
// tensors, and dx [n, in] (= dy·W..., or += when accumulate_dx: several
// Linears read the same input).
void linear_backward(const TrainableLinear& l, std::span<const float> x, int64_t n, bool lora_on,
                     std::span<const float> lora_hidden, std::span<const float> dy, std::span<float> dx,
                     bool accumulate_dx);

}  // namespace smolvlm::train
