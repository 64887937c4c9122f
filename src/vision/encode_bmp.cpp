#include "vision/encode_bmp.h"

#include "core/error.h"

namespace smolvlm {
namespace {

void put_le(std::vector<uint8_t>& out, size_t at, uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out[at + static_cast<size_t>(i)] = static_cast<uint8_t>(value >> (8 * i));
}

}  // namespace

std::vector<uint8_t> encode_bmp_rgb(const Image& image) {
  if (image.mode != PixelMode::RGB) throw Error("BMP", "only RGB images are written");
  if (image.width <= 0 || image.height <= 0 || image.width > 65535 || image.height > 65535)
    throw Error("BMP", "image size out of range");
  constexpr size_t kHeaders = 14 + 40;
  const auto width = static_cast<size_t>(image.width), height = static_cast<size_t>(image.height);
  const size_t stride = (width * 3 + 3) / 4 * 4;  // rows padded to 4 bytes
  std::vector<uint8_t> out(kHeaders + stride * height, 0);
  out[0] = 'B';
  out[1] = 'M';
  put_le(out, 2, static_cast<uint32_t>(out.size()), 4);
  put_le(out, 10, kHeaders, 4);     // pixel data offset
  put_le(out, 14, 40, 4);           // BITMAPINFOHEADER
  put_le(out, 18, static_cast<uint32_t>(width), 4);
  put_le(out, 22, static_cast<uint32_t>(height), 4);  // positive: bottom-up rows
  put_le(out, 26, 1, 2);            // planes
  put_le(out, 28, 24, 2);           // bits per pixel; compression 0 (BI_RGB)
  put_le(out, 34, static_cast<uint32_t>(stride * height), 4);
  for (size_t y = 0; y < height; ++y) {
    const uint8_t* src = image.data.data() + (height - 1 - y) * width * 3;
    uint8_t* dst = out.data() + kHeaders + y * stride;
    for (size_t x = 0; x < width; ++x) {  // BMP stores BGR
      dst[3 * x] = src[3 * x + 2];
      dst[3 * x + 1] = src[3 * x + 1];
      dst[3 * x + 2] = src[3 * x];
    }
  }
  return out;
}

}  // namespace smolvlm
