// PEFT LoRA adapter folders (adapter_config.json + adapter_model.safetensors)
// read against a model's config and written back in the layout transformers +
// PEFT load as they are (fixtures/training/README.md "LoRA (PEFT semantics)").
// Only LoRA on the text decoder's seven projections is supported; anything
// else an adapter asks for is refused with an error naming it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/model_config.h"
#include "model/lora_adapter.h"

namespace smolvlm {

// A Linear of the text decoder that LoRA may target.
struct LoraTargetShape {
  std::string name;  // e.g. "model.text_model.layers.0.self_attn.q_proj"
  int64_t in_features = 0, out_features = 0;
};

// Every targetable module in the decoder's order: layer 0..n-1, q, k, v, o,
// gate, up, down (the order LoraAdapter::modules keeps).
std::vector<LoraTargetShape> decoder_lora_targets(const ModelConfig& config);

// PEFT's check_target_module_exists: a regex is re.fullmatch'ed against the
// module name; a list matches a name equal to an entry or ending in ".entry".
// Throws Error for a regex std::regex cannot read.
bool lora_targets_module(const std::vector<std::string>& target_modules, bool is_regex, const std::string& module);

// A target_modules regex that selects exactly `projections` (short names such
// as "q_proj") in every text decoder layer. The plain list would also reach
// the vision tower's q/k/v_proj in PEFT (README: why adapter_init uses a regex).
std::string text_decoder_target_regex(const ModelConfig& config, const std::vector<std::string>& projections);

// "base_model.model.<module>.lora_A.weight" (which = 'A') or ".lora_B.weight".
std::string peft_tensor_name(const std::string& module, char which);

// Reads the folder `dir` for the model `config`. Tensors may be F32, BF16 or
// F16 (kept as f32). Throws Error naming the file, key, tensor or module when
// the config asks for what is unsupported (bias, fan_in_fan_out, DoRA,
// modules_to_save, rank/alpha patterns, layers_to_transform), when a targeted
// module is missing from the decoder or from the file, when a tensor's shape
// does not match its module, or when the file holds a tensor nothing targets.
LoraAdapter load_lora_adapter(const std::string& dir, const ModelConfig& config);

// Writes `adapter` to `dir` (created if needed): adapter_model.safetensors
// (F32, PEFT names, metadata format "pt") and adapter_config.json with the
// fields PEFT's LoraConfig reads, each file through a temp file + rename.
void save_lora_adapter(const LoraAdapter& adapter, const std::string& dir);

}  // namespace smolvlm
