// The image processor's convert_to_rgb (SPEC §6.6), run on every tile after
// all resizing: the tile -> "RGBA" -> Image.alpha_composite over opaque white
// -> "RGB", in Pillow's integer arithmetic.
#pragma once

#include "vision/image.h"

namespace smolvlm {

// `tile` is one of the processor's working modes:
// - Palette: indices, with the input's saved palette re-applied (palette
//   transparency is not: only the RGB palette was saved); indices past the
//   palette show Pillow's default grey ramp (i, i, i), so an empty palette
//   reads the samples as grey (how L and "1" inputs come back, §6.2);
// - RGB: returned unchanged (compositing alpha 255 is the identity);
// - RGBA: composited over white.
// Throws Error("convert_to_rgb", ...) for any other mode.
Image convert_to_rgb(const Image& tile);

}  // namespace smolvlm
