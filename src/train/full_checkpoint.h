// A full fine-tune saved as a Hugging Face checkpoint folder (issue #8: "Full
// fine-tunes are saved the same way" as merges): the base's shard layout and
// tensor names, the trained tensors replaced, the configs, tokenizer and
// processor files copied, so transformers and smolvlm load it like the base.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "core/dtype.h"
#include "train/trainable_weights.h"

namespace smolvlm::train {

// Writes into the existing folder `dir` (not atomically: callers build in a
// temp folder, checkpoint_folder.h). Trained tensors are stored as `dtype`,
// or in the base tensor's own dtype (bf16 rounded to nearest even) when none;
// F32 keeps the master copies exactly (checkpoints to resume from). Throws
// Error naming a trained tensor the base does not have, or a failed write.
void write_full_checkpoint(const std::string& model_dir, std::span<const TrainableTensor> trained,
                           const std::string& dir, std::optional<DType> dtype);

// Puts the values of a folder written above into `tensors` (--resume).
// Throws Error naming a tensor that is missing or differs in size.
void read_full_checkpoint(const std::string& dir, std::span<TrainableTensor> tensors);

}  // namespace smolvlm::train
