#include "vision/resample_kernel.h"

#include <cmath>
#include <numbers>
#include <string>

#include "core/error.h"

namespace smolvlm {
namespace {

// The filters exactly as Pillow writes them: every comparison, constant and
// operation order below changes a coefficient bit somewhere.

double box_filter(double x) { return (x > -0.5 && x <= 0.5) ? 1.0 : 0.0; }

double bilinear_filter(double x) {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
}

double hamming_filter(double x) {
  if (x < 0.0) x = -x;
  if (x == 0.0) return 1.0;
  if (x >= 1.0) return 0.0;
  x = x * std::numbers::pi;
  // Pillow's constants are float literals (0.54f, 0.46f) widened to double.
  return std::sin(x) / x * (static_cast<double>(0.54f) + static_cast<double>(0.46f) * std::cos(x));
}

double bicubic_filter(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

double sinc_filter(double x) {
  if (x == 0.0) return 1.0;
  x = x * std::numbers::pi;
  return std::sin(x) / x;
}

double lanczos_filter(double x) {
  // Truncated sinc windowed by sinc(x/3); the interval is half-open as in Pillow.
  if (-3.0 <= x && x < 3.0) return sinc_filter(x) * sinc_filter(x / 3);
  return 0.0;
}

struct Filter {
  double (*fn)(double);
  double support;
};

Filter filter_of(Resample filter) {
  switch (filter) {
    case Resample::Box: return {box_filter, 0.5};
    case Resample::Bilinear: return {bilinear_filter, 1.0};
    case Resample::Hamming: return {hamming_filter, 1.0};
    case Resample::Bicubic: return {bicubic_filter, 2.0};
    case Resample::Lanczos: return {lanczos_filter, 3.0};
    case Resample::Nearest: break;
  }
  throw Error("resize", "NEAREST has no convolution kernel");
}

// normalize_coeffs_8bpc: round half away from zero to 22-bit fixed point.
int32_t to_fixed_point(double w) {
  constexpr double one = static_cast<double>(1 << kResamplePrecisionBits);
  return w < 0 ? static_cast<int32_t>(-0.5 + w * one) : static_cast<int32_t>(0.5 + w * one);
}

}  // namespace

AxisCoefficients axis_coefficients(int64_t in_size, int64_t out_size, Resample filter) {
  if (in_size < 1 || out_size < 1) {
    throw Error("resize", "axis of " + std::to_string(in_size) + " -> " + std::to_string(out_size) + " samples");
  }
  const Filter f = filter_of(filter);
  // Pillow's box is float; (in1 - in0) is exact for any image size here.
  const double scale = static_cast<double>(static_cast<float>(in_size)) / static_cast<double>(out_size);
  // Downsampling stretches the filter over `scale` input samples; upsampling does not shrink it.
  const double filter_scale = scale < 1.0 ? 1.0 : scale;
  const double support = f.support * filter_scale;
  const int64_t taps = static_cast<int64_t>(std::ceil(support)) * 2 + 1;
  const double inv_filter_scale = 1.0 / filter_scale;

  AxisCoefficients c;
  c.taps = taps;
  c.first.resize(out_size);
  c.count.resize(out_size);
  c.weights.assign(static_cast<size_t>(out_size * taps), 0);
  std::vector<double> w(static_cast<size_t>(taps));
  for (int64_t o = 0; o < out_size; ++o) {
    const double center = (static_cast<double>(o) + 0.5) * scale;
    // (int) casts truncate toward zero, as in C.
    int32_t xmin = static_cast<int32_t>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int32_t xmax = static_cast<int32_t>(center + support + 0.5);
    if (xmax > in_size) xmax = static_cast<int32_t>(in_size);
    const int32_t n = xmax - xmin;
    double sum = 0.0;
    for (int32_t j = 0; j < n; ++j) {
      // Operation order as Pillow: ((j + xmin) - center + 0.5) * (1 / fs).
      w[j] = f.fn((static_cast<double>(j + xmin) - center + 0.5) * inv_filter_scale);
      sum += w[j];
    }
    int32_t* out = &c.weights[static_cast<size_t>(o * taps)];
    for (int32_t j = 0; j < n; ++j) {
      const double normalised = sum != 0.0 ? w[j] / sum : w[j];
      out[j] = to_fixed_point(normalised);
    }
    c.first[o] = xmin;
    c.count[o] = n;
  }
  return c;
}

}  // namespace smolvlm
