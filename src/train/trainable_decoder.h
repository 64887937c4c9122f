// The SmolVLM / Llama text decoder as a trainable model (issue #8): a forward
// over whole sequences that keeps what the backward needs, the backward, and
// the gradients of LoRA tensors or of every text tensor, with the loss
// semantics of fixtures/training/README.md. f32 arithmetic over the weights
// in their stored dtype (the exact mode); frozen weights stay mmapped.
//
// How a training loop uses it:
//   LoadedModel model(dir);                               // configs + mmapped weights
//   // (a) LoRA: the adapter's A/B train, its values are updated in place.
//   LoraAdapter adapter = ...;                            // model/lora_io.h, must outlive the decoder
//   TrainableDecoder dec(model.weights, model.config, adapter, {.gradient_checkpointing = true});
//   // (b) full fine-tuning: every text tensor, lm_head and the connector (f32 master copies).
//   TrainableDecoder dec(model.weights, model.config, FullFineTuning{});
//   // One optimizer step of A accumulation micro-batches (README "Loss reduction"):
//   dec.zero_gradients();
//   for (each micro-batch mb of TrainingExamples) {
//     const int64_t N = count_label_tokens(mb);
//     LossSum s = dec.accumulate_gradients(mb, 1.0 / (double(N) * A));   // grads += d(S / (N A))
//     step_loss += s.loss_sum / s.n_tokens / A;                          // loss_step = mean over mbs of S / N
//   }
//   for (TrainableTensor& t : dec.tensors()) optimizer.update(t.name, t.value, t.grad);
//   LossSum eval = dec.evaluate(examples);                               // no gradients
// DPO: train/dpo_loss.h. Tensor names: PEFT names for LoRA
// ("base_model.model.model.text_model.layers.0.self_attn.q_proj.lora_A.weight"),
// checkpoint names for full ("model.text_model.layers.0.mlp.down_proj.weight",
// "lm_head.weight", "model.connector.modality_projection.proj.weight").
// Image features: a TrainingExample's image_features are used as they are,
// unless the connector trains, which then recomputes them from its
// connector_inputs (needed whenever the example has <image> tokens).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "io/model_config.h"
#include "io/safetensors.h"
#include "model/lora_adapter.h"
#include "train/decoder_layer_train.h"
#include "train/lm_head_loss.h"
#include "train/trainable_weights.h"
#include "train/training_example.h"

namespace smolvlm::train {

struct TrainOptions {
  // Keep only each layer's input in the forward and recompute the layer in the
  // backward: activation memory of one layer instead of all, one more forward.
  bool gradient_checkpointing = false;
  // The BF16 training mode: the forward's (and recomputation's) products
  // with the decoder's weights as ComputeMode::Fast of the inference kernels
  // does them (over BF16 weights: BF16 products, f32 sums; f32 master copies
  // stay exact); gradients, LoRA products, master weights and optimizer
  // state stay f32. Off: the exact mode the goldens pin.
  bool bf16_forward = false;
};

struct FullFineTuning {};

// A summed token loss and how many tokens it sums.
struct LossSum {
  double loss_sum = 0;
  int64_t n_tokens = 0;
};

// Target tokens of a batch after the shift (labels[t] set, t >= 1): N of README "Loss reduction".
int64_t count_label_tokens(std::span<const TrainingExample> batch);

// One sequence's forward, with what its backward needs when asked for.
struct SequencePass {
  int64_t n = 0;
  std::vector<int32_t> table_ids;       // input ids, -1 at <image> positions (no embedding gradient there)
  std::vector<int64_t> image_positions;
  const TrainingExample* example = nullptr;
  std::vector<LayerActivations> layers;         // every layer (no checkpointing)
  std::vector<std::vector<float>> layer_inputs;  // each layer's input (checkpointing)
  LmHeadActivations head;
  LossSum loss;
};

class TrainableDecoder {
 public:
  // LoRA: `adapter`'s modules are put on the Linears they name; they train.
  // Throws Error for modules that do not fit the model. `store` and
  // `adapter` must outlive the decoder.
  TrainableDecoder(const TensorStore& store, const ModelConfig& config, LoraAdapter& adapter,
                   TrainOptions options = {});
  // Full fine-tuning (README "full-sft": all but the vision tower).
  TrainableDecoder(const TensorStore& store, const ModelConfig& config, FullFineTuning, TrainOptions options = {});
  TrainableDecoder(const TrainableDecoder&) = delete;
  TrainableDecoder& operator=(const TrainableDecoder&) = delete;

  // Runs every example of the micro-batch forward and backward, one at a
  // time, adding scale · d(summed CE)/dθ to the gradients. Returns the summed
  // CE and the target-token count.
  LossSum accumulate_gradients(std::span<const TrainingExample> batch, double scale);
  // The summed CE and token count, no gradients.
  LossSum evaluate(std::span<const TrainingExample> batch);

  // One sequence: forward (keeping activations when for_backward; the pass
  // points at `example`, which must outlive it), then
  // backward adding scale · d(pass.loss.loss_sum)/dθ. Summed CE of the
  // targets = minus the summed log-probs, which DPO uses.
  SequencePass forward(const TrainingExample& example, bool for_backward);
  void backward(const SequencePass& pass, double scale);

  // DPO's reference model is this one with the adapter off (README "DPO").
  void set_adapter_enabled(bool enabled) { lora_on_ = enabled; }
  bool adapter_enabled() const { return lora_on_; }
  bool has_adapter() const { return has_adapter_; }

  void zero_gradients();
  // Every trainable tensor: name, value span (update it in place), gradient.
  std::vector<TrainableTensor>& tensors() { return tensors_; }
  const TextConfig& config() const { return config_.text; }

 private:
  TrainableDecoder(const TensorStore& store, const ModelConfig& config, TrainOptions options);
  void embed(const TrainingExample& example, SequencePass& pass, std::vector<float>& x) const;
  void embedding_backward(const SequencePass& pass, std::span<const float> dx);

  ModelConfig config_;
  TrainOptions options_;
  TrainableWeights weights_;
  std::vector<TrainableTensor> tensors_;
  bool lora_on_ = true;
  bool has_adapter_ = false;
};

}  // namespace smolvlm::train
