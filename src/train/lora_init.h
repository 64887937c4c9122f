// A new LoRA adapter as PEFT's LoraConfig(init_lora_weights=True) makes it
// (tuners/lora/layer.py reset_lora_parameters): A = kaiming_uniform_(a =
// sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)), and B = 0, so training starts
// from the base model exactly. The values come from our own seeded generator
// (torch's stream cannot be reproduced); the shapes and names are PEFT's.
#pragma once

#include <cstdint>

#include "io/model_config.h"
#include "model/lora_adapter.h"
#include "train/finetune_config.h"

namespace smolvlm::train {

// Modules: config.target_modules on the text decoder's layers only. Short
// names ("q_proj") are saved as the regex text_decoder_target_regex makes
// (fixtures/training/README.md "LoRA": the plain list would also reach the
// vision tower's q/k/v_proj in PEFT); one entry that is not a projection name
// is a regex PEFT re.fullmatch'es, kept as given. Throws Error when the
// targets name nothing of the decoder, or lora_dropout is not 0 (the trainer
// has no dropout).
LoraAdapter new_lora_adapter(const ModelConfig& model, const FinetuneConfig& config, uint64_t seed);

}  // namespace smolvlm::train
