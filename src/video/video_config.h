// A SmolVLM2 checkpoint's video settings (SPEC §9): preprocessor_config.json's
// "video_sampling" {fps, max_frames, video_size.longest_edge}. Checkpoints
// without it (SmolVLM v1, Idefics3) have no video path of their own; videos
// then go in as uniformly sampled images (SPEC §10).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/json_file.h"

namespace smolvlm {

struct VideoSamplingConfig {
  double fps = 1;              // target frames per second of video
  int64_t max_frames = 64;
  int64_t video_size = 512;    // longest edge frames are resized to (replaces size.longest_edge)
};

// The "video_sampling" object of a preprocessor_config.json object, or
// nothing when absent. Throws Error naming `where` for malformed values.
std::optional<VideoSamplingConfig> video_sampling_from_json(const Json& preprocessor, const std::string& where);

// The same from `model_dir`/preprocessor_config.json (nothing when the file is absent).
std::optional<VideoSamplingConfig> load_video_sampling_config(const std::string& model_dir);

}  // namespace smolvlm
