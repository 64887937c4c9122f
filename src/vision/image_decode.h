// Image files to Image, decoded as Pillow 9.4 (Debian 12's python3-pil) opens
// them: same mode, same samples, same palette, same EXIF orientation (SPEC
// §6.1: the processor's behaviour depends on the mode it is handed). JPEG,
// PNG, WebP, GIF (first frame) and BMP. JPEG and WebP go through the libraries
// Pillow links (libjpeg-turbo, libwebp), PNG through libpng's push reader in
// place of Pillow's own zlib-based reader; GIF and BMP are read by our own
// code, as Pillow reads them with its own. Damaged files are accepted or
// rejected where Pillow accepts or rejects them; each decode_*.cpp lists the
// few places where we deliberately differ (Pillow bugs, fixed upstream or
// obviously wrong).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "vision/image.h"

namespace smolvlm {

struct DecodeLimits {
  // Pillow's decompression-bomb error threshold: 2 * Image.MAX_IMAGE_PIXELS.
  int64_t max_pixels = 178956970;
};

// Decodes one image file held in memory, keeping Pillow's mode for it.
// `what` names the input in errors. Throws Error(what, problem) for empty,
// corrupt, truncated, zero-size and unsupported input, and for declared
// dimensions over limits.max_pixels before any pixel memory is allocated.
Image decode_image(std::span<const uint8_t> bytes, const std::string& what, const DecodeLimits& limits = {});

// decode_image on the file's contents; errors name the path.
Image decode_image_file(const std::string& path, const DecodeLimits& limits = {});

}  // namespace smolvlm
