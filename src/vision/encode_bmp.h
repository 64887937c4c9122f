// An RGB image as an uncompressed 24-bit BMP file: a lossless way to hand
// decoded pixels (e.g. video frames) to code that takes image files, which
// decode_image reads back to the same samples.
#pragma once

#include <cstdint>
#include <vector>

#include "vision/image.h"

namespace smolvlm {

// Throws Error("BMP", ...) for images that are not RGB.
std::vector<uint8_t> encode_bmp_rgb(const Image& image);

}  // namespace smolvlm
