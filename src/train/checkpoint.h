// Training checkpoints (issue #8): OUT/checkpoint-<step>/ holds the trained
// weights (a PEFT adapter folder, or a full checkpoint folder with f32
// tensors), optimizer.safetensors (AdamW::save_state) and trainer_state.json
// (step, data position, RNG state, the run's config, loss history), so that
// --resume continues with the same losses as an uninterrupted run. Each
// folder is built in a temp folder in OUT, synced, and renamed into place:
// a failed save (a full disk) leaves the previous checkpoint as it was.
#pragma once

#include <functional>
#include <string>

#include "core/json_file.h"
#include "model/lora_adapter.h"
#include "train/adamw.h"
#include "train/finetune_config.h"
#include "train/trainable_weights.h"

namespace smolvlm::train {

// Builds out_dir/<name> atomically: write(temp) fills a temp folder inside
// out_dir, every file in it and the folder are fsynced, and it is renamed onto
// out_dir/<name> (replacing an older folder of that name). On any failure the
// temp folder is removed and Error says what failed and that `previous` (when
// not empty) is kept. Returns the folder's path.
std::string save_folder_atomically(const std::string& out_dir, const std::string& name,
                                   const std::function<void(const std::string& dir)>& write,
                                   const std::string& previous);

// What a checkpoint holds; exactly one of adapter and (model_dir + tensors).
struct CheckpointContents {
  const LoraAdapter* adapter = nullptr;              // LoRA: saved as a PEFT folder
  std::string model_dir;                             // full: the base, whose layout is copied
  std::span<const TrainableTensor> tensors;          // full: saved as F32
  const AdamW* optimizer = nullptr;
  Json progress;                                     // Trainer::progress_json() (or DPO's)
  const FinetuneConfig* config = nullptr;
  std::string data_sha256;                           // of the training data file
};

constexpr const char* kTrainerStateFile = "trainer_state.json";
constexpr const char* kOptimizerFile = "optimizer.safetensors";

// Writes OUT/checkpoint-<step> (step = progress["step"]); `previous` as above.
std::string save_training_checkpoint(const std::string& out_dir, const CheckpointContents& contents,
                                     const std::string& previous);

// A checkpoint folder's trainer_state.json, checked against this run: the same
// method, data file (by SHA-256) and settings, except those a resumed run may
// change (max_steps, epochs, save_every, eval_every, gradient_checkpointing,
// adapter_init). Throws Error naming the folder and the first difference.
Json read_resume_state(const std::string& dir, const FinetuneConfig& config, const std::string& data_sha256);

// SHA-256 of a file's bytes (hex).
std::string file_sha256(const std::string& path);

}  // namespace smolvlm::train
