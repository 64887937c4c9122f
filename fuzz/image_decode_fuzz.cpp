// libFuzzer target for image decoding and the image processor: any bytes must
// give either an Image whose layout is consistent or a smolvlm::Error, never a
// crash, a hang, a sanitizer report or exit(); the load path's conversions and
// the processor (both loading semantics, small tiles so a run stays fast) run
// on every Image.
#include <cstdint>
#include <cstdlib>

#include "core/error.h"
#include "vision/image_convert.h"
#include "vision/image_decode.h"
#include "vision/image_processor.h"

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

// Real configs use 384/512-pixel tiles; 16-pixel tiles exercise the same
// resize, split and normalise code at a fraction of the cost.
void check_processor(const smolvlm::Image& image, uint8_t knobs) {
  smolvlm::ImageProcessorConfig config;
  config.tile_size = 16;
  config.longest_edge = 16 * (1 + knobs % 4);
  config.do_image_splitting = (knobs & 4) != 0;
  config.resample = static_cast<smolvlm::Resample>((knobs >> 3) % 6);
  const smolvlm::ProcessedImage out = smolvlm::preprocess_image(image, config);
  check(out.tiles >= 1 && out.tile_size == 16);
  check(out.pixel_values.size() == static_cast<size_t>(out.tiles * 3 * 16 * 16));
  check(out.tiles == (out.rows == 0 ? 1 : out.rows * out.cols + 1));
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
    const uint8_t knobs = size > 0 ? data[size - 1] : 0;
    check_processor(image, knobs);                                                   // pil-open
    check_processor(smolvlm::convert_image(upright, smolvlm::PixelMode::RGB), knobs);  // load-image
    for (smolvlm::PixelMode to : {smolvlm::PixelMode::RGB, smolvlm::PixelMode::RGBA, smolvlm::PixelMode::Gray}) {
      const smolvlm::Image converted = smolvlm::convert_image(upright, to);
      check(converted.data.size() == converted.row_bytes() * static_cast<size_t>(converted.height));
    }
  } catch (const smolvlm::Error&) {
  }
  return 0;
}
