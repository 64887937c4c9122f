// One Llama decoder layer for training (SPEC §2 step 2), over a whole
// sequence at positions 0 .. n-1 with no KV cache: a forward that keeps what
// its backward needs, and the backward, op by op in reverse:
//   h1 = RMSNorm_in(x);  q, k, v = h1·Wq/k/vᵀ;  rope(q), rope(k);  a = attn(q, k, v)
//   mid = x + a·Woᵀ;  h2 = RMSNorm_post(mid);  act = silu(h2·Wgᵀ) * (h2·Wuᵀ);  y = mid + act·Wdᵀ
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "io/model_config.h"
#include "train/trainable_weights.h"

namespace smolvlm::train {

// cos/sin [n, head_dim] for positions 0 .. n-1, shared by the layers.
struct RopeTable {
  RopeTable(const TextConfig& c, int64_t n_tokens);
  std::vector<float> cos, sin;
};

// What a layer's backward reads, for n tokens.
struct LayerActivations {
  std::vector<float> x;        // [n, H] the layer's input
  std::vector<float> h1;       // [n, H] RMSNorm_in(x)
  std::vector<float> q;        // [n, nh*d] after RoPE
  std::vector<float> k, v;     // [n, nkv*d], k after RoPE
  std::vector<float> attn;     // [n, nh*d]
  std::vector<float> lse;      // [nh, n] attention log-sum-exp
  std::vector<float> mid;      // [n, H] x + attention output
  std::vector<float> h2;       // [n, H] RMSNorm_post(mid)
  std::vector<float> gate, up; // [n, I] before the activation
  std::vector<float> act;      // [n, I] silu(gate) * up
  std::array<std::vector<float>, kProjections> lora_hidden;  // scaling · x·Aᵀ per Linear with LoRA
};

// x [n, H]: the layer's input, replaced by its output; `a` gets the activations.
void layer_forward_train(const TrainableLayer& w, const TextConfig& c, const RopeTable& rope, bool lora_on,
                         std::span<float> x, int64_t n, LayerActivations& a);

// dx [n, H]: the gradient of the layer's output, replaced by that of its
// input; the layer's trainable tensors get their gradients added.
void layer_backward(const TrainableLayer& w, const TextConfig& c, const RopeTable& rope, bool lora_on,
                    const LayerActivations& a, int64_t n, std::span<float> dx);

}  // namespace smolvlm::train
