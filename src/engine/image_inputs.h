// The images of a conversation, from files to features (SPEC §6, §3, §4):
// load as the request says, preprocess with the checkpoint's settings, encode
// with the vision tower. Encodings are cached per file and settings, so a chat
// that keeps an image across turns encodes it once.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "smolvlm.h"
#include "vision/image_prompt.h"
#include "vision/processor_config.h"

namespace smolvlm {

class VisionEncoder;

struct EncodedImage {
  ImageLayout layout;
  ImageGrid grid;                    // for prompt expansion
  int64_t tile_size = 0;
  std::vector<float> pixel_values;   // [tiles, 3, S, S]; only when asked for (not cached)
  std::vector<float> features;       // [tiles, tokens_per_tile, hidden]
};

class ImageEncodingCache {
 public:
  explicit ImageEncodingCache(size_t capacity) : capacity_(capacity) {}

  // The encoding of the image file at `path` under these settings, from the
  // cache when the file (path, size, modification time) and settings match.
  // With `keep_pixels` the image is processed again to return its pixel values.
  // Throws Error naming the file for unreadable, corrupt or oversized images.
  EncodedImage encode(const std::string& path, ImageLoading loading, const ImageProcessorConfig& config,
                      const VisionEncoder& encoder, bool keep_pixels);

 private:
  struct Entry {
    std::string key;
    EncodedImage image;  // without pixel values
  };
  size_t capacity_;
  std::deque<Entry> entries_;  // oldest first
};

}  // namespace smolvlm
