// `smolvlm bench` from options to report: load (or make) the model, measure
// the machine's bounds, time the model's parts through the engine's objects,
// note the peak RSS, free the model, measure the bounds again, and put each
// figure against the better of the two bounds.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "kernels/compute_mode.h"
#include "model/weight_quantization.h"
#include "repeat.h"
#include "report.h"

namespace smolvlm::bench {

struct BenchOptions {
  std::string model_dir;              // a checkpoint folder, or
  std::string like;                   // a synthetic_checkpoint_names() shape with random weights
  uint64_t seed = 0;                  // of the random weights
  std::string dtype = "bf16";         // the matmuls' arithmetic: compute_mode_for(dtype)
  std::string kv_dtype;               // "f32", "bf16", "f16"; empty: f32 for exact arithmetic, else bf16
  Repetitions reps;
  // `--video`: decode, encode and TTFT figures on a clip: `video_clip`, or a
  // 1280x720 30 fps clip of `video_seconds` made in a temporary folder.
  bool video = false;
  std::string video_clip;
  int video_seconds = 60;
  std::function<void(const std::string&)> progress;  // one line per stage, for a person waiting
};

// "bf16": BF16 products with f32 sums (ComputeMode::Fast; Exact where the CPU
// has no BF16 dot product); "f32": weights widened exactly to f32 (Exact).
// "q8_0" / "q4_0" / "q4_k": Fast over quantized weights. None for other names.
std::optional<kernels::ComputeMode> compute_mode_for(const std::string& dtype);
// "q8_0" / "q4_0" / "q4_k": the weights quantized at load as whole_model_dtypes
// gives them (with Fast arithmetic: int8 activations and VNNI dot products);
// other dtypes keep them as stored.
WeightDtypes quantized_weights_for(const std::string& dtype);

// Throws Error for an unreadable checkpoint or a dtype compute_mode_for lacks.
BenchReport run_bench(const BenchOptions& options);

}  // namespace smolvlm::bench
