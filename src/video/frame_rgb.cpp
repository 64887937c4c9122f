#include "video/frame_rgb.h"

#include <cstring>
#include <memory>

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
}

#include "core/error.h"

namespace smolvlm {
namespace {

struct AvFree {
  void operator()(uint8_t* p) const { av_free(p); }
};

// Copies the RGB24 rows of `src` (stride `stride`) into `image`, rotated
// clockwise by `rotation` degrees.
void copy_rotated(const uint8_t* src, size_t stride, int64_t w, int64_t h, int rotation, Image& image) {
  const bool swap = rotation == 90 || rotation == 270;
  image.width = swap ? h : w;
  image.height = swap ? w : h;
  image.mode = PixelMode::RGB;
  image.data.resize(static_cast<size_t>(w * h * 3));
  uint8_t* out = image.data.data();
  if (rotation == 0) {
    for (int64_t y = 0; y < h; ++y) std::memcpy(out + y * w * 3, src + y * stride, static_cast<size_t>(w * 3));
    return;
  }
  const int64_t ow = image.width;
  for (int64_t y = 0; y < h; ++y) {
    const uint8_t* row = src + y * stride;
    for (int64_t x = 0; x < w; ++x) {
      int64_t ox = x, oy = y;
      if (rotation == 90) ox = h - 1 - y, oy = x;
      else if (rotation == 180) ox = w - 1 - x, oy = h - 1 - y;
      else ox = y, oy = w - 1 - x;  // 270
      std::memcpy(out + (oy * ow + ox) * 3, row + x * 3, 3);
    }
  }
}

}  // namespace

Image RgbConverter::convert(const AVFrame& frame, int rotation, const std::string& what) {
  const int w = frame.width, h = frame.height;
  const auto format = static_cast<AVPixelFormat>(frame.format);
  sws_.reset(sws_getCachedContext(sws_.release(), w, h, format, w, h, AV_PIX_FMT_RGB24, SWS_BILINEAR, nullptr,
                                  nullptr, nullptr));
  if (!sws_) {
    const char* name = av_get_pix_fmt_name(format);
    throw Error(what, std::string("cannot convert pixel format ") + (name ? name : "unknown") + " to RGB");
  }
  // Rows as wide as swscale's x86 converter writes (8 pixels at a time).
  // PyAV allocates FFALIGN(w * 3, 16) bytes per row; where that is shorter,
  // FFmpeg 5.1 leaves the last 1-7 pixels of every row unconverted (PyAV then
  // hands over whatever memory held: a defect we do not reproduce). Every
  // converted pixel is the same either way.
  const int stride = FFALIGN(FFALIGN(w, 8) * 3, 16);
  const size_t bytes = static_cast<size_t>(stride) * static_cast<size_t>(h) + 64;
  std::unique_ptr<uint8_t, AvFree> buffer(static_cast<uint8_t*>(av_mallocz(bytes)));
  if (!buffer) throw std::bad_alloc();
  uint8_t* dst[4] = {buffer.get(), nullptr, nullptr, nullptr};
  const int dst_stride[4] = {stride, 0, 0, 0};
  const int rows = sws_scale(sws_.get(), frame.data, frame.linesize, 0, h, dst, dst_stride);
  if (rows != h) throw Error(what, "swscale converted " + std::to_string(rows) + " of " + std::to_string(h) + " rows");
  Image image;
  copy_rotated(buffer.get(), static_cast<size_t>(stride), w, h, rotation, image);
  return image;
}

}  // namespace smolvlm
