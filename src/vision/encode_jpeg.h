// JPEG writing as Pillow 9.4's Image.save(path.jpg) with no options does it
// (JpegImagePlugin._save + libImaging/JpegEncode.c): libjpeg's defaults
// (jpeg_set_defaults: quality 75, 4:2:0 chroma for colour, baseline Huffman
// tables, JDCT_ISLOW, JFIF header), "L" and "1" written as grey, "RGB" as
// YCbCr, "CMYK" inverted as Pillow's "CMYK;I" raw mode. VLMEvalKit saves every
// benchmark image this way before the model reads it back.
#pragma once

#include <cstdint>
#include <vector>

#include "vision/image.h"

namespace smolvlm {

// Throws Error("JPEG", ...) for modes Pillow cannot write as JPEG ("LA",
// "RGBA", "P", "I;16": Pillow's "cannot write mode X as JPEG").
std::vector<uint8_t> encode_jpeg_like_pillow(const Image& image);

}  // namespace smolvlm
