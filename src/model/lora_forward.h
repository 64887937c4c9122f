// LoRA at inference without merging (issue #8 `smolvlm run --lora`): each
// targeted projection of the decoder adds, after its own product,
//   y += factor * B (A x),   factor = scale * alpha / r,
// as PEFT's Linear.forward does (result + lora_B(lora_A(x)) * scaling), for
// every adapter in the order given. The adapters' A and B stay f32.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "io/model_config.h"
#include "kernels/compute_mode.h"
#include "kernels/weight_view.h"
#include "model/lora_adapter.h"

namespace smolvlm {

struct LoraDelta {
  kernels::WeightView a;  // [r, in] f32
  kernels::WeightView b;  // [out, r] f32
  float factor = 0;
};

// The deltas on one decoder layer's projections (empty: no adapter there).
struct LayerLora {
  std::vector<LoraDelta> q, k, v, o, gate, up, down;
};

// y [n, out] += factor * (x A^T) B^T for each delta, in order: A x and B (A x)
// with the matmul kernels in `mode`, then one multiply-add per element.
void add_lora_deltas(std::span<const LoraDelta> deltas, std::span<const float> x, int64_t n, std::span<float> y,
                     kernels::ComputeMode mode);

// The adapters put on the decoder's layers: result[l] holds layer l's deltas.
// The views point into `adapters`, which must outlive the result. A module
// whose name is not a projection of this config's decoder throws Error (an
// adapter read with load_lora_adapter for the same config never does).
std::vector<LayerLora> bind_lora_layers(const std::vector<ScaledLora>& adapters, const ModelConfig& config);

}  // namespace smolvlm
