// One SigLIP encoder layer (SPEC §3.5), pre-LN: bidirectional multi-head
// attention, then a gelu_pytorch_tanh MLP, each inside a residual.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "io/model_config.h"
#include "kernels/compute_mode.h"
#include "model/vision_weights.h"

namespace smolvlm {

// Activations of one layer for n patches, allocated once per encode.
struct VisionLayerScratch {
  VisionLayerScratch(const VisionConfig& c, int64_t n_patches);
  std::vector<float> normed;   // [n, D]
  std::vector<float> q, k, v;  // [n, D]
  std::vector<float> attn;     // [n, D]
  std::vector<float> out;      // [n, D]
  std::vector<float> hidden;   // [n, I]
};

// Runs one layer on x [n_patches, D] in place. key_valid is empty (every patch
// valid: no mask, SPEC §3.5) or [n_patches] with 0 for padded patches, which
// no query attends to.
void vision_layer_forward(const VisionLayerWeights& w, const VisionConfig& c, std::span<const uint8_t> key_valid,
                          std::span<float> x, int64_t n_patches, VisionLayerScratch& s, kernels::ComputeMode mode);

}  // namespace smolvlm
