#include "vision/convert_to_rgb.h"

#include <string>

#include "core/error.h"

namespace smolvlm {
namespace {

// Pillow's AlphaComposite.c with the destination opaque white: 7 fraction
// bits in the coefficients and a divide-by-255 done with shifts.
uint8_t over_white(uint32_t c, uint32_t a) {
  constexpr uint32_t kBits = 7;
  const uint32_t blend = 255u * (255u - a);
  const uint32_t out_a255 = a * 255u + blend;
  const uint32_t coef1 = a * 255u * 255u * (1u << kBits) / out_a255;
  const uint32_t coef2 = 255u * (1u << kBits) - coef1;
  const uint32_t t = c * coef1 + 255u * coef2 + (0x80u << kBits);
  return static_cast<uint8_t>((((t >> 8) + t) >> 8) >> kBits);
}

Image rgb_like(const Image& tile) {
  Image out;
  out.width = tile.width;
  out.height = tile.height;
  out.mode = PixelMode::RGB;
  out.data.resize(static_cast<size_t>(tile.width * tile.height * 3));
  return out;
}

}  // namespace

Image convert_to_rgb(const Image& tile) {
  const size_t pixels = static_cast<size_t>(tile.width * tile.height);
  switch (tile.mode) {
    case PixelMode::RGB: {
      Image out = tile;
      out.palette.clear();
      out.palette_alpha.clear();
      return out;
    }
    case PixelMode::Palette: {
      Image out = rgb_like(tile);
      const size_t entries = tile.palette.size() / 3;
      for (size_t i = 0; i < pixels; ++i) {
        const uint8_t index = tile.data[i];
        for (size_t c = 0; c < 3; ++c) out.data[i * 3 + c] = index < entries ? tile.palette[index * 3 + c] : index;
      }
      return out;
    }
    case PixelMode::RGBA: {
      Image out = rgb_like(tile);
      for (size_t i = 0; i < pixels; ++i) {
        const uint8_t* px = &tile.data[i * 4];
        for (size_t c = 0; c < 3; ++c) out.data[i * 3 + c] = px[3] == 0 ? 255 : over_white(px[c], px[3]);
      }
      return out;
    }
    default:
      throw Error("convert_to_rgb", "unexpected tile mode " + std::string(pixel_mode_name(tile.mode)));
  }
}

}  // namespace smolvlm
