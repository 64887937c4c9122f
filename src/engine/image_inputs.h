// The images of a conversation, from files or in-memory bytes to features
// (SPEC §6, §3, §4): load as the request says, preprocess with the
// checkpoint's settings, encode with the vision tower. Encodings are cached
// (LRU within a byte budget), so a chat that keeps an image across turns, or
// re-sends it as OpenAI clients do, runs the vision tower for it once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "smolvlm.h"
#include "vision/image_decode.h"
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

// Preprocesses `image` (SPEC §6) and runs the vision tower on its tiles; with
// `pixel_values` not null, the processor's output is moved there.
EncodedImage encode_image(const Image& image, const ImageProcessorConfig& config, const VisionEncoder& encoder,
                          std::vector<float>* pixel_values);

struct ImageCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  size_t entries = 0;
  size_t bytes = 0;  // features held
};

// Safe to use from several threads at once: lookups and inserts lock, the
// decoding and encoding of a missing image run outside the lock.
class ImageEncodingCache {
 public:
  explicit ImageEncodingCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // The encoding of an image item under these settings. Files are keyed by
  // path, size and modification time (no decoding on a hit); in-memory bytes
  // by the SHA-256 of the decoded pixels handed to the processor, so the same
  // picture re-sent in any encoding hits. With `keep_pixels` the image is
  // processed again to return its pixel values. Throws Error for unreadable,
  // corrupt or oversized (`limits`) images.
  EncodedImage encode(const Content& item, ImageLoading loading, const ImageProcessorConfig& config,
                      const VisionEncoder& encoder, bool keep_pixels, const DecodeLimits& limits = {});

  ImageCacheStats stats() const;

  // The raw cache, for pictures that are not image items (video frames,
  // engine/video_inputs.h): the key names the picture and its settings;
  // inserted encodings carry no pixel values.
  bool lookup(const std::string& key, EncodedImage& out);
  void insert(const std::string& key, const EncodedImage& image);

 private:
  struct Entry {
    std::string key;
    EncodedImage image;  // without pixel values
  };

  const size_t max_bytes_;
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  ImageCacheStats stats_;
};

}  // namespace smolvlm
