#include "engine/image_inputs.h"

#include "core/error.h"
#include "vision/image_convert.h"
#include "vision/image_decode.h"

namespace smolvlm {

PreparedImages prepare_images(const std::vector<std::string>& paths, ImageLoading loading,
                              const ImageProcessorConfig& config) {
  PreparedImages out;
  for (const std::string& path : paths) {
    if (path.empty()) throw Error("messages", "an image item names no file (use \"path\", \"url\" or \"image\")");
    const Image image = loading == ImageLoading::LoadImage ? load_image_rgb(path) : decode_image_file(path);
    ProcessedImage processed = preprocess_image(image, config);
    out.grids.push_back({processed.rows, processed.cols});
    out.layouts.push_back({processed.rows, processed.cols, processed.tiles});
    out.tiles += processed.tiles;
    out.tile_size = processed.tile_size;
    out.pixel_values.insert(out.pixel_values.end(), processed.pixel_values.begin(), processed.pixel_values.end());
  }
  return out;
}

}  // namespace smolvlm
