// The sizes the image processor resizes and splits to (SPEC §6.3-§6.5), as
// transformers 4.51.3 computes them: Python true division in IEEE double,
// int() truncation and math.ceil, in its order. Simplifying the arithmetic
// (e.g. L*h/w instead of L/(w/h)) changes sizes by a pixel on some inputs.
#pragma once

#include <cstdint>

namespace smolvlm {

struct Size2D {
  int64_t width = 0;
  int64_t height = 0;
  bool operator==(const Size2D&) const = default;
};

// §6.3: longest edge set to `longest_edge` (up-scaling small images), the short
// side from the aspect ratio, truncated, then bumped to even; then the 4096 cap
// (no even rule there); never below 1.
Size2D longest_edge_size(Size2D in, int64_t longest_edge);

// §6.4: both sides to multiples of the tile size M, the short side derived from
// the aspect ratio of the already rounded long side; aspect is not kept.
Size2D vision_encoder_size(Size2D in, int64_t tile_size);

// §6.5: how an image (sides multiples of M after §6.4) is cut. rows = cols = 0
// when it is no bigger than M x M (then it is kept whole, no global view).
struct TileGrid {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t tile_height = 0;  // ceil(h / rows); the last row/column may be shorter
  int64_t tile_width = 0;
};
TileGrid tile_grid(Size2D in, int64_t tile_size);

}  // namespace smolvlm
