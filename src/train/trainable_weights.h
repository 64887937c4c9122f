// The decoder's weights as training binds them: every tensor a view in its
// stored dtype (the mmapped bf16 checkpoint stays as it is), with a gradient
// span beside each one that trains. Two ways to train:
// - LoRA (fixtures/training/README.md "LoRA"): the adapter's A/B sit on the
//   Linears it targets; only they train. Their values stay in the adapter.
// - Full (README "full-sft"): every text tensor, the untied lm_head and the
//   connector train; each gets an f32 master copy the views then read.
// The tensors that train are listed as TrainableTensors under the goldens'
// names (PEFT names for LoRA, checkpoint names for full).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "io/model_config.h"
#include "io/safetensors.h"
#include "kernels/compute_mode.h"
#include "kernels/weight_view.h"
#include "model/lora_adapter.h"
#include "train/trainable_linear.h"

namespace smolvlm::train {

// The seven Linears of a layer, in PEFT's module order for the adapter.
enum Projection { kQ, kK, kV, kO, kGate, kUp, kDown, kProjections };

struct TrainableLayer {
  kernels::WeightView input_norm, post_norm;  // [1, H]
  std::span<float> input_norm_grad, post_norm_grad;
  std::array<TrainableLinear, kProjections> proj;
};

struct TrainableWeights {
  kernels::WeightView embed_tokens;  // [V, H]
  std::span<float> embed_grad;
  std::vector<TrainableLayer> layers;
  kernels::WeightView final_norm;  // [1, H]
  std::span<float> final_norm_grad;
  kernels::WeightView lm_head;  // [V, H]
  std::span<float> lm_head_grad;  // the embedding's gradient when they are tied
  kernels::ComputeMode lm_head_forward_mode = kernels::ComputeMode::Exact;  // as TrainableLinear's
  kernels::WeightView connector;  // [H, D·s²]; bound only when it trains
  std::span<float> connector_grad;
};

// One tensor that trains: its values (the adapter's vector or the master
// copy), its gradient, and the name the goldens and checkpoints use.
struct TrainableTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::span<float> value;
  std::vector<float> grad;
  std::vector<float> master;  // full fine-tuning: the f32 copy `value` points at
};

// Views of every decoder weight in its stored dtype; nothing trains.
TrainableWeights bind_frozen_weights(const TensorStore& store, const ModelConfig& config);

// Puts each module of `adapter` on the Linear it names (config.text_prefix +
// "layers.{l}.self_attn.q_proj", ...), adds its A and B (PEFT names
// "base_model.model.<module>.lora_A.weight") to `tensors`, and binds the
// gradients. Throws Error for a module that names no decoder Linear or whose
// shapes differ from the weight's. `adapter` must outlive the weights; the
// optimizer updates its A and B through the tensors' value spans.
void attach_lora(TrainableWeights& w, const ModelConfig& config, LoraAdapter& adapter,
                 std::vector<TrainableTensor>& tensors);

// Makes every text tensor, lm_head (unless tied) and, when the checkpoint
// has one, the connector projection trainable: f32 master copies in `tensors`
// under their checkpoint names, the views pointed at them.
void make_fully_trainable(TrainableWeights& w, const TensorStore& store, const ModelConfig& config,
                          std::vector<TrainableTensor>& tensors);

}  // namespace smolvlm::train
