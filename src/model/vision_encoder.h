// The image side of SmolVLM: the SigLIP vision tower (SPEC §3), pixel shuffle
// and connector (§4), producing "image_hidden_states" per tile. The exact
// reference path: f32 arithmetic over the weights in their stored dtype. The
// engine encodes each image once and reuses the features for the whole
// generation (§5.3).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "io/model_config.h"
#include "io/safetensors.h"
#include "kernels/compute_mode.h"
#include "model/vision_weights.h"

namespace smolvlm {

class VisionEncoder {
 public:
  // Binds and shape-checks every vision and connector weight; throws Error
  // naming the tensor, or the config key for an unsupported vision_config.
  // `weights` must outlive the encoder (it reads the mapped tensors in place).
  // `mode` is the arithmetic of every encode (kernels/compute_mode.h).
  VisionEncoder(const TensorStore& weights, const ModelConfig& config,
                kernels::ComputeMode mode = kernels::ComputeMode::Exact);

  int64_t tokens_per_tile() const;  // (N / s)^2, e.g. 64 or 81
  int64_t tile_size() const;        // vision image_size S, e.g. 512 or 384
  int64_t output_dim() const;       // text hidden size

  // pixel_values [n_tiles, C, S, S] (f32, already normalised) ->
  // out [n_tiles, tokens_per_tile, text_hidden]. Every tile given is encoded:
  // dropping all-0.0 padding tiles (§3.1) is the caller's business.
  // pixel_attention_mask is empty (every pixel real, as the processor's
  // S x S tiles always are) or [n_tiles, S, S] u8; padded patches then get
  // §3.4 position ids and are left out as attention keys.
  void encode(std::span<const float> pixel_values, int64_t n_tiles, std::span<float> out,
              std::span<const uint8_t> pixel_attention_mask = {}) const;

  // encode() that also writes each image token's connector input (the
  // pixel-shuffled tower output, §4.1) into connector_inputs [n_tiles,
  // tokens_per_tile, connector_input_dim()]: what training the connector needs
  // (train/trainable_decoder.h).
  void encode_with_connector_inputs(std::span<const float> pixel_values, int64_t n_tiles, std::span<float> out,
                                    std::span<float> connector_inputs,
                                    std::span<const uint8_t> pixel_attention_mask = {}) const;
  int64_t connector_input_dim() const;  // vision hidden x scale_factor²

 private:
  struct TileScratch;
  void check_encode_args(std::span<const float> pixel_values, int64_t n_tiles, std::span<const float> out,
                         std::span<const uint8_t> pixel_attention_mask) const;
  void encode_tile(std::span<const float> tile, std::span<const uint8_t> pixel_mask, std::span<float> out,
                   TileScratch& s, std::span<float> connector_inputs = {}) const;

  VisionConfig config_;
  int64_t scale_factor_ = 0;
  int64_t text_hidden_ = 0;
  VisionWeights weights_;
  std::vector<int32_t> full_tile_position_ids_;
  kernels::ComputeMode mode_;  // [N*N], the identity for N in {26, 27, 32}
};

}  // namespace smolvlm
