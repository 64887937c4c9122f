#include "model/vision_layer.h"

#include "kernels/activations.h"
#include "kernels/attention_full.h"
#include "kernels/gelu.h"
#include "kernels/layer_norm.h"
#include "kernels/linear.h"

namespace smolvlm {
namespace {

// x = x + out_proj(Attn(q_proj(h), k_proj(h), v_proj(h))) with h = LayerNorm1(x).
void attention_block(const VisionLayerWeights& w, const VisionConfig& c, std::span<const uint8_t> key_valid,
                     std::span<float> x, int64_t n, VisionLayerScratch& s, kernels::ComputeMode mode) {
  const int64_t NH = c.num_heads, D = c.hidden_size / c.num_heads;
  const float eps = static_cast<float>(c.layer_norm_eps);
  kernels::layer_norm(x, n, w.layer_norm1.weight, w.layer_norm1.bias, eps, s.normed);
  kernels::linear(s.normed, n, w.q_proj.weight, w.q_proj.bias, s.q, mode);
  kernels::linear(s.normed, n, w.k_proj.weight, w.k_proj.bias, s.k, mode);
  kernels::linear(s.normed, n, w.v_proj.weight, w.v_proj.bias, s.v, mode);
  kernels::full_attention(s.q, s.k, s.v, kernels::FullAttentionShape{n, NH, D}, key_valid, s.attn, mode);
  kernels::linear(s.attn, n, w.out_proj.weight, w.out_proj.bias, s.out, mode);
  kernels::add_in_place(x, s.out);
}

// x = x + fc2(gelu_tanh(fc1(h))) with h = LayerNorm2(x).
void mlp_block(const VisionLayerWeights& w, const VisionConfig& c, std::span<float> x, int64_t n,
               VisionLayerScratch& s, kernels::ComputeMode mode) {
  const float eps = static_cast<float>(c.layer_norm_eps);
  kernels::layer_norm(x, n, w.layer_norm2.weight, w.layer_norm2.bias, eps, s.normed);
  kernels::linear(s.normed, n, w.fc1.weight, w.fc1.bias, s.hidden, mode);
  kernels::gelu_tanh(s.hidden);
  kernels::linear(s.hidden, n, w.fc2.weight, w.fc2.bias, s.out, mode);
  kernels::add_in_place(x, s.out);
}

}  // namespace

VisionLayerScratch::VisionLayerScratch(const VisionConfig& c, int64_t n)
    : normed(n * c.hidden_size),
      q(n * c.hidden_size),
      k(n * c.hidden_size),
      v(n * c.hidden_size),
      attn(n * c.hidden_size),
      out(n * c.hidden_size),
      hidden(n * c.intermediate_size) {}

void vision_layer_forward(const VisionLayerWeights& w, const VisionConfig& c, std::span<const uint8_t> key_valid,
                          std::span<float> x, int64_t n_patches, VisionLayerScratch& s, kernels::ComputeMode mode) {
  attention_block(w, c, key_valid, x, n_patches, s, mode);
  mlp_block(w, c, x, n_patches, s, mode);
}

}  // namespace smolvlm
