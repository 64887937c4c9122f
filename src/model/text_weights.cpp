#include "model/text_weights.h"

#include <string>

#include "core/error.h"

namespace smolvlm {
namespace {

// A [rows, cols] view of `name`; 1-D tensors are bound as [1, cols].
kernels::WeightView bind(const TensorStore& store, const std::string& name, const std::vector<int64_t>& shape) {
  const TensorView& t = store.get(name, shape);
  if (!kernels::is_supported_weight_dtype(t.dtype))
    throw Error(store.location() + ": tensor " + name,
                "dtype " + std::string(dtype_name(t.dtype)) + " is not supported (expected BF16, F16 or F32)");
  const int64_t rows = shape.size() == 1 ? 1 : shape[0];
  return kernels::WeightView{t.dtype, rows, shape.back(), t.data};
}

DecoderLayerWeights bind_layer(const TensorStore& store, const std::string& prefix, const TextConfig& c) {
  const int64_t H = c.hidden_size, I = c.intermediate_size;
  const int64_t QD = c.num_heads * c.head_dim, KVD = c.num_kv_heads * c.head_dim;
  DecoderLayerWeights w;
  w.input_norm = bind(store, prefix + "input_layernorm.weight", {H});
  w.q_proj = bind(store, prefix + "self_attn.q_proj.weight", {QD, H});
  w.k_proj = bind(store, prefix + "self_attn.k_proj.weight", {KVD, H});
  w.v_proj = bind(store, prefix + "self_attn.v_proj.weight", {KVD, H});
  w.o_proj = bind(store, prefix + "self_attn.o_proj.weight", {H, QD});
  w.post_norm = bind(store, prefix + "post_attention_layernorm.weight", {H});
  w.gate_proj = bind(store, prefix + "mlp.gate_proj.weight", {I, H});
  w.up_proj = bind(store, prefix + "mlp.up_proj.weight", {I, H});
  w.down_proj = bind(store, prefix + "mlp.down_proj.weight", {H, I});
  return w;
}

}  // namespace

TextWeights bind_text_weights(const TensorStore& store, const ModelConfig& config) {
  const TextConfig& c = config.text;
  const int64_t V = c.vocab_size, H = c.hidden_size;
  const std::string& p = config.text_prefix;
  TextWeights w;
  w.embed_tokens = bind(store, p + "embed_tokens.weight", {V, H});
  for (int64_t l = 0; l < c.num_layers; ++l)
    w.layers.push_back(bind_layer(store, p + "layers." + std::to_string(l) + ".", c));
  w.final_norm = bind(store, p + "norm.weight", {H});
  // SPEC §2 Tying: a stored lm_head always wins; the embedding stands in only
  // when the config ties them.
  if (store.contains(config.lm_head_name))
    w.lm_head = bind(store, config.lm_head_name, {V, H});
  else if (c.tie_word_embeddings)
    w.lm_head = w.embed_tokens;
  else
    throw Error(store.location() + ": tensor " + config.lm_head_name,
                "missing, and config.json does not set tie_word_embeddings (so embed_tokens cannot stand in)");
  return w;
}

}  // namespace smolvlm
