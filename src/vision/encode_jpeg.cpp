#include "vision/encode_jpeg.h"

#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE
#include <cstdlib>
#include <string>

#include <jpeglib.h>

#include "core/error.h"
#include "vision/jpeg_error.h"

namespace smolvlm {
namespace {

struct Layout {
  int components = 0;
  J_COLOR_SPACE space = JCS_UNKNOWN;
  bool invert = false;  // Pillow's "CMYK;I"
};

Layout layout_of(PixelMode mode) {
  switch (mode) {
    case PixelMode::Bilevel:  // Pillow's RAWMODE "1": "L" (samples are 0 or 255)
    case PixelMode::Gray: return {1, JCS_GRAYSCALE, false};
    case PixelMode::RGB: return {3, JCS_RGB, false};
    case PixelMode::CMYK: return {4, JCS_CMYK, true};
    default: break;
  }
  throw Error("JPEG", "cannot write mode " + std::string(pixel_mode_name(mode)) + " as JPEG");
}

// The libjpeg part, free of C++ objects with destructors (longjmp crosses it).
// Returns false with `err.message` set on a libjpeg error.
bool compress(const Image& image, const Layout& layout, const uint8_t* rows, unsigned char** out,
              unsigned long* out_size, detail::JpegErrorManager& err) {
  jpeg_compress_struct cinfo;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = detail::jpeg_error_exit;
  if (setjmp(err.jump)) {
    jpeg_destroy_compress(&cinfo);
    return false;
  }
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, out, out_size);
  cinfo.image_width = static_cast<JDIMENSION>(image.width);
  cinfo.image_height = static_cast<JDIMENSION>(image.height);
  cinfo.input_components = layout.components;
  cinfo.in_color_space = layout.space;
  jpeg_set_defaults(&cinfo);  // Pillow: no quality, subsampling, dpi, optimize or progressive given
  jpeg_start_compress(&cinfo, TRUE);
  const size_t row_bytes = image.row_bytes();
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(rows + cinfo.next_scanline * row_bytes);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  return true;
}

}  // namespace

std::vector<uint8_t> encode_jpeg_like_pillow(const Image& image) {
  const Layout layout = layout_of(image.mode);
  if (image.width <= 0 || image.height <= 0 || image.width > 65500 || image.height > 65500)
    throw Error("JPEG", "cannot write a " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                            " image (JPEG sides are 1..65500)");
  std::vector<uint8_t> inverted;
  const uint8_t* rows = image.data.data();
  if (layout.invert) {
    inverted.resize(image.data.size());
    for (size_t i = 0; i < inverted.size(); ++i) inverted[i] = static_cast<uint8_t>(255 - image.data[i]);
    rows = inverted.data();
  }
  unsigned char* out = nullptr;
  unsigned long out_size = 0;
  detail::JpegErrorManager err;
  const bool ok = compress(image, layout, rows, &out, &out_size, err);
  std::vector<uint8_t> bytes;
  if (ok) bytes.assign(out, out + out_size);
  std::free(out);  // jpeg_mem_dest's buffer (malloc'ed by libjpeg)
  if (!ok) throw Error("JPEG", std::string("encoding failed: ") + err.message);
  return bytes;
}

}  // namespace smolvlm
