// The vision tower's and the connector's weights (SPEC §3.6, §4.2), bound once
// at load as views into the checkpoint in their stored dtype, every shape checked.
#pragma once

#include <vector>

#include "io/model_config.h"
#include "io/safetensors.h"
#include "kernels/weight_view.h"

namespace smolvlm {

// A Linear layer with bias, or a LayerNorm's affine pair.
struct BiasedWeights {
  kernels::WeightView weight;  // [out, in]; [1, dim] for a LayerNorm
  kernels::WeightView bias;    // [1, out]
};

struct VisionLayerWeights {
  BiasedWeights layer_norm1;  // [1, D]
  BiasedWeights q_proj;       // [D, D]
  BiasedWeights k_proj;       // [D, D]
  BiasedWeights v_proj;       // [D, D]
  BiasedWeights out_proj;     // [D, D]
  BiasedWeights layer_norm2;  // [1, D]
  BiasedWeights fc1;          // [I, D]
  BiasedWeights fc2;          // [D, I]
};

struct VisionWeights {
  BiasedWeights patch_embedding;           // [D, C*p*p] (the [D, C, p, p] kernel flattened)
  kernels::WeightView position_embedding;  // [N*N, D]
  std::vector<VisionLayerWeights> layers;
  BiasedWeights post_layernorm;   // [1, D]
  kernels::WeightView connector;  // [text_hidden, D*s*s], no bias
};

// Binds every tensor under model.vision_model. plus the connector projection.
// config.vision must be present. A missing tensor, a wrong shape or a dtype
// other than BF16/F16/F32 throws Error naming the tensor. The views point into
// `store`'s mappings, which must outlive them.
VisionWeights bind_vision_weights(const TensorStore& store, const ModelConfig& config);

}  // namespace smolvlm
