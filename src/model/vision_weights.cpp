#include "model/vision_weights.h"

#include <string>

#include "core/error.h"

namespace smolvlm {
namespace {

const std::string kVisionPrefix = "model.vision_model.";                               // SPEC §3.6
const std::string kConnectorName = "model.connector.modality_projection.proj.weight";  // SPEC §4.2

// A [shape[0], product of the rest] view of `name`; 1-D tensors are bound as [1, n].
kernels::WeightView bind(const TensorStore& store, const std::string& name, const std::vector<int64_t>& shape) {
  const TensorView& t = store.get(name, shape);
  if (!kernels::is_supported_weight_dtype(t.dtype))
    throw Error(store.location() + ": tensor " + name,
                "dtype " + std::string(dtype_name(t.dtype)) + " is not supported (expected BF16, F16 or F32)");
  if (shape.size() == 1) return kernels::WeightView{t.dtype, 1, shape[0], t.data};
  int64_t cols = 1;
  for (size_t i = 1; i < shape.size(); ++i) cols *= shape[i];
  return kernels::WeightView{t.dtype, shape[0], cols, t.data};
}

// <prefix>.weight of `weight_shape` and <prefix>.bias of [weight_shape[0]] (LayerNorm: [dim] both).
BiasedWeights bind_biased(const TensorStore& store, const std::string& prefix,
                          const std::vector<int64_t>& weight_shape) {
  return BiasedWeights{bind(store, prefix + ".weight", weight_shape), bind(store, prefix + ".bias", {weight_shape[0]})};
}

VisionLayerWeights bind_layer(const TensorStore& store, const std::string& p, const VisionConfig& c) {
  const int64_t D = c.hidden_size, I = c.intermediate_size;
  VisionLayerWeights w;
  w.layer_norm1 = bind_biased(store, p + "layer_norm1", {D});
  w.q_proj = bind_biased(store, p + "self_attn.q_proj", {D, D});
  w.k_proj = bind_biased(store, p + "self_attn.k_proj", {D, D});
  w.v_proj = bind_biased(store, p + "self_attn.v_proj", {D, D});
  w.out_proj = bind_biased(store, p + "self_attn.out_proj", {D, D});
  w.layer_norm2 = bind_biased(store, p + "layer_norm2", {D});
  w.fc1 = bind_biased(store, p + "mlp.fc1", {I, D});
  w.fc2 = bind_biased(store, p + "mlp.fc2", {D, I});
  return w;
}

}  // namespace

VisionWeights bind_vision_weights(const TensorStore& store, const ModelConfig& config) {
  if (!config.vision) throw Error("config.json", "has no vision_config, so there is no vision tower to load");
  const VisionConfig& c = *config.vision;
  const int64_t D = c.hidden_size, C = c.num_channels, P = c.patch_size, N = c.image_size / c.patch_size;
  const int64_t S = config.scale_factor, TEXT_H = config.text.hidden_size;
  const std::string& p = kVisionPrefix;
  VisionWeights w;
  w.patch_embedding = bind_biased(store, p + "embeddings.patch_embedding", {D, C, P, P});
  w.position_embedding = bind(store, p + "embeddings.position_embedding.weight", {N * N, D});
  for (int64_t l = 0; l < c.num_layers; ++l)
    w.layers.push_back(bind_layer(store, p + "encoder.layers." + std::to_string(l) + ".", c));
  w.post_layernorm = bind_biased(store, p + "post_layernorm", {D});
  w.connector = bind(store, kConnectorName, {TEXT_H, D * S * S});
  return w;
}

}  // namespace smolvlm
