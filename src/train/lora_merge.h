// Merging LoRA adapters into a checkpoint (fixtures/training/README.md
// "merge"): W' = W + scale * (alpha / r) * (B @ A), computed in f32 from the
// stored weight widened to f32, written as a full Hugging Face checkpoint
// folder that transformers and smolvlm load like the base.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "model/lora_adapter.h"

namespace smolvlm::train {

using smolvlm::ScaledLora;  // model/lora_adapter.h

// weight [out, in] (f32) += factor * (B @ A): each element of B @ A is summed
// over the rank in order with f32 products and sums, then multiplied by
// factor and added (bit for bit the merge goldens' torch f32 result).
void add_lora_delta(const LoraModule& module, float factor, std::span<float> weight);


struct MergeOptions {
  std::string model_dir;
  std::vector<ScaledLora> adapters;  // merged in this order, each read against the model's config
  std::string out_dir;
  // BF16: merged weights rounded once (nearest even) from their f32 result,
  // every other tensor copied as stored. F32: every floating tensor widened
  // to f32, merged ones unrounded.
  DType dtype = DType::BF16;
};

// Writes the merged checkpoint: the base's shard layout and tensor names
// (model.safetensors or the shards + model.safetensors.index.json), the
// adapters' target weights replaced, and the base's configs, tokenizer,
// processor and chat template files copied. Built in a temp folder beside
// out_dir and renamed onto it at the end, so out_dir is either absent (after
// an error) or complete. out_dir must not exist or be an empty folder.
void merge_lora_checkpoint(const MergeOptions& options);

}  // namespace smolvlm::train
