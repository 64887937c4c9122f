#include "vision/resample.h"

#include <string>
#include <vector>

#include "core/error.h"
#include "vision/resample_kernel.h"

namespace smolvlm {
namespace {

using Samples = std::vector<uint8_t>;

// Pillow's clip8: the accumulator carries 22 fraction bits and may be negative.
uint8_t clip8(int32_t acc) {
  const int32_t v = acc >> kResamplePrecisionBits;  // arithmetic shift
  return v < 0 ? 0 : (v > 255 ? 255 : static_cast<uint8_t>(v));
}

constexpr int32_t kRoundingBias = 1 << (kResamplePrecisionBits - 1);

// Horizontal pass over source rows [row_begin, row_end): width in_w -> out.
Samples horizontal_pass(const Samples& in, int64_t in_w, int64_t channels, int64_t row_begin, int64_t row_end,
                        const AxisCoefficients& k) {
  const int64_t out_w = static_cast<int64_t>(k.first.size());
  Samples out(static_cast<size_t>((row_end - row_begin) * out_w * channels));
  uint8_t* dst = out.data();
  for (int64_t y = row_begin; y < row_end; ++y) {
    const uint8_t* row = in.data() + y * in_w * channels;
    for (int64_t x = 0; x < out_w; ++x) {
      const int32_t* w = &k.weights[static_cast<size_t>(x * k.taps)];
      const uint8_t* src = row + static_cast<int64_t>(k.first[x]) * channels;
      const int32_t n = k.count[x];
      for (int64_t c = 0; c < channels; ++c) {
        int32_t acc = kRoundingBias;
        for (int32_t j = 0; j < n; ++j) acc += static_cast<int32_t>(src[j * channels + c]) * w[j];
        *dst++ = clip8(acc);
      }
    }
  }
  return out;
}

// Vertical pass: `in` holds rows starting at source row `row_offset`.
Samples vertical_pass(const Samples& in, int64_t row_samples, int64_t row_offset, const AxisCoefficients& k) {
  const int64_t out_h = static_cast<int64_t>(k.first.size());
  Samples out(static_cast<size_t>(out_h * row_samples));
  std::vector<int32_t> acc(static_cast<size_t>(row_samples));
  for (int64_t y = 0; y < out_h; ++y) {
    acc.assign(acc.size(), kRoundingBias);
    const int32_t* w = &k.weights[static_cast<size_t>(y * k.taps)];
    for (int32_t j = 0; j < k.count[y]; ++j) {
      const uint8_t* src = in.data() + (k.first[y] + j - row_offset) * row_samples;
      const int32_t wj = w[j];
      for (int64_t i = 0; i < row_samples; ++i) acc[i] += static_cast<int32_t>(src[i]) * wj;
    }
    uint8_t* dst = out.data() + y * row_samples;
    for (int64_t i = 0; i < row_samples; ++i) dst[i] = clip8(acc[i]);
  }
  return out;
}

// ImagingResampleInner: coefficients for both axes first, the horizontal pass
// only over the source rows the vertical pass will read, uint8 in between.
Samples convolve(const Samples& in, int64_t in_w, int64_t in_h, int64_t channels, int64_t out_w, int64_t out_h,
                 Resample filter) {
  const bool need_horizontal = out_w != in_w;
  const bool need_vertical = out_h != in_h;
  const AxisCoefficients vert = axis_coefficients(in_h, out_h, filter);
  int64_t row_begin = 0;
  int64_t row_end = in_h;
  if (need_vertical) {
    row_begin = vert.first.front();
    row_end = static_cast<int64_t>(vert.first.back()) + vert.count.back();
  }
  Samples cur;
  const Samples* src = &in;
  int64_t row_offset = 0;
  if (need_horizontal) {
    cur = horizontal_pass(in, in_w, channels, row_begin, row_end, axis_coefficients(in_w, out_w, filter));
    src = &cur;
    row_offset = row_begin;
  }
  if (need_vertical) return vertical_pass(*src, out_w * channels, row_offset, vert);
  return *src;
}

// ImagingScaleAffine: source coordinates accumulate in double from half a step
// in, truncated toward zero; a coordinate outside the source leaves 0 (fill).
Samples nearest(const Samples& in, int64_t in_w, int64_t in_h, int64_t channels, int64_t out_w, int64_t out_h) {
  const double step_x = static_cast<double>(static_cast<float>(in_w)) / static_cast<double>(out_w);
  const double step_y = static_cast<double>(static_cast<float>(in_h)) / static_cast<double>(out_h);
  auto coord = [](double v) { return v < 0.0 ? int64_t{-1} : static_cast<int64_t>(static_cast<int32_t>(v)); };
  std::vector<int64_t> src_x(static_cast<size_t>(out_w));
  double xo = step_x * 0.5;
  for (int64_t x = 0; x < out_w; ++x) {
    const int64_t xi = coord(xo);
    src_x[x] = (xi >= 0 && xi < in_w) ? xi : -1;
    xo += step_x;
  }
  Samples out(static_cast<size_t>(out_w * out_h * channels), 0);
  double yo = step_y * 0.5;
  for (int64_t y = 0; y < out_h; ++y) {
    const int64_t yi = coord(yo);
    yo += step_y;
    if (yi < 0 || yi >= in_h) continue;
    const uint8_t* row = in.data() + yi * in_w * channels;
    uint8_t* dst = out.data() + y * out_w * channels;
    for (int64_t x = 0; x < out_w; ++x) {
      if (src_x[x] < 0) continue;
      for (int64_t c = 0; c < channels; ++c) dst[x * channels + c] = row[src_x[x] * channels + c];
    }
  }
  return out;
}

// MULDIV255 of Pillow's Convert.c: round(c * a / 255) in integers.
uint8_t mul_div_255(uint32_t c, uint32_t a) {
  const uint32_t t = c * a + 128;
  return static_cast<uint8_t>(((t >> 8) + t) >> 8);
}

// RGBA -> RGBa (or LA -> La): colour channels times alpha/255; alpha is last.
void premultiply(Samples& px, int64_t channels) {
  for (size_t i = 0; i < px.size(); i += channels) {
    const uint32_t a = px[i + channels - 1];
    for (int64_t c = 0; c + 1 < channels; ++c) px[i + c] = mul_div_255(px[i + c], a);
  }
}

// RGBa -> RGBA: integer division, clipped; alpha 0 and 255 keep the colour.
void unpremultiply(Samples& px, int64_t channels) {
  for (size_t i = 0; i < px.size(); i += channels) {
    const uint32_t a = px[i + channels - 1];
    if (a == 0 || a == 255) continue;
    for (int64_t c = 0; c + 1 < channels; ++c) {
      const uint32_t v = (255u * px[i + c]) / a;
      px[i + c] = static_cast<uint8_t>(v > 255 ? 255 : v);
    }
  }
}

}  // namespace

Resample resample_from_code(int64_t code) {
  if (code < 0 || code > 5) throw Error("resample", "unknown Pillow resampling code " + std::to_string(code));
  return static_cast<Resample>(code);
}

std::string_view resample_name(Resample filter) {
  switch (filter) {
    case Resample::Nearest: return "NEAREST";
    case Resample::Lanczos: return "LANCZOS";
    case Resample::Bilinear: return "BILINEAR";
    case Resample::Bicubic: return "BICUBIC";
    case Resample::Box: return "BOX";
    case Resample::Hamming: return "HAMMING";
  }
  return "?";
}

Image resize(const Image& in, int64_t out_w, int64_t out_h, Resample filter) {
  if (out_w < 1 || out_h < 1 || in.width < 1 || in.height < 1) {
    throw Error("resize", std::to_string(in.width) + "x" + std::to_string(in.height) + " -> " +
                              std::to_string(out_w) + "x" + std::to_string(out_h) + ": sizes must be at least 1");
  }
  if (in.mode == PixelMode::Gray16) throw Error("resize", "16-bit images are not resized; convert to 8 bits first");
  const int64_t channels = channels_of(in.mode);
  if (in.data.size() != static_cast<size_t>(in.width * in.height * channels)) {
    throw Error("resize", "image data does not match its size and mode");
  }
  if (out_w == in.width && out_h == in.height) return in;  // Pillow returns a copy
  Image out;
  out.width = out_w;
  out.height = out_h;
  out.mode = in.mode;
  out.palette = in.palette;
  out.palette_alpha = in.palette_alpha;
  out.exif_orientation = in.exif_orientation;
  // An index or a bit cannot be averaged: Pillow forces NEAREST for "P" and "1".
  if (in.mode == PixelMode::Palette || in.mode == PixelMode::Bilevel) filter = Resample::Nearest;
  if (filter == Resample::Nearest) {
    out.data = nearest(in.data, in.width, in.height, channels, out_w, out_h);
    return out;
  }
  const bool has_alpha = in.mode == PixelMode::RGBA || in.mode == PixelMode::GrayAlpha;
  if (!has_alpha) {
    out.data = convolve(in.data, in.width, in.height, channels, out_w, out_h, filter);
    return out;
  }
  // Resizing straight alpha would bleed the colour of transparent pixels into
  // their neighbours; Pillow resizes premultiplied colour instead (SPEC §6.9).
  Samples px = in.data;
  premultiply(px, channels);
  out.data = convolve(px, in.width, in.height, channels, out_w, out_h, filter);
  unpremultiply(out.data, channels);
  return out;
}

}  // namespace smolvlm
