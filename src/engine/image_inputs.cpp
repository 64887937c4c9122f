#include "engine/image_inputs.h"

#include <sys/stat.h>

#include "core/error.h"
#include "model/vision_encoder.h"
#include "vision/image_convert.h"
#include "vision/image_decode.h"
#include "vision/image_processor.h"

namespace smolvlm {
namespace {

// Identifies a file's contents cheaply: a changed file gets a new key.
std::string file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw Error(path, "cannot open image file");
  return path + '\0' + std::to_string(st.st_size) + '\0' + std::to_string(st.st_mtim.tv_sec) + '.' +
         std::to_string(st.st_mtim.tv_nsec);
}

std::string settings_key(ImageLoading loading, const ImageProcessorConfig& c) {
  return std::to_string(static_cast<int>(loading)) + '/' + std::to_string(c.do_image_splitting) + '/' +
         std::to_string(c.longest_edge) + '/' + std::to_string(c.tile_size);
}

}  // namespace

EncodedImage ImageEncodingCache::encode(const std::string& path, ImageLoading loading,
                                        const ImageProcessorConfig& config, const VisionEncoder& encoder,
                                        bool keep_pixels) {
  if (path.empty()) throw Error("messages", "an image item names no file (use \"path\", \"url\" or \"image\")");
  const std::string key = file_identity(path) + '\0' + settings_key(loading, config);
  if (!keep_pixels)
    for (const Entry& e : entries_)
      if (e.key == key) return e.image;

  const Image image = loading == ImageLoading::LoadImage ? load_image_rgb(path) : decode_image_file(path);
  ProcessedImage processed = preprocess_image(image, config);
  EncodedImage out;
  out.layout = {processed.rows, processed.cols, processed.tiles};
  out.grid = {processed.rows, processed.cols};
  out.tile_size = processed.tile_size;
  out.features.resize(static_cast<size_t>(processed.tiles * encoder.tokens_per_tile() * encoder.output_dim()));
  encoder.encode(processed.pixel_values, processed.tiles, out.features);

  if (capacity_ > 0) {
    if (entries_.size() == capacity_) entries_.pop_front();
    entries_.push_back({key, out});
  }
  if (keep_pixels) out.pixel_values = std::move(processed.pixel_values);
  return out;
}

}  // namespace smolvlm
