// The Idefics3 / SmolVLM image processor of transformers 4.51.3 for one image
// (SPEC §6.2-§6.7): longest-edge resize, resize to multiples of the tile size,
// split into tiles row-major + a global view last (or one M x M image without
// splitting), convert_to_rgb, rescale, normalise; channels-first float32.
//
// What the processor does depends on the mode of the image it is handed
// (SPEC §6.1): with transformers' load_image the caller has already applied
// EXIF orientation and converted to RGB ("load-image"); an image opened with
// PIL and handed over as is keeps the file's mode ("pil-open"). Both arrive
// here as an Image; its mode selects the path:
// - L, P, "1": resized as one channel through a "P" image, so always NEAREST;
//   P palettes are re-applied only in convert_to_rgb; "1" reads as 0/1 grey;
// - RGB: resized with the configured filter;
// - RGBA: resized premultiplied, then composited over white;
// - CMYK: its four channels go through the RGBA path (transformers turns any
//   4-channel array into an "RGBA" PIL image; reproduced).
// Divergences from transformers 4.51.3 (SPEC "Divergence policy"), where it
// fails or misreads the image:
// - images 1, 3 or 4 pixels high are H x W x C images, never channels-first;
// - LA (grey + alpha) is composited like RGBA (grey replicated), instead of
//   "Unable to infer channel dimension format";
// - 16-bit grey is clipped to 8 bits and replicated to RGB as Pillow's
//   convert("RGB") does (what load_image gives), instead of failing.
#pragma once

#include <cstdint>
#include <vector>

#include "vision/image.h"
#include "vision/processor_config.h"

namespace smolvlm {

struct ProcessedImage {
  std::vector<float> pixel_values;  // [tiles, 3, tile_size, tile_size]
  int64_t tiles = 0;                // rows * cols + 1, or 1 without splitting
  int64_t tile_size = 0;
  int64_t rows = 0;  // 0 and 0 when the image was not split
  int64_t cols = 0;
};

// Throws Error("image processor", ...) for an empty image or samples that do
// not match its size and mode.
ProcessedImage preprocess_image(const Image& image, const ImageProcessorConfig& config);

}  // namespace smolvlm
