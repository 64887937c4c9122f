// The image processor's settings, read once from a checkpoint folder
// (SPEC §1.2, §1.3): preprocessor_config.json for the image processor,
// processor_config.json for image_seq_len. Absent keys take the class defaults
// of transformers 4.51.3's Idefics3ImageProcessor / Idefics3Processor.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "core/json_file.h"
#include "vision/resample.h"

namespace smolvlm {

struct ImageProcessorConfig {
  int64_t longest_edge = 4 * 364;  // size.longest_edge: every image is resized to it first
  int64_t tile_size = 364;         // max_image_size.longest_edge: M, the side of every tile
  bool do_resize = true;
  bool do_image_splitting = true;
  bool do_rescale = true;
  bool do_normalize = true;
  double rescale_factor = 1.0 / 255.0;  // Python's 1/255, the same double
  // float32 copies of the config values, as numpy uses them (§6.2 step 8).
  std::array<float, 3> image_mean{0.5f, 0.5f, 0.5f};
  std::array<float, 3> image_std{0.5f, 0.5f, 0.5f};
  Resample resample = Resample::Lanczos;
  int64_t image_seq_len = 169;  // <image> tokens per tile (processor_config.json)
};

// transformers refuses a longest edge above this (get_resize_output_image_size).
inline constexpr int64_t kMaxLongestEdge = 4096;

// Image-processor keys of a preprocessor_config.json object; `where` names it
// in errors. image_seq_len is not among them (it is the processor's).
ImageProcessorConfig image_processor_config_from_json(const Json& j, const std::string& where);

// preprocessor_config.json (required) + processor_config.json (optional:
// image_seq_len defaults to 169 without it) of `model_dir`.
ImageProcessorConfig load_image_processor_config(const std::string& model_dir);

// What one request may change.
struct ImageProcessorOverrides {
  std::optional<bool> do_image_splitting;
  // A smaller longest edge (fewer tiles, less compute); at least 1 and at most
  // the checkpoint's size.longest_edge.
  std::optional<int64_t> longest_edge;
};

// Throws Error("image processor", ...) for a longest edge outside [1, config's].
ImageProcessorConfig with_overrides(ImageProcessorConfig config, const ImageProcessorOverrides& overrides);

}  // namespace smolvlm
