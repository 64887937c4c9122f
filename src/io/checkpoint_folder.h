// A Hugging Face checkpoint folder as written back by us (merged LoRA,
// full fine-tunes): its weight shards and the side files that make it
// loadable (configs, tokenizer, processor, chat template).
#pragma once

#include <string>
#include <vector>

#include "core/json_file.h"

namespace smolvlm {

inline constexpr const char* kSafetensorsIndexFile = "model.safetensors.index.json";

// The shard files of `model_dir`: those model.safetensors.index.json names
// (its JSON returned in *index), or the single model.safetensors.
std::vector<std::string> checkpoint_shard_files(const std::string& model_dir, Json* index);

// Copies every *.json, *.jinja, *.txt and *.model file of `model_dir` but the
// shard index into `out_dir`, replacing files of the same name.
void copy_checkpoint_side_files(const std::string& model_dir, const std::string& out_dir);

}  // namespace smolvlm
