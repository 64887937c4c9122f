// One Llama decoder layer (SPEC §2 step 2): pre-norm attention with RoPE and
// GQA over the KV cache, then a pre-norm SwiGLU MLP, each with a residual.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "io/model_config.h"
#include "kernels/compute_mode.h"
#include "model/kv_cache.h"
#include "model/text_weights.h"

namespace smolvlm {

// cos/sin [n_tokens, head_dim] for the positions of one forward, shared by all layers.
struct RopeTables {
  std::vector<float> cos, sin;
};

// Activations of one layer for n tokens, allocated once per forward.
struct LayerScratch {
  LayerScratch(const TextConfig& c, int64_t n_tokens);
  std::vector<float> normed;  // [n, H]
  std::vector<float> q;       // [n, nh*d]
  std::vector<float> k, v;    // [n, nkv*d]
  std::vector<float> attn;    // [n, nh*d]
  std::vector<float> out;     // [n, H]
  std::vector<float> gate;    // [n, I]
  std::vector<float> up;      // [n, I]
};

// The parts of a layer that do not depend on positions, shared with the
// batched decode step (batched_decode.cpp):
// s.q, s.k, s.v = q/k/v_proj(RMSNorm_in(x)) (before RoPE), s.normed the norm's output.
void decoder_qkv_forward(const DecoderLayerWeights& w, const TextConfig& c, std::span<const float> x, int64_t n,
                         LayerScratch& s, kernels::ComputeMode mode);
// x = x + down(silu(gate(h)) * up(h)) with h = RMSNorm_post(x).
void decoder_mlp_forward(const DecoderLayerWeights& w, const TextConfig& c, std::span<float> x, int64_t n,
                         LayerScratch& s, kernels::ComputeMode mode);

// Runs layer `layer` on x [n_tokens, H] in place; every projection adds the
// LoRA deltas bound in w.lora (none by default). The new positions are
// cache.size() .. cache.size() + n_tokens - 1; their K (after RoPE) and V are
// written into the cache (the caller advances it after the last layer).
void decoder_layer_forward(const DecoderLayerWeights& w, const TextConfig& c, int64_t layer, const RopeTables& rope,
                           KvCache& cache, std::span<float> x, int64_t n_tokens, LayerScratch& s,
                           kernels::ComputeMode mode);

}  // namespace smolvlm
