#include "vision/resize_bicubic_aa.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"

namespace smolvlm {
namespace {

// HelperInterpCubic::aa_filter: Keys' cubic convolution with a = -0.5 (Pillow's).
double keys_cubic(double x) {
  constexpr double a = -0.5;
  x = std::abs(x);
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
  if (x < 2.0) return ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a;
  return 0.0;
}

// One pass over `lines` lines: output sample o of a line is the weighted sum of
// the inputs taps.first[o] .. + count[o], `step` apart (3: along a row of RGB
// pixels; a row's bytes: down a column), rounded and clamped as the uint8
// kernels do. `line_in` / `line_out` are the distances between lines.
void convolve(const uint8_t* in, uint8_t* out, const BicubicAaTaps& taps, int64_t lines, int64_t line_in,
              int64_t line_out, int64_t samples_per_line, int64_t step, int64_t out_step) {
  const int32_t half = int32_t{1} << (taps.precision - 1);
  const auto outputs = static_cast<int64_t>(taps.first.size());
  for (int64_t line = 0; line < lines; ++line)
    for (int64_t o = 0; o < outputs; ++o)
      for (int64_t s = 0; s < samples_per_line; ++s) {
        const uint8_t* src = in + line * line_in + s + taps.first[static_cast<size_t>(o)] * step;
        const int16_t* w = &taps.weights[static_cast<size_t>(o * taps.taps)];
        int32_t acc = half;
        for (int64_t j = 0; j < taps.count[static_cast<size_t>(o)]; ++j) acc += int32_t{src[j * step]} * w[j];
        out[line * line_out + s + o * out_step] = static_cast<uint8_t>(std::clamp(acc >> taps.precision, 0, 255));
      }
}

}  // namespace

BicubicAaTaps bicubic_aa_taps(int64_t in_size, int64_t out_size) {
  if (in_size < 1 || out_size < 1)
    throw Error("image processor", "cannot resize " + std::to_string(in_size) + " samples to " + std::to_string(out_size));
  // _compute_index_ranges_weights, antialias: support = interp_size / 2 * scale (interp_size 4 for cubic).
  const double scale = static_cast<double>(in_size) / static_cast<double>(out_size);
  const double support = scale >= 1.0 ? 2.0 * scale : 2.0;
  const double invscale = scale >= 1.0 ? 1.0 / scale : 1.0;
  BicubicAaTaps t;
  t.taps = static_cast<int64_t>(std::ceil(support)) * 2 + 1;
  t.first.resize(static_cast<size_t>(out_size));
  t.count.resize(static_cast<size_t>(out_size));
  std::vector<double> weights(static_cast<size_t>(out_size * t.taps), 0.0);
  double largest = 0.0;
  for (int64_t i = 0; i < out_size; ++i) {
    // _compute_indices_min_size_weights_aa, in double, truncating casts kept.
    const double center = scale * (static_cast<double>(i) + 0.5);
    const int64_t xmin = std::max(static_cast<int64_t>(center - support + 0.5), int64_t{0});
    const int64_t xsize =
        std::clamp(std::min(static_cast<int64_t>(center + support + 0.5), in_size) - xmin, int64_t{0}, t.taps);
    double* w = &weights[static_cast<size_t>(i * t.taps)];
    double total = 0.0;
    for (int64_t j = 0; j < xsize; ++j) {
      w[j] = keys_cubic((static_cast<double>(j + xmin) - center + 0.5) * invscale);
      total += w[j];
    }
    if (total != 0.0)
      for (int64_t j = 0; j < xsize; ++j) {
        w[j] /= total;
        largest = std::max(largest, w[j]);
      }
    t.first[static_cast<size_t>(i)] = xmin;
    t.count[static_cast<size_t>(i)] = xsize;
  }
  // _compute_index_ranges_int16_weights: the most bits (< 22) at which twice
  // the largest weight still rounds below 2^15.
  for (t.precision = 0; t.precision < 22; ++t.precision)
    if (static_cast<int>(0.5 + largest * static_cast<double>(1 << (t.precision + 1))) >= (1 << 15)) break;
  t.weights.resize(weights.size());
  for (size_t k = 0; k < weights.size(); ++k) {
    const double v = weights[k] * static_cast<double>(1 << t.precision);
    t.weights[k] = static_cast<int16_t>(v < 0 ? static_cast<int>(-0.5 + v) : static_cast<int>(0.5 + v));
  }
  return t;
}

Image resize_bicubic_aa(const Image& rgb, int64_t width, int64_t height) {
  if (rgb.mode != PixelMode::RGB) throw Error("image processor", "the bicubic resize takes RGB frames");
  if (width < 1 || height < 1 || rgb.width < 1 || rgb.height < 1)
    throw Error("image processor", "cannot resize " + std::to_string(rgb.width) + "x" + std::to_string(rgb.height) +
                                       " to " + std::to_string(width) + "x" + std::to_string(height));
  Image current = rgb;
  // Width first, as upsample_avx_bilinear_bicubic_uint8 and the generic
  // separable kernel both do; each pass rounds to uint8.
  if (width != current.width) {
    Image out{width, current.height, PixelMode::RGB, {}, {}, {}, 1};
    out.data.resize(static_cast<size_t>(width * current.height * 3));
    const BicubicAaTaps taps = bicubic_aa_taps(current.width, width);
    convolve(current.data.data(), out.data.data(), taps, current.height, current.width * 3, width * 3, 3, 3, 3);
    current = std::move(out);
  }
  if (height != current.height) {
    Image out{current.width, height, PixelMode::RGB, {}, {}, {}, 1};
    out.data.resize(static_cast<size_t>(current.width * height * 3));
    const BicubicAaTaps taps = bicubic_aa_taps(current.height, height);
    // One "line" whose samples are the row's bytes, stepping a row at a time.
    const int64_t row = current.width * 3;
    convolve(current.data.data(), out.data.data(), taps, 1, 0, 0, row, row, row);
    current = std::move(out);
  }
  return current;
}

}  // namespace smolvlm
