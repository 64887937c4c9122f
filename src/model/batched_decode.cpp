// TextDecoder::forward_batch: the decode step of many sequences at once, for
// continuous batching. Row-wise work (norms, projections, RoPE, MLP, lm_head)
// runs as one [B, ...] matmul per weight, so a step reads the weights once
// however many sequences decode; attention is per sequence, each over its own
// KV cache at its own position. The rest is decoder_layer.h's, so a row's
// arithmetic is the single-sequence arithmetic
// (tests/model/batched_decode_test.cpp holds the two paths to equal bits).
#include <string>
#include <vector>

#include "core/error.h"
#include "kernels/activations.h"
#include "kernels/attention.h"
#include "kernels/matmul.h"
#include "kernels/norms.h"
#include "kernels/rope.h"
#include "model/decoder_layer.h"
#include "model/text_decoder.h"

namespace smolvlm {
namespace {

// Per-row RoPE tables: row b sits at position caches[b]->size().
RopeTables batch_rope(std::span<const float> inv_freq, std::span<KvCache* const> caches) {
  const auto B = static_cast<int64_t>(caches.size());
  const int64_t D = 2 * static_cast<int64_t>(inv_freq.size());
  RopeTables r{std::vector<float>(B * D), std::vector<float>(B * D)};
  for (int64_t b = 0; b < B; ++b)
    kernels::rope_cos_sin(inv_freq, caches[b]->size(), std::span(r.cos).subspan(b * D, D),
                          std::span(r.sin).subspan(b * D, D));
  return r;
}

void attention_block(const DecoderLayerWeights& w, const TextConfig& c, int64_t layer, const RopeTables& rope,
                     std::span<KvCache* const> caches, std::span<float> x, LayerScratch& s,
                     kernels::ComputeMode mode) {
  const auto B = static_cast<int64_t>(caches.size());
  const int64_t NH = c.num_heads, NKV = c.num_kv_heads, D = c.head_dim;
  decoder_qkv_forward(w, c, x, B, s, mode);
  for (int64_t b = 0; b < B; ++b) {
    const std::span<const float> cos = std::span(rope.cos).subspan(b * D, D);
    const std::span<const float> sin = std::span(rope.sin).subspan(b * D, D);
    const std::span<float> q = std::span(s.q).subspan(b * NH * D, NH * D);
    const std::span<float> k = std::span(s.k).subspan(b * NKV * D, NKV * D);
    const std::span<const float> v = std::span(s.v).subspan(b * NKV * D, NKV * D);
    kernels::rope_apply(q, NH, cos, sin);
    kernels::rope_apply(k, NKV, cos, sin);
    KvCache& cache = *caches[b];
    cache.write(layer, cache.size(), 1, k, v);
    const kernels::AttentionShape shape{1, cache.size(), NH, NKV, D, cache.capacity()};
    kernels::causal_attention(q, cache.key_rows(layer), cache.value_rows(layer), shape,
                              std::span(s.attn).subspan(b * NH * D, NH * D), mode);
  }
  kernels::matmul(s.attn, B, w.o_proj, s.out, mode);
  add_lora_deltas(w.lora.o, s.attn, B, s.out, mode);
  kernels::add_in_place(x, s.out);
}

}  // namespace

void TextDecoder::forward_batch(std::span<const float> embeddings, std::span<KvCache* const> caches,
                                std::span<float> logits) const {
  const auto B = static_cast<int64_t>(caches.size());
  const int64_t H = config_.hidden_size, V = config_.vocab_size;
  if (B == 0) throw Error("text decoder", "forward_batch needs at least one sequence");
  if (static_cast<int64_t>(embeddings.size()) != B * H || static_cast<int64_t>(logits.size()) != B * V)
    throw Error("text decoder", "forward_batch buffers do not hold " + std::to_string(B) + " rows of hidden " +
                                    std::to_string(H) + " / vocab " + std::to_string(V));
  for (int64_t b = 0; b < B; ++b) {
    if (caches[b] == nullptr) throw Error("text decoder", "forward_batch got a null cache");
    for (int64_t other = 0; other < b; ++other)
      if (caches[other] == caches[b]) throw Error("text decoder", "forward_batch got the same cache twice");
    const std::span<const float> row = embeddings.subspan(b * H, H);
    check_forward_args(row, 1, *caches[b], logits.subspan(b * V, V), false);
  }
  std::vector<float> x(embeddings.begin(), embeddings.end());
  const RopeTables rope = batch_rope(inv_freq_, caches);
  LayerScratch scratch(config_, B);
  for (int64_t l = 0; l < config_.num_layers; ++l) {
    attention_block(weights_.layers[l], config_, l, rope, caches, x, scratch, mode_);
    decoder_mlp_forward(weights_.layers[l], config_, x, B, scratch, mode_);
  }
  for (KvCache* cache : caches) cache->advance(1);
  kernels::rms_norm(x, B, weights_.final_norm, static_cast<float>(config_.rms_norm_eps), x);
  kernels::matmul(x, B, weights_.lm_head, logits, mode_);
}

}  // namespace smolvlm
