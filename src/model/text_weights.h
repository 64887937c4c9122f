// The decoder's weights (SPEC §2 "Weight names"), bound once at load as views
// into the checkpoint in their stored dtype, every shape checked.
#pragma once

#include <vector>

#include "io/model_config.h"
#include "io/safetensors.h"
#include "kernels/weight_view.h"
#include "model/lora_forward.h"

namespace smolvlm {

struct DecoderLayerWeights {
  kernels::WeightView input_norm;  // [1, H]
  kernels::WeightView q_proj;      // [nh*d, H]
  kernels::WeightView k_proj;      // [nkv*d, H]
  kernels::WeightView v_proj;      // [nkv*d, H]
  kernels::WeightView o_proj;      // [H, nh*d]
  kernels::WeightView post_norm;   // [1, H]
  kernels::WeightView gate_proj;   // [I, H]
  kernels::WeightView up_proj;     // [I, H]
  kernels::WeightView down_proj;   // [H, I]
  LayerLora lora;                  // adapters applied without merging (model/lora_forward.h); empty by default
};

struct TextWeights {
  kernels::WeightView embed_tokens;  // [V, H]
  std::vector<DecoderLayerWeights> layers;
  kernels::WeightView final_norm;  // [1, H]
  kernels::WeightView lm_head;     // [V, H]; embed_tokens when tied
};

// Binds every decoder weight under config.text_prefix plus config.lm_head_name.
// A missing tensor, a wrong shape or a dtype other than BF16/F16/F32 throws
// Error naming the tensor. lm_head: the stored tensor when present, else
// embed_tokens if tie_word_embeddings, else Error naming lm_head as missing.
// The views point into `store`'s mappings, which must outlive them.
TextWeights bind_text_weights(const TensorStore& store, const ModelConfig& config);

}  // namespace smolvlm
