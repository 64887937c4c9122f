// The SmolLM2 / Llama text decoder (SPEC §2): the text half of SmolVLM and a
// plain LlamaForCausalLM. The exact reference path: f32 arithmetic over the
// weights in their stored dtype. Callers supply input embeddings, so image
// features (SPEC §5) are merged before forward() without changing it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "io/model_config.h"
#include "io/safetensors.h"
#include "kernels/compute_mode.h"
#include "model/decoder_layer.h"
#include "model/kv_cache.h"
#include "model/lora_adapter.h"
#include "model/text_weights.h"

namespace smolvlm {

class TextDecoder {
 public:
  // Binds and shape-checks every weight; throws Error naming the tensor.
  // `weights` must outlive the decoder (it reads the mapped tensors in place).
  // `mode` is the arithmetic of every forward (kernels/compute_mode.h).
  // `lora`: adapters added to the projections they target in every forward,
  // unmerged (model/lora_forward.h); the decoder keeps them.
  TextDecoder(const TensorStore& weights, const ModelConfig& config,
              kernels::ComputeMode mode = kernels::ComputeMode::Exact, std::vector<ScaledLora> lora = {});

  const TextConfig& config() const { return config_; }
  size_t lora_adapter_count() const { return lora_->size(); }
  kernels::ComputeMode compute_mode() const { return mode_; }
  // How the caches made for this decoder store K and V (F32 unless set).
  KvElement kv_element() const { return kv_element_; }
  void set_kv_element(KvElement e) { kv_element_ = e; }
  // The most positions one pass through the layers takes: forward() runs
  // longer inputs in chunks of this many (the same bits as one pass: every
  // kernel computes a row on its own), so its activations stay bounded.
  static constexpr int64_t kDefaultPrefillChunkTokens = 512;
  int64_t prefill_chunk_tokens() const { return prefill_chunk_tokens_; }
  void set_prefill_chunk_tokens(int64_t n);

  // Embedding rows for ids into out [ids.size(), hidden] (f32). The VLM
  // overwrites image positions before forward.
  void embed(std::span<const int32_t> ids, std::span<float> out) const;

  // Runs n_tokens new positions (cache.size() .. cache.size() + n_tokens - 1)
  // from their input embeddings [n_tokens, hidden], appends their K/V to the
  // cache, and writes logits: [n_tokens, vocab] if all_logits, else [vocab]
  // for the last position. Positions past max_position_embeddings or the
  // cache's capacity throw Error before anything is computed.
  void forward(std::span<const float> embeddings, int64_t n_tokens, KvCache& cache, std::span<float> logits,
               bool all_logits) const;

  // One decode step of B independent sequences (src/model/batched_decode.cpp):
  // row b of embeddings [B, hidden] is the next token of the sequence whose
  // cache is caches[b]; logits [B, vocab]. Every weight matrix is read once
  // for all B rows; attention runs per sequence over its own cache. Row b
  // gets the same bits as forward(row b, 1, *caches[b], ...), since every
  // kernel computes a row independently of the others. Throws Error, before
  // anything is computed, when a cache is full or the buffers do not match.
  void forward_batch(std::span<const float> embeddings, std::span<KvCache* const> caches,
                     std::span<float> logits) const;

 private:
  // forward() of at most prefill_chunk_tokens_ positions into a scratch made
  // for n; logits as forward's, or empty for none.
  void forward_chunk(std::span<const float> embeddings, int64_t n, KvCache& cache, LayerScratch& scratch,
                     std::span<float> logits, bool all_logits) const;
  void check_forward_args(std::span<const float> embeddings, int64_t n_tokens, const KvCache& cache,
                          std::span<const float> logits, bool all_logits) const;

  TextConfig config_;
  TextWeights weights_;
  std::vector<float> inv_freq_;  // RoPE, [head_dim / 2]
  kernels::ComputeMode mode_;
  KvElement kv_element_ = KvElement::F32;
  int64_t prefill_chunk_tokens_ = kDefaultPrefillChunkTokens;
  // Owns the A/B values weights_.layers[l].lora views (shared, so copies stay valid).
  std::shared_ptr<const std::vector<ScaledLora>> lora_;
};

}  // namespace smolvlm
