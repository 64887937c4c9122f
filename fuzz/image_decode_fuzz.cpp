// libFuzzer target for image decoding: any bytes must give either an Image
// whose layout is consistent or a smolvlm::Error, never a crash, a hang, a
// sanitizer report or exit(); the load path's conversions run on every Image.
#include <cstdint>
#include <cstdlib>

#include "core/error.h"
#include "vision/image_convert.h"
#include "vision/image_decode.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void check_layout(const smolvlm::Image& image) {
  check(image.width > 0 && image.height > 0);
  check(image.data.size() == image.row_bytes() * static_cast<size_t>(image.height));
  check(image.palette.size() % 3 == 0 && image.palette.size() <= 768);
  check(image.palette_alpha.size() <= 256);
  check(image.exif_orientation >= 1 && image.exif_orientation <= 8);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Small enough that a declared size never makes the fuzzer run out of memory.
  const smolvlm::DecodeLimits limits{1 << 22};
  try {
    const smolvlm::Image image = smolvlm::decode_image({data, size}, "fuzz input", limits);
    check_layout(image);
    const smolvlm::Image upright = smolvlm::exif_transpose(image);
    check_layout(upright);
    for (smolvlm::PixelMode to : {smolvlm::PixelMode::RGB, smolvlm::PixelMode::RGBA, smolvlm::PixelMode::Gray}) {
      const smolvlm::Image converted = smolvlm::convert_image(upright, to);
      check(converted.data.size() == converted.row_bytes() * static_cast<size_t>(converted.height));
    }
  } catch (const smolvlm::Error&) {
  }
  return 0;
}
