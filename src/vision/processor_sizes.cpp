#include "vision/processor_sizes.h"

#include <algorithm>
#include <cmath>

namespace smolvlm {
namespace {

// Python's `a / b` on ints: IEEE double division.
double true_div(int64_t a, int64_t b) { return static_cast<double>(a) / static_cast<double>(b); }
// Python's int(x) on a finite non-negative double: truncation.
int64_t py_int(double x) { return static_cast<int64_t>(x); }
// math.ceil(a / b).
int64_t ceil_div(int64_t a, int64_t b) { return static_cast<int64_t>(std::ceil(true_div(a, b))); }

}  // namespace

Size2D longest_edge_size(Size2D in, int64_t longest_edge) {
  int64_t w = in.width;
  int64_t h = in.height;
  // _resize_output_size_rescale_to_max_len
  double aspect = true_div(w, h);
  if (w >= h) {
    w = longest_edge;
    h = py_int(static_cast<double>(w) / aspect);
    if (h % 2 != 0) h += 1;
  } else {
    h = longest_edge;
    w = py_int(static_cast<double>(h) * aspect);
    if (w % 2 != 0) w += 1;
  }
  h = std::max<int64_t>(h, 1);
  w = std::max<int64_t>(w, 1);
  // _resize_output_size_scale_below_upper_bound with transformers' 4096 limit;
  // unreachable while longest_edge <= 4096, kept so the rule stands as written.
  constexpr int64_t cap = 4096;
  aspect = true_div(w, h);
  if (w >= h && w > cap) {
    w = cap;
    h = py_int(static_cast<double>(w) / aspect);
  } else if (h > w && h > cap) {
    h = cap;
    w = py_int(static_cast<double>(h) * aspect);
  }
  return {std::max<int64_t>(w, 1), std::max<int64_t>(h, 1)};
}

Size2D vision_encoder_size(Size2D in, int64_t tile_size) {
  int64_t w = in.width;
  int64_t h = in.height;
  const double aspect = true_div(w, h);
  if (w >= h) {
    w = ceil_div(w, tile_size) * tile_size;
    h = py_int(static_cast<double>(w) / aspect);
    h = ceil_div(h, tile_size) * tile_size;
  } else {
    h = ceil_div(h, tile_size) * tile_size;
    w = py_int(static_cast<double>(h) * aspect);
    w = ceil_div(w, tile_size) * tile_size;
  }
  return {w, h};
}

TileGrid tile_grid(Size2D in, int64_t tile_size) {
  if (in.height <= tile_size && in.width <= tile_size) return {};
  TileGrid g;
  g.rows = ceil_div(in.height, tile_size);
  g.cols = ceil_div(in.width, tile_size);
  g.tile_height = ceil_div(in.height, g.rows);
  g.tile_width = ceil_div(in.width, g.cols);
  return g;
}

}  // namespace smolvlm
