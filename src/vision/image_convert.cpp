#include "vision/image_convert.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/error.h"

namespace smolvlm {
namespace {

using Rgba = std::array<uint8_t, 4>;

// Pillow's MULDIV255: a * b / 255 rounded, in integers.
uint8_t muldiv255(int a, int b) {
  const int t = a * b + 128;
  return static_cast<uint8_t>(((t >> 8) + t) >> 8);
}

uint8_t clip8(int v) { return static_cast<uint8_t>(std::clamp(v, 0, 255)); }

// One pixel of any decoded mode as Pillow's "<mode> -> RGBA" conversion gives
// it (palette alpha included; the RGB and L targets ignore alpha).
class PixelReader {
 public:
  explicit PixelReader(const Image& image) : image_(image) {
    if (image.mode == PixelMode::Palette) {
      // Pillow's palette starts as the grey ramp, then the file's entries
      // and alphas overwrite its beginning.
      for (int i = 0; i < 256; ++i) lut_[i] = {uint8_t(i), uint8_t(i), uint8_t(i), 255};
      const size_t entries = std::min<size_t>(image.palette.size() / 3, 256);
      for (size_t i = 0; i < entries; ++i) std::copy_n(&image.palette[3 * i], 3, lut_[i].begin());
      const size_t alphas = std::min<size_t>(image.palette_alpha.size(), 256);
      for (size_t i = 0; i < alphas; ++i) lut_[i][3] = image.palette_alpha[i];
    }
  }

  Rgba operator()(size_t pixel) const {
    const uint8_t* p = image_.data.data() + pixel * channels_of(image_.mode) * image_.bytes_per_sample();
    switch (image_.mode) {
      case PixelMode::Bilevel: {
        const uint8_t v = p[0] != 0 ? 255 : 0;
        return {v, v, v, 255};
      }
      case PixelMode::Gray: return {p[0], p[0], p[0], 255};
      case PixelMode::GrayAlpha: return {p[0], p[0], p[0], p[1]};
      case PixelMode::Palette: return lut_[p[0]];
      case PixelMode::RGB: return {p[0], p[1], p[2], 255};
      case PixelMode::RGBA: return {p[0], p[1], p[2], p[3]};
      case PixelMode::CMYK: {
        const int nk = 255 - p[3];
        return {clip8(nk - muldiv255(p[0], nk)), clip8(nk - muldiv255(p[1], nk)), clip8(nk - muldiv255(p[2], nk)), 255};
      }
      case PixelMode::Gray16: {
        uint16_t v;
        std::memcpy(&v, p, sizeof v);
        const uint8_t g = v > 255 ? 255 : static_cast<uint8_t>(v);
        return {g, g, g, 255};
      }
    }
    return {0, 0, 0, 255};
  }

 private:
  const Image& image_;
  std::array<Rgba, 256> lut_{};
};

uint8_t luma(const Rgba& c) { return static_cast<uint8_t>((c[0] * 19595 + c[1] * 38470 + c[2] * 7471 + 0x8000) >> 16); }

}  // namespace

Image convert_image(const Image& image, PixelMode to) {
  if (to == image.mode) return image;
  if (to != PixelMode::Gray && to != PixelMode::RGB && to != PixelMode::RGBA) {
    throw Error("convert_image", "conversion from " + std::string(pixel_mode_name(image.mode)) + " to " +
                                     std::string(pixel_mode_name(to)) + " is not supported");
  }
  Image out;
  out.width = image.width;
  out.height = image.height;
  out.mode = to;
  out.exif_orientation = image.exif_orientation;
  const auto pixels = static_cast<size_t>(image.width * image.height);
  const auto channels = static_cast<size_t>(channels_of(to));
  out.data.resize(pixels * channels);
  const PixelReader read(image);
  uint8_t* dst = out.data.data();
  for (size_t i = 0; i < pixels; ++i, dst += channels) {
    const Rgba c = read(i);
    if (to == PixelMode::Gray) {
      dst[0] = luma(c);
    } else {
      std::copy_n(c.begin(), channels, dst);
    }
  }
  return out;
}

Image exif_transpose(const Image& image) {
  const int orientation = image.exif_orientation;
  Image out = image;
  out.exif_orientation = 1;
  if (orientation < 2 || orientation > 8) return out;
  const int64_t w = image.width, h = image.height;
  const bool swaps_axes = orientation >= 5;
  out.width = swaps_axes ? h : w;
  out.height = swaps_axes ? w : h;
  const size_t pixel_bytes = static_cast<size_t>(channels_of(image.mode)) * image.bytes_per_sample();
  for (int64_t y = 0; y < out.height; ++y) {
    for (int64_t x = 0; x < out.width; ++x) {
      int64_t sx = x, sy = y;  // the source pixel that lands at (x, y)
      switch (orientation) {
        case 2: sx = w - 1 - x; break;                  // FLIP_LEFT_RIGHT
        case 3: sx = w - 1 - x, sy = h - 1 - y; break;  // ROTATE_180
        case 4: sy = h - 1 - y; break;                  // FLIP_TOP_BOTTOM
        case 5: sx = y, sy = x; break;                  // TRANSPOSE
        case 6: sx = y, sy = h - 1 - x; break;          // ROTATE_270 (clockwise)
        case 7: sx = w - 1 - y, sy = h - 1 - x; break;  // TRANSVERSE
        case 8: sx = w - 1 - y, sy = x; break;          // ROTATE_90 (counter-clockwise)
      }
      std::memcpy(&out.data[static_cast<size_t>(y * out.width + x) * pixel_bytes],
                  &image.data[static_cast<size_t>(sy * w + sx) * pixel_bytes], pixel_bytes);
    }
  }
  return out;
}

Image load_image_rgb(const std::string& path, const DecodeLimits& limits) {
  Image image = decode_image_file(path, limits);
  if (image.exif_orientation != 1) image = exif_transpose(image);
  if (image.mode != PixelMode::RGB) image = convert_image(image, PixelMode::RGB);
  return image;
}

}  // namespace smolvlm
