#include "model/text_decoder.h"

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
  const int64_t H = config_.hidden_size, N = n_tokens;
  // SPEC §2 step 1 happened in embed() (and the image merge); x is the residual stream.
  std::vector<float> x(embeddings.begin(), embeddings.end());
  const RopeTables rope = rope_tables(inv_freq_, cache.size(), N);
  LayerScratch scratch(config_, N);
  for (int64_t l = 0; l < config_.num_layers; ++l)
    decoder_layer_forward(weights_.layers[l], config_, l, rope, cache, x, N, scratch, mode_);
  cache.advance(N);
  // Step 3: final RMSNorm and lm_head, only on the rows whose logits are wanted.
  const int64_t FIRST = all_logits ? 0 : N - 1, ROWS = N - FIRST;
  const std::span<float> rows = std::span(x).subspan(FIRST * H, ROWS * H);
  kernels::rms_norm(rows, ROWS, weights_.final_norm, static_cast<float>(config_.rms_norm_eps), rows);
  kernels::matmul(rows, ROWS, weights_.lm_head, logits, mode_);
}

}  // namespace smolvlm
