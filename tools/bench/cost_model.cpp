#include "cost_model.h"

#include <string>

namespace smolvlm::bench {

double vision_flops_per_tile(const ModelConfig& config) {
  const VisionConfig& v = *config.vision;
  const double side = static_cast<double>(v.image_size / v.patch_size);
  const double P = side * side, H = static_cast<double>(v.hidden_size), I = static_cast<double>(v.intermediate_size);
  const double patch_embedding = 2 * P * H * static_cast<double>(v.num_channels * v.patch_size * v.patch_size);
  const double projections = 4 * 2 * P * H * H;  // q, k, v, out
  const double attention = 2 * 2 * P * P * H;    // scores and weighted values, over all heads
  const double mlp = 2 * 2 * P * H * I;
  // Pixel shuffle keeps P * H values; the connector maps them to the text width.
  const double connector = 2 * P * H * static_cast<double>(config.text.hidden_size);
  return patch_embedding + static_cast<double>(v.num_layers) * (projections + attention + mlp) + connector;
}

double decoder_flops(const TextConfig& t, int64_t n_tokens, int64_t context) {
  const double H = static_cast<double>(t.hidden_size), I = static_cast<double>(t.intermediate_size);
  const double q_out = static_cast<double>(t.num_heads * t.head_dim);
  const double kv_out = static_cast<double>(t.num_kv_heads * t.head_dim);
  const double n = static_cast<double>(n_tokens), c = static_cast<double>(context);
  const double per_token = 2 * H * (q_out + 2 * kv_out) + 2 * q_out * H + 3 * 2 * H * I;
  // Position i attends to c + i + 1 keys: scores and weighted values, every head.
  const double keys = n * c + n * (n + 1) / 2;
  const double attention = 2 * 2 * q_out * keys;
  const double lm_head = 2 * H * static_cast<double>(t.vocab_size);
  return static_cast<double>(t.num_layers) * (n * per_token + attention) + lm_head;
}

double decode_weight_bytes(const TensorStore& weights, const ModelConfig& config) {
  const std::string layers = config.text_prefix + "layers.";
  double bytes = 0;
  for (const std::string& name : weights.names())
    if (name.compare(0, layers.size(), layers) == 0) bytes += static_cast<double>(weights.get(name).size_bytes);
  bytes += static_cast<double>(weights.get(config.text_prefix + "norm.weight").size_bytes);
  const std::string lm_head =
      weights.contains(config.lm_head_name) ? config.lm_head_name : config.text_prefix + "embed_tokens.weight";
  return bytes + static_cast<double>(weights.get(lm_head).size_bytes);
}

double kv_bytes_read(const TextConfig& t, double context, size_t element_bytes) {
  return static_cast<double>(t.num_layers) * 2 * static_cast<double>(t.num_kv_heads * t.head_dim) * context *
         static_cast<double>(element_bytes);
}

}  // namespace smolvlm::bench
