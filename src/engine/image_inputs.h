// The images of a conversation, from files to processor output (SPEC §6):
// load as the request says, preprocess with the checkpoint's settings.
#pragma once

#include <string>
#include <vector>

#include "smolvlm.h"
#include "vision/image_processor.h"
#include "vision/image_prompt.h"
#include "vision/processor_config.h"

namespace smolvlm {

struct PreparedImages {
  std::vector<ImageGrid> grids;        // per image, for prompt expansion
  std::vector<ImageLayout> layouts;    // per image, for the result
  std::vector<float> pixel_values;     // all tiles of all images, [tiles, 3, S, S]
  int64_t tiles = 0;
  int64_t tile_size = 0;
};

// Throws Error naming the file for unreadable, corrupt or oversized images.
PreparedImages prepare_images(const std::vector<std::string>& paths, ImageLoading loading,
                              const ImageProcessorConfig& config);

}  // namespace smolvlm
