#include "model/text_decoder.h"

#include <algorithm>
#include <optional>
#include <string>

#include "core/error.h"
#include "kernels/embedding.h"
#include "kernels/matmul.h"
#include "kernels/norms.h"
#include "kernels/rope.h"
#include "model/decoder_layer.h"
#include "model/lora_forward.h"

namespace smolvlm {
namespace {

RopeTables rope_tables(std::span<const float> inv_freq, int64_t first_position, int64_t n_tokens) {
  const int64_t D = 2 * static_cast<int64_t>(inv_freq.size());
  RopeTables r{std::vector<float>(n_tokens * D), std::vector<float>(n_tokens * D)};
  for (int64_t t = 0; t < n_tokens; ++t)
    kernels::rope_cos_sin(inv_freq, first_position + t, std::span(r.cos).subspan(t * D, D),
                          std::span(r.sin).subspan(t * D, D));
  return r;
}

}  // namespace

TextDecoder::TextDecoder(const TensorStore& weights, const ModelConfig& config, kernels::ComputeMode mode,
                         std::vector<ScaledLora> lora)
    : config_(config.text),
      weights_(bind_text_weights(weights, config)),
      inv_freq_(kernels::rope_inv_freq(config.text.head_dim, config.text.rope_theta)),
      mode_(mode),
      lora_(std::make_shared<const std::vector<ScaledLora>>(std::move(lora))) {
  std::vector<LayerLora> layers = bind_lora_layers(*lora_, config);
  for (int64_t l = 0; l < config_.num_layers; ++l) weights_.layers[l].lora = std::move(layers[l]);
}

void TextDecoder::set_prefill_chunk_tokens(int64_t n) {
  if (n < 1) throw Error("text decoder", "a prefill chunk needs at least one token, not " + std::to_string(n));
  prefill_chunk_tokens_ = n;
}

void TextDecoder::embed(std::span<const int32_t> ids, std::span<float> out) const {
  kernels::embedding_rows(weights_.embed_tokens, ids, out);
}

void TextDecoder::check_forward_args(std::span<const float> embeddings, int64_t n_tokens, const KvCache& cache,
                                     std::span<const float> logits, bool all_logits) const {
  const int64_t H = config_.hidden_size, V = config_.vocab_size, PAST = cache.size();
  const int64_t END = PAST + n_tokens, MAX_POS = config_.max_position_embeddings;
  if (n_tokens <= 0) throw Error("text decoder", "forward needs at least one token");
  if (static_cast<int64_t>(embeddings.size()) != n_tokens * H)
    throw Error("text decoder", "embeddings hold " + std::to_string(embeddings.size()) + " floats, expected " +
                                    std::to_string(n_tokens) + " tokens x hidden " + std::to_string(H));
  if (static_cast<int64_t>(logits.size()) != (all_logits ? n_tokens : 1) * V)
    throw Error("text decoder", "logits buffer holds " + std::to_string(logits.size()) + " floats, expected " +
                                    std::to_string(all_logits ? n_tokens : 1) + " x vocab " + std::to_string(V));
  if (cache.num_layers() != config_.num_layers || cache.num_kv_heads() != config_.num_kv_heads ||
      cache.head_dim() != config_.head_dim)
    throw Error("KV cache", "was made for another model shape (layers, kv heads or head_dim differ)");
  if (END > MAX_POS)
    throw Error("prompt", std::to_string(n_tokens) + " tokens after " + std::to_string(PAST) + " cached need " +
                              std::to_string(END) + " positions, more than max_position_embeddings " +
                              std::to_string(MAX_POS));
  if (END > cache.capacity())
    throw Error("KV cache", std::to_string(n_tokens) + " tokens after " + std::to_string(PAST) + " cached need " +
                                std::to_string(END) + " positions, more than its capacity of " +
                                std::to_string(cache.capacity()));
}

void TextDecoder::forward(std::span<const float> embeddings, int64_t n_tokens, KvCache& cache,
                          std::span<float> logits, bool all_logits) const {
  check_forward_args(embeddings, n_tokens, cache, logits, all_logits);
  const int64_t H = config_.hidden_size, V = config_.vocab_size;
  // A long prompt (an image is ~1000 tokens) runs through the layers a chunk
  // at a time, as a prefill continued over the cache does: the activations
  // are sized by the chunk, not the prompt. Only the last chunk's last row
  // needs logits unless all are wanted.
  std::optional<LayerScratch> scratch;
  for (int64_t first = 0; first < n_tokens; first += prefill_chunk_tokens_) {
    const int64_t n = std::min(prefill_chunk_tokens_, n_tokens - first);
    if (!scratch || static_cast<int64_t>(scratch->out.size()) != n * H) scratch.emplace(config_, n);
    const bool last = first + n == n_tokens;
    const std::span<float> wanted = all_logits ? logits.subspan(first * V, n * V) : last ? logits : std::span<float>();
    forward_chunk(embeddings.subspan(first * H, n * H), n, cache, *scratch, wanted, all_logits);
  }
}

void TextDecoder::forward_chunk(std::span<const float> embeddings, int64_t n, KvCache& cache, LayerScratch& scratch,
                                std::span<float> logits, bool all_logits) const {
  const int64_t H = config_.hidden_size;
  // SPEC §2 step 1 happened in embed() (and the image merge); x is the residual stream.
  std::vector<float> x(embeddings.begin(), embeddings.end());
  const RopeTables rope = rope_tables(inv_freq_, cache.size(), n);
  for (int64_t l = 0; l < config_.num_layers; ++l)
    decoder_layer_forward(weights_.layers[l], config_, l, rope, cache, x, n, scratch, mode_);
  cache.advance(n);
  if (logits.empty()) return;
  // Step 3: final RMSNorm and lm_head, only on the rows whose logits are wanted.
  const int64_t FIRST = all_logits ? 0 : n - 1, ROWS = n - FIRST;
  const std::span<float> rows = std::span(x).subspan(FIRST * H, ROWS * H);
  kernels::rms_norm(rows, ROWS, weights_.final_norm, static_cast<float>(config_.rms_norm_eps), rows);
  kernels::matmul(rows, ROWS, weights_.lm_head, logits, mode_);
}

}  // namespace smolvlm
