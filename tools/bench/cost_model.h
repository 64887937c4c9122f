// The work behind each measurement, from the config and the stored tensors:
// FLOPs for the compute-bound parts (a multiply-add counts 2; norms, softmax
// and activations are left out, being a few percent at most) and bytes read
// for the bandwidth-bound decode step. Bound = machine limit / this work.
#pragma once

#include <cstdint>

#include "io/model_config.h"
#include "io/safetensors.h"

namespace smolvlm::bench {

// One tile through the vision tower (patch embedding, every layer's
// projections, attention and MLP) and the connector.
double vision_flops_per_tile(const ModelConfig& config);

// n_tokens new positions after `context` cached ones, every decoder layer
// (projections, causal attention, MLP), plus lm_head for the last position
// only (as forward() without all_logits).
double decoder_flops(const TextConfig& text, int64_t n_tokens, int64_t context);

// Weight bytes one decode step reads at their stored dtype: every decoder
// layer, the final norm, and lm_head (embed_tokens when tied).
double decode_weight_bytes(const TensorStore& weights, const ModelConfig& config);

// KV-cache bytes one decode step reads while attending to `context`
// positions (f32 keys and values of every layer and KV head).
double kv_bytes_read(const TextConfig& text, double context, size_t element_bytes);

}  // namespace smolvlm::bench
