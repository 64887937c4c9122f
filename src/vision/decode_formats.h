// Per-format decoders behind decode_image (image_decode.cpp picks one by the
// file's magic bytes, as Pillow's Image.open does) and what they share.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "vision/image.h"
#include "vision/image_decode.h"

namespace smolvlm::detail {

// Each takes the whole file; `what` names it in errors.
Image decode_jpeg(std::span<const uint8_t> bytes, const std::string& what, const DecodeLimits& limits);
Image decode_png(std::span<const uint8_t> bytes, const std::string& what, const DecodeLimits& limits);
Image decode_gif(std::span<const uint8_t> bytes, const std::string& what, const DecodeLimits& limits);
Image decode_webp(std::span<const uint8_t> bytes, const std::string& what, const DecodeLimits& limits);
Image decode_bmp(std::span<const uint8_t> bytes, const std::string& what, const DecodeLimits& limits);

// An Image of the given size and mode with its samples allocated (zeroed),
// after the checks Pillow makes on declared dimensions: both sides > 0
// ("cannot identify image file" in Pillow) and width * height not over
// limits.max_pixels (Pillow's DecompressionBombError).
Image new_image(int64_t width, int64_t height, PixelMode mode, const std::string& what, const DecodeLimits& limits);

// The same checks without allocating, for decoders that learn the size
// before they can fill an Image.
void check_dimensions(int64_t width, int64_t height, const std::string& what, const DecodeLimits& limits);

}  // namespace smolvlm::detail
