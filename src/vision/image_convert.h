// What Pillow 9.4 does to a decoded image before the processor sees it:
// Image.convert (src/libImaging/Convert.c) and ImageOps.exif_transpose, and
// transformers' load_image, which is the two in a row (SPEC §6.1).
#pragma once

#include <string>

#include "vision/image.h"
#include "vision/image_decode.h"

namespace smolvlm {

// Pillow's convert(to) for any mode decode_image produces, to "L", "RGB" or
// "RGBA" (or to the same mode: a copy). Throws Error for other targets.
// - alpha is dropped, never composited ("RGBA"/"LA" -> "RGB");
// - "P" goes through its palette (indices past it read Pillow's default grey
//   ramp i,i,i); palette alpha applies only when converting to "RGBA";
// - "L" from colour is Pillow's ITU-R 601 integer luma: (19595 R + 38470 G +
//   7471 B + 0x8000) >> 16;
// - "CMYK" -> RGB: nk = 255 - K, R = nk - (C * nk) / 255 with Pillow's
//   rounded division (and likewise G, B);
// - 16-bit grey ("I" in Pillow) is clipped to 0..255.
// Not carried by Image, so not applied: a tRNS colour on "L"/"RGB" PNGs (it
// only matters for Pillow's convert("RGBA"), which the pipeline never does).
Image convert_image(const Image& image, PixelMode to);

// ImageOps.exif_transpose: orientation 2..8 applied (mirror / rotate /
// transpose as the EXIF tag says), the result has orientation 1.
Image exif_transpose(const Image& image);

// transformers.image_utils.load_image on a file: decode, exif_transpose,
// convert("RGB") — alpha dropped, not composited.
Image load_image_rgb(const std::string& path, const DecodeLimits& limits = {});

}  // namespace smolvlm
