#include "engine/image_inputs.h"

#include <sys/stat.h>

#include "core/error.h"
#include "core/sha256.h"
#include "model/vision_encoder.h"
#include "vision/image_convert.h"
#include "vision/image_processor.h"

namespace smolvlm {
namespace {

// Identifies a file's contents cheaply: a changed file gets a new key.
std::string file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw Error(path, "cannot open image file");
  return "file:" + path + '\0' + std::to_string(st.st_size) + '\0' + std::to_string(st.st_mtim.tv_sec) + '.' +
         std::to_string(st.st_mtim.tv_nsec);
}

// Everything of a decoded image the processor reads.
std::string pixel_identity(const Image& image) {
  Sha256 h;
  const int64_t header[4] = {image.width, image.height, static_cast<int64_t>(image.mode), image.exif_orientation};
  h.update(header, sizeof(header));
  h.update(image.data.data(), image.data.size());
  const uint64_t palette_sizes[2] = {image.palette.size(), image.palette_alpha.size()};
  h.update(palette_sizes, sizeof(palette_sizes));
  h.update(image.palette.data(), image.palette.size());
  h.update(image.palette_alpha.data(), image.palette_alpha.size());
  return "pixels:" + h.hex_digest();
}

std::string settings_key(ImageLoading loading, const ImageProcessorConfig& c) {
  return std::to_string(static_cast<int>(loading)) + '/' + std::to_string(c.do_image_splitting) + '/' +
         std::to_string(c.longest_edge) + '/' + std::to_string(c.tile_size);
}

// transformers' load_image (EXIF orientation applied, RGB) or the image as opened.
Image as_loaded(Image image, ImageLoading loading) {
  if (loading == ImageLoading::PilOpen) return image;
  if (image.exif_orientation != 1) image = exif_transpose(image);
  if (image.mode != PixelMode::RGB) image = convert_image(image, PixelMode::RGB);
  return image;
}

size_t feature_bytes(const EncodedImage& image) { return image.features.size() * sizeof(float); }

}  // namespace

EncodedImage encode_image(const Image& image, const ImageProcessorConfig& config, const VisionEncoder& encoder,
                          std::vector<float>* pixel_values) {
  ProcessedImage processed = preprocess_image(image, config);
  EncodedImage out;
  out.layout = {processed.rows, processed.cols, processed.tiles};
  out.grid = {processed.rows, processed.cols};
  out.tile_size = processed.tile_size;
  out.features.resize(static_cast<size_t>(processed.tiles * encoder.tokens_per_tile() * encoder.output_dim()));
  encoder.encode(processed.pixel_values, processed.tiles, out.features);
  if (pixel_values != nullptr) *pixel_values = std::move(processed.pixel_values);
  return out;
}

EncodedImage ImageEncodingCache::encode(const Content& item, ImageLoading loading, const ImageProcessorConfig& config,
                                        const VisionEncoder& encoder, bool keep_pixels, const DecodeLimits& limits) {
  const bool in_memory = !item.image_bytes.empty();
  if (!in_memory && item.image_path.empty())
    throw Error("messages", "an image item names no file (use \"path\", \"url\" or \"image\")");
  Image image;
  std::string key;
  if (in_memory) {
    image = as_loaded(decode_image(item.image_bytes, "image", limits), loading);
    key = pixel_identity(image);
  } else {
    key = file_identity(item.image_path);
  }
  key += '\0' + settings_key(loading, config);
  EncodedImage out;
  if (!keep_pixels && lookup(key, out)) return out;

  if (!in_memory)
    image = loading == ImageLoading::LoadImage ? load_image_rgb(item.image_path, limits)
                                               : decode_image_file(item.image_path, limits);
  std::vector<float> pixels;
  out = encode_image(image, config, encoder, keep_pixels ? &pixels : nullptr);
  insert(key, out);
  out.pixel_values = std::move(pixels);
  return out;
}

bool ImageEncodingCache::lookup(const std::string& key, EncodedImage& out) {
  std::lock_guard lock(mutex_);
  const auto it = index_.find(key);
  if (it == index_.end()) {
    ++stats_.misses;
    return false;
  }
  ++stats_.hits;
  lru_.splice(lru_.begin(), lru_, it->second);
  out = it->second->image;
  return true;
}

void ImageEncodingCache::insert(const std::string& key, const EncodedImage& image) {
  const size_t bytes = feature_bytes(image);
  std::lock_guard lock(mutex_);
  if (bytes > max_bytes_ || index_.count(key) != 0) return;  // too big, or another thread was first
  while (stats_.bytes + bytes > max_bytes_) {
    stats_.bytes -= feature_bytes(lru_.back().image);
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  lru_.push_front({key, image});
  index_.emplace(key, lru_.begin());
  stats_.bytes += bytes;
  stats_.entries = lru_.size();
}

ImageCacheStats ImageEncodingCache::stats() const {
  std::lock_guard lock(mutex_);
  ImageCacheStats s = stats_;
  s.entries = lru_.size();
  return s;
}

}  // namespace smolvlm
