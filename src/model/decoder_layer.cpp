#include "model/decoder_layer.h"

#include "kernels/activations.h"
#include "kernels/attention.h"
#include "kernels/matmul.h"
#include "kernels/norms.h"
#include "kernels/rope.h"

namespace smolvlm {
namespace {

// x = x + o_proj(attention(rope(q), rope(k), v)) with q, k, v from RMSNorm_in(x).
void attention_block(const DecoderLayerWeights& w, const TextConfig& c, int64_t layer, const RopeTables& rope,
                     KvCache& cache, std::span<float> x, int64_t n, LayerScratch& s, kernels::ComputeMode mode) {
  const int64_t NH = c.num_heads, NKV = c.num_kv_heads, D = c.head_dim, PAST = cache.size();
  decoder_qkv_forward(w, c, x, n, s, mode);
  for (int64_t t = 0; t < n; ++t) {
    const std::span<const float> cos = std::span(rope.cos).subspan(t * D, D);
    const std::span<const float> sin = std::span(rope.sin).subspan(t * D, D);
    kernels::rope_apply(std::span(s.q).subspan(t * NH * D, NH * D), NH, cos, sin);
    kernels::rope_apply(std::span(s.k).subspan(t * NKV * D, NKV * D), NKV, cos, sin);
  }
  // The cache keeps K after RoPE and V as is, before the GQA repeat.
  cache.write(layer, PAST, n, s.k, s.v);
  const kernels::AttentionShape shape{n, PAST, NH, NKV, D, cache.capacity()};
  kernels::causal_attention(s.q, cache.key_rows(layer), cache.value_rows(layer), shape, s.attn, mode);
  kernels::matmul(s.attn, n, w.o_proj, s.out, mode);
  add_lora_deltas(w.lora.o, s.attn, n, s.out, mode);
  kernels::add_in_place(x, s.out);
}

}  // namespace

LayerScratch::LayerScratch(const TextConfig& c, int64_t n)
    : normed(n * c.hidden_size),
      q(n * c.num_heads * c.head_dim),
      k(n * c.num_kv_heads * c.head_dim),
      v(n * c.num_kv_heads * c.head_dim),
      attn(n * c.num_heads * c.head_dim),
      out(n * c.hidden_size),
      gate(n * c.intermediate_size),
      up(n * c.intermediate_size) {}

void decoder_qkv_forward(const DecoderLayerWeights& w, const TextConfig& c, std::span<const float> x, int64_t n,
                         LayerScratch& s, kernels::ComputeMode mode) {
  kernels::rms_norm(x, n, w.input_norm, static_cast<float>(c.rms_norm_eps), s.normed);
  const kernels::MatmulOutput qkv[] = {{w.q_proj, s.q}, {w.k_proj, s.k}, {w.v_proj, s.v}};
  kernels::matmul_group(s.normed, n, qkv, mode);
  add_lora_deltas(w.lora.q, s.normed, n, s.q, mode);
  add_lora_deltas(w.lora.k, s.normed, n, s.k, mode);
  add_lora_deltas(w.lora.v, s.normed, n, s.v, mode);
}

void decoder_mlp_forward(const DecoderLayerWeights& w, const TextConfig& c, std::span<float> x, int64_t n,
                         LayerScratch& s, kernels::ComputeMode mode) {
  kernels::rms_norm(x, n, w.post_norm, static_cast<float>(c.rms_norm_eps), s.normed);
  const kernels::MatmulOutput gate_up[] = {{w.gate_proj, s.gate}, {w.up_proj, s.up}};
  kernels::matmul_group(s.normed, n, gate_up, mode);
  add_lora_deltas(w.lora.gate, s.normed, n, s.gate, mode);
  add_lora_deltas(w.lora.up, s.normed, n, s.up, mode);
  kernels::silu_mul(s.gate, s.up, s.gate);
  kernels::matmul(s.gate, n, w.down_proj, s.out, mode);
  add_lora_deltas(w.lora.down, s.gate, n, s.out, mode);
  kernels::add_in_place(x, s.out);
}

void decoder_layer_forward(const DecoderLayerWeights& w, const TextConfig& c, int64_t layer, const RopeTables& rope,
                           KvCache& cache, std::span<float> x, int64_t n_tokens, LayerScratch& s,
                           kernels::ComputeMode mode) {
  attention_block(w, c, layer, rope, cache, x, n_tokens, s, mode);
  decoder_mlp_forward(w, c, x, n_tokens, s, mode);
}

}  // namespace smolvlm
