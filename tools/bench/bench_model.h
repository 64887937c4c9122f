// The model under test, loaded through the engine's own LoadedModel: a
// checkpoint folder, or random weights of a real shape made in memory (only
// the small config and tokenizer files go to a temporary folder, removed once
// loaded). The image cache is off, so every TTFT repetition really encodes.
// `mode` is the decoder's and vision tower's arithmetic.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/loaded_model.h"
#include "kernels/compute_mode.h"
#include "video/video_config.h"
#include "vision/processor_config.h"

namespace smolvlm::bench {

struct BenchModel {
  std::string name;     // the folder, or the shape's name
  std::string weights;  // "file" or "random, in memory"
  std::unique_ptr<LoadedModel> model;
  // Read while the config files exist, for `--video`: the checkpoint's image
  // processor (none without preprocessor_config.json) and video_sampling.
  std::optional<ImageProcessorConfig> image_processor;
  std::optional<VideoSamplingConfig> video_sampling;
};

// Throws Error when `dir` is no checkpoint folder or a file in it is malformed.
// `quantize`: weights block-quantized at load (model/weight_quantization.h).
BenchModel open_bench_model(const std::string& dir, kernels::ComputeMode mode, const WeightDtypes& quantize = {});
// `like` is one of synthetic_checkpoint_names(); throws Error otherwise.
BenchModel make_bench_model(const std::string& like, uint64_t seed, kernels::ComputeMode mode,
                            const WeightDtypes& quantize = {});

}  // namespace smolvlm::bench
