#include "model/vision_encoder.h"

#include <algorithm>
#include <string>

#include "core/error.h"
#include "kernels/layer_norm.h"
#include "kernels/matmul.h"
#include "model/connector.h"
#include "model/pixel_shuffle.h"
#include "model/vision_embeddings.h"
#include "model/vision_layer.h"

namespace smolvlm {
namespace {

// The vision config, once checked for what this tower implements.
VisionConfig supported_vision_config(const ModelConfig& config) {
  if (!config.vision) throw Error("config.json", "has no vision_config, so there is no vision tower to load");
  const VisionConfig& c = *config.vision;
  if (c.hidden_act != "gelu_pytorch_tanh")
    throw Error("config.json: vision_config.hidden_act",
                "unsupported activation \"" + c.hidden_act + "\" (the vision tower implements gelu_pytorch_tanh)");
  return c;
}

}  // namespace

struct VisionEncoder::TileScratch {
  TileScratch(const VisionConfig& c, int64_t n_patches) : x(n_patches * c.hidden_size), layer(c, n_patches) {}
  std::vector<float> x;  // [N*N, D], the residual stream
  VisionLayerScratch layer;
};

VisionEncoder::VisionEncoder(const TensorStore& weights, const ModelConfig& config, kernels::ComputeMode mode)
    : config_(supported_vision_config(config)),
      scale_factor_(config.scale_factor),
      text_hidden_(config.text.hidden_size),
      weights_(bind_vision_weights(weights, config)),
      mode_(mode) {
  const int64_t N = config_.image_size / config_.patch_size;
  full_tile_position_ids_ = vision_position_ids(std::vector<uint8_t>(N * N, 1), N);
}

int64_t VisionEncoder::tokens_per_tile() const {
  const int64_t M = config_.image_size / config_.patch_size / scale_factor_;
  return M * M;
}

int64_t VisionEncoder::tile_size() const { return config_.image_size; }

int64_t VisionEncoder::output_dim() const { return text_hidden_; }

void VisionEncoder::check_encode_args(std::span<const float> pixel_values, int64_t n_tiles, std::span<const float> out,
                                      std::span<const uint8_t> pixel_attention_mask) const {
  const int64_t C = config_.num_channels, S = config_.image_size;
  const int64_t TILE = C * S * S, MASK = S * S, OUT = tokens_per_tile() * text_hidden_;
  if (n_tiles < 0 || static_cast<int64_t>(pixel_values.size()) != n_tiles * TILE)
    throw Error("vision encoder", "pixel_values hold " + std::to_string(pixel_values.size()) + " floats, expected " +
                                      std::to_string(n_tiles) + " tiles x " + std::to_string(C) + " x " +
                                      std::to_string(S) + " x " + std::to_string(S));
  if (static_cast<int64_t>(out.size()) != n_tiles * OUT)
    throw Error("vision encoder", "output buffer holds " + std::to_string(out.size()) + " floats, expected " +
                                      std::to_string(n_tiles) + " tiles x " + std::to_string(tokens_per_tile()) +
                                      " tokens x " + std::to_string(text_hidden_));
  if (!pixel_attention_mask.empty() && static_cast<int64_t>(pixel_attention_mask.size()) != n_tiles * MASK)
    throw Error("vision encoder", "pixel_attention_mask holds " + std::to_string(pixel_attention_mask.size()) +
                                      " values, expected " + std::to_string(n_tiles) + " tiles x " + std::to_string(S) +
                                      " x " + std::to_string(S));
}

void VisionEncoder::encode(std::span<const float> pixel_values, int64_t n_tiles, std::span<float> out,
                           std::span<const uint8_t> pixel_attention_mask) const {
  check_encode_args(pixel_values, n_tiles, out, pixel_attention_mask);
  const int64_t C = config_.num_channels, S = config_.image_size, N = S / config_.patch_size;
  const int64_t TILE = C * S * S, MASK = S * S, OUT = tokens_per_tile() * text_hidden_;
  TileScratch scratch(config_, N * N);
  for (int64_t t = 0; t < n_tiles; ++t) {
    const auto mask =
        pixel_attention_mask.empty() ? pixel_attention_mask : pixel_attention_mask.subspan(t * MASK, MASK);
    encode_tile(pixel_values.subspan(t * TILE, TILE), mask, out.subspan(t * OUT, OUT), scratch);
  }
}

void VisionEncoder::encode_with_connector_inputs(std::span<const float> pixel_values, int64_t n_tiles,
                                                 std::span<float> out, std::span<float> connector_inputs,
                                                 std::span<const uint8_t> pixel_attention_mask) const {
  check_encode_args(pixel_values, n_tiles, out, pixel_attention_mask);
  const int64_t C = config_.num_channels, S = config_.image_size, N = S / config_.patch_size;
  const int64_t TILE = C * S * S, MASK = S * S, OUT = tokens_per_tile() * text_hidden_;
  const int64_t IN = tokens_per_tile() * connector_input_dim();
  if (static_cast<int64_t>(connector_inputs.size()) != n_tiles * IN)
    throw Error("vision encoder", "connector_inputs buffer holds " + std::to_string(connector_inputs.size()) +
                                      " floats, expected " + std::to_string(n_tiles) + " tiles x " +
                                      std::to_string(IN));
  TileScratch scratch(config_, N * N);
  for (int64_t t = 0; t < n_tiles; ++t) {
    const auto mask =
        pixel_attention_mask.empty() ? pixel_attention_mask : pixel_attention_mask.subspan(t * MASK, MASK);
    encode_tile(pixel_values.subspan(t * TILE, TILE), mask, out.subspan(t * OUT, OUT), scratch,
                connector_inputs.subspan(t * IN, IN));
  }
}

int64_t VisionEncoder::connector_input_dim() const { return config_.hidden_size * scale_factor_ * scale_factor_; }

void VisionEncoder::encode_tile(std::span<const float> tile, std::span<const uint8_t> pixel_mask, std::span<float> out,
                                TileScratch& s, std::span<float> connector_inputs) const {
  const int64_t D = config_.hidden_size, N = config_.image_size / config_.patch_size, SEQ = N * N;
  // §3.2: a pixel mask matters only when it pads some patch; those patches are
  // then left out as attention keys and the rest get §3.4 ids. Otherwise there
  // is no mask and every tile shares the full-tile ids.
  std::vector<uint8_t> key_valid;
  std::vector<int32_t> position_ids;
  if (!pixel_mask.empty()) {
    key_valid = patch_mask_from_pixels(pixel_mask, config_.image_size, config_.patch_size);
    if (std::find(key_valid.begin(), key_valid.end(), 0) == key_valid.end())
      key_valid.clear();
    else
      position_ids = vision_position_ids(key_valid, N);
  }
  vision_embeddings_forward(weights_, config_, tile, key_valid.empty() ? full_tile_position_ids_ : position_ids, s.x,
                            mode_);
  for (const VisionLayerWeights& layer : weights_.layers)
    vision_layer_forward(layer, config_, key_valid, s.x, SEQ, s.layer, mode_);
  const BiasedWeights& post = weights_.post_layernorm;
  kernels::layer_norm(s.x, SEQ, post.weight, post.bias, static_cast<float>(config_.layer_norm_eps), s.x);
  if (connector_inputs.empty()) return connector_forward(weights_.connector, scale_factor_, s.x, SEQ, D, out, mode_);
  // The same two steps as connector_forward, keeping the shuffled rows.
  pixel_shuffle(s.x, SEQ, D, scale_factor_, connector_inputs);
  kernels::matmul(connector_inputs, tokens_per_tile(), weights_.connector, out, mode_);
}

}  // namespace smolvlm
