// `smolvlm bench --train`: one optimizer step of fine-tuning per repetition
// on a model's shape, as `smolvlm finetune` runs it (exact f32 arithmetic,
// gradient checkpointing, AdamW, clipping), on one sequence of `seq_tokens`
// holding one image whose features the real vision encoder makes once (as
// training does). Reports the step time split into forward / backward /
// optimizer, training tokens/s, the peak RSS, and the GFLOP/s of the backward
// GEMMs at the step's shapes against the BF16 peak measured in the same run.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/json_file.h"
#include "repeat.h"

namespace smolvlm::bench {

struct TrainBenchOptions {
  std::string model_dir;  // a checkpoint folder, or
  std::string like;       // a synthetic_checkpoint_names() shape with random weights
  uint64_t seed = 0;
  std::string method = "lora";  // lora | qlora (text weights Q4_0 at load) | full
  int64_t seq_tokens = 1024;
  bool bf16_forward = false;  // the BF16 training mode (train::TrainOptions::bf16_forward)
  Repetitions reps;
  std::function<void(const std::string&)> progress;
};

// One JSON object (keys listed in train_bench.cpp's report). Throws Error for
// an unknown method, a sequence too short for the image, or a bad checkpoint.
Json run_train_bench(const TrainBenchOptions& options);

// The object as a few lines for people.
std::string train_report_table(const Json& report);

}  // namespace smolvlm::bench
