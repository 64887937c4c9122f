#include "vision/image_decode.h"

#include <algorithm>
#include <new>

#include "core/error.h"
#include "core/mapped_file.h"
#include "vision/decode_formats.h"

namespace smolvlm {
namespace detail {

void check_dimensions(int64_t width, int64_t height, const std::string& what, const DecodeLimits& limits) {
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  if (width <= 0 || height <= 0) throw Error(what, "image has zero size (" + size + ")");
  // width * height > max_pixels, without overflowing on sides near 2^32.
  if (width > limits.max_pixels / height) {
    throw Error(what, "image is " + size + " pixels, over the limit of " + std::to_string(limits.max_pixels) +
                          " (Pillow's decompression-bomb threshold)");
  }
}

Image new_image(int64_t width, int64_t height, PixelMode mode, const std::string& what, const DecodeLimits& limits) {
  check_dimensions(width, height, what, limits);
  Image image;
  image.width = width;
  image.height = height;
  image.mode = mode;
  image.data.resize(image.row_bytes() * static_cast<size_t>(height));
  return image;
}

}  // namespace detail

namespace {

bool starts_with(std::span<const uint8_t> bytes, std::string_view magic, size_t at = 0) {
  return bytes.size() >= at + magic.size() &&
         std::equal(magic.begin(), magic.end(), bytes.begin() + static_cast<std::ptrdiff_t>(at),
                    [](char m, uint8_t b) { return static_cast<uint8_t>(m) == b; });
}

}  // namespace

Image decode_image(std::span<const uint8_t> bytes, const std::string& what, const DecodeLimits& limits) {
  if (bytes.empty()) throw Error(what, "empty file");
  try {
    // The prefixes Pillow's plugins accept (their _accept functions).
    if (starts_with(bytes, "\xFF\xD8\xFF")) return detail::decode_jpeg(bytes, what, limits);
    if (starts_with(bytes, "\x89PNG\r\n\x1A\n")) return detail::decode_png(bytes, what, limits);
    if (starts_with(bytes, "GIF87a") || starts_with(bytes, "GIF89a")) return detail::decode_gif(bytes, what, limits);
    if (starts_with(bytes, "RIFF") && starts_with(bytes, "WEBP", 8) &&
        (starts_with(bytes, "VP8 ", 12) || starts_with(bytes, "VP8L", 12) || starts_with(bytes, "VP8X", 12))) {
      return detail::decode_webp(bytes, what, limits);
    }
    if (starts_with(bytes, "BM")) return detail::decode_bmp(bytes, what, limits);
  } catch (const std::bad_alloc&) {
    throw Error(what, "out of memory while decoding");
  }
  throw Error(what, "unsupported image format (expected JPEG, PNG, WebP, GIF or BMP)");
}

Image decode_image_file(const std::string& path, const DecodeLimits& limits) {
  const MappedFile file(path);
  return decode_image(file.bytes(), path, limits);
}

}  // namespace smolvlm
