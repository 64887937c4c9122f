// Pillow 9.4's Image.resize on 8-bit images, bit for bit (SPEC §6.8, §6.9).
// The processor's pixels are only right if every resize is Pillow's, so this
// reproduces Pillow's arithmetic, not just its filters: double coefficients
// normalised per output pixel, 22-bit fixed point, a uint8 intermediate between
// the horizontal and the vertical pass, passes skipped when an axis keeps its
// size, NEAREST by accumulated double coordinates, and Pillow's mode rules.
#pragma once

#include <cstdint>
#include <string_view>

#include "vision/image.h"

namespace smolvlm {

// Pillow's integer codes, as preprocessor_config.json stores them ("resample": 1
// is LANCZOS, SPEC §1.2).
enum class Resample { Nearest = 0, Lanczos = 1, Bilinear = 2, Bicubic = 3, Box = 4, Hamming = 5 };

// Throws Error("resample", ...) for a code Pillow does not have.
Resample resample_from_code(int64_t code);
std::string_view resample_name(Resample filter);  // Pillow's spelling, e.g. "LANCZOS"

// Image.resize((out_w, out_h), filter) as Pillow 9.4 does it:
// - same size: a copy, no filtering;
// - modes "1" and "P": always NEAREST (an index or a bit cannot be averaged);
// - "RGBA" and "LA" with a filter other than NEAREST: resized premultiplied
//   (RGBa / La) and un-premultiplied afterwards (SPEC §6.9);
// - other 8-bit modes (L, RGB, CMYK): every channel filtered on its own.
// Palette, palette alpha and EXIF orientation are carried over unchanged.
// Throws Error("resize", ...) for sizes below 1 and for 16-bit images (the
// processor converts those to 8 bits first).
Image resize(const Image& in, int64_t out_w, int64_t out_h, Resample filter);

}  // namespace smolvlm
