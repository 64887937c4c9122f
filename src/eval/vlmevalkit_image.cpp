#include "eval/vlmevalkit_image.h"

#include "core/error.h"
#include "vision/encode_jpeg.h"
#include "vision/image_convert.h"
#include "vision/image_decode.h"

namespace smolvlm::eval {

std::vector<uint8_t> vlmevalkit_saved_jpeg(std::span<const uint8_t> encoded, const std::string& what) {
  Image image = decode_image(encoded, what);
  if (image.mode == PixelMode::RGBA || image.mode == PixelMode::Palette || image.mode == PixelMode::GrayAlpha)
    image = convert_image(image, PixelMode::RGB);
  try {
    return encode_jpeg_like_pillow(image);
  } catch (const Error& e) {
    throw Error(what, e.problem());
  }
}

}  // namespace smolvlm::eval
