// Every setting of a fine-tuning run (`smolvlm finetune`, `smolvlm dpo`), with
// the defaults of the SmolVLM fine-tuning notebook where it sets one and of
// transformers' TrainingArguments / PEFT's LoraConfig / TRL's DPOConfig
// otherwise. A run's config.json (the training goldens' layout) and the
// command-line flags set the same fields by the same names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_file.h"

namespace smolvlm::train {

enum class TrainMethod { Lora, Qlora, Full };
enum class LabelMasking { Notebook, AssistantOnly };  // fixtures/training/README.md "Label masking"

struct FinetuneConfig {
  TrainMethod method = TrainMethod::Lora;

  // LoRA (PEFT LoraConfig; the notebook's r = 8, alpha = 8, its seven projections of the text model).
  int64_t r = 8;
  double lora_alpha = 8;
  double lora_dropout = 0;
  bool use_rslora = false;
  std::vector<std::string> target_modules = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                                             "down_proj"};
  std::string adapter_init;  // a PEFT folder to start from instead of PEFT's default init
  bool train_connector = false;

  // torch.optim.AdamW and transformers' schedules (notebook: lr 1e-4, 50 warm-up steps, linear decay).
  double lr = 1e-4;
  std::string lr_scheduler = "linear";  // constant | linear | cosine
  int64_t warmup_steps = 50;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weight_decay = 0.01;
  double max_grad_norm = 1.0;  // <= 0: no clipping

  // Batches: per_device_batch examples per micro-batch, grad_accumulation micro-batches per step.
  int64_t per_device_batch = 4;
  int64_t grad_accumulation = 4;
  std::vector<std::vector<int64_t>> micro_batches;  // explicit example indices, repeated every step (goldens)
  double epochs = 1;
  int64_t max_steps = -1;  // > 0: stop after this many optimizer steps

  // Data.
  LabelMasking masking = LabelMasking::Notebook;
  int64_t max_length = 2048;  // longer sequences are skipped (counted), never cut

  // DPO (TRL DPOConfig, sigmoid loss).
  double beta = 0.1;

  // Run.
  uint64_t seed = 0;
  int64_t save_every = 25;  // steps between checkpoints (the seed's team saved every 25)
  int64_t eval_every = 0;   // steps between eval-loss passes on --eval-data (0: at the end only)
  bool gradient_checkpointing = true;
  // Arithmetic: false = exact f32 (the goldens' mode), true = the BF16
  // training mode (TrainOptions::bf16_forward). Flag --dtype f32|bf16; the
  // goldens' descriptive "float32 (...)" reads as f32.
  bool bf16 = false;

  double lora_scaling() const;  // lora_alpha / r, or / sqrt(r) with use_rslora
};

// Sets the field named `key` (a config.json key or a flag without its "--")
// from `value`; `context` names where it came from for errors. Paths
// (adapter_init) are resolved against `base_dir` when relative.
void set_config_field(FinetuneConfig& config, std::string_view key, const Json& value, const std::string& context,
                      const std::string& base_dir = "");

// Applies every key of a config.json object. Keys that only describe a run
// (strings such as "target_scope" or "attention" in the goldens) are returned
// so the caller can list them as ignored; keys that state a consequence of
// others ("scaling", "examples_per_step", "loss_type") are checked against them.
std::vector<std::string> apply_config_file(FinetuneConfig& config, const std::string& path);

// Whether `key` names a field set_config_field knows (for flag parsing).
bool is_config_field(std::string_view key);

// The config as the JSON object apply_config_file reads (saved with checkpoints).
Json config_to_json(const FinetuneConfig& config);

}  // namespace smolvlm::train
