// What the processor does with each input mode (SPEC §6.2, §6.6), including
// where it diverges from transformers 4.51.3, on inputs small enough to check
// by hand. The Pillow comparisons are processor_oracle_test.cpp.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "core/error.h"
#include "vision/convert_to_rgb.h"
#include "vision/image_processor.h"

namespace smolvlm {
namespace {

Image make(int64_t w, int64_t h, PixelMode mode, std::vector<uint8_t> data) {
  Image im;
  im.width = w;
  im.height = h;
  im.mode = mode;
  im.data = std::move(data);
  return im;
}

// Repeats one pixel's samples over a w x h image.
Image flat(int64_t w, int64_t h, PixelMode mode, const std::vector<uint8_t>& pixel) {
  std::vector<uint8_t> d;
  for (int64_t i = 0; i < w * h; ++i) d.insert(d.end(), pixel.begin(), pixel.end());
  return make(w, h, mode, d);
}

ImageProcessorConfig small_config() {
  ImageProcessorConfig c;
  c.longest_edge = 64;
  c.tile_size = 32;
  c.image_seq_len = 4;
  return c;
}

// §6.2 steps 7-8 for the default config.
float normalised(uint8_t u) {
  const float v = static_cast<float>(static_cast<double>(u) * (1.0 / 255.0));
  return (v - 0.5f) / 0.5f;
}

// Every value of every tile, per channel, equals `rgb` normalised.
void expect_flat(const ProcessedImage& p, std::array<uint8_t, 3> rgb) {
  const int64_t plane = p.tile_size * p.tile_size;
  for (int64_t t = 0; t < p.tiles; ++t) {
    for (int64_t c = 0; c < 3; ++c) {
      for (int64_t i = 0; i < plane; ++i) {
        ASSERT_EQ(p.pixel_values[(t * 3 + c) * plane + i], normalised(rgb[c])) << "tile " << t << " channel " << c;
      }
    }
  }
}

TEST(ProcessorModes, RescaleThenNormaliseInFloat32) {
  // 0 -> -1, 255 -> 1, 128 -> float(128 / 255) = 0.50196081 -> 0.0039216280.
  const ProcessedImage p = preprocess_image(flat(2, 2, PixelMode::RGB, {0, 128, 255}), small_config());
  EXPECT_EQ(p.pixel_values[0], -1.0f);
  const int64_t plane = 32 * 32;
  EXPECT_EQ(p.pixel_values[plane], normalised(128));
  EXPECT_EQ(p.pixel_values[2 * plane], 1.0f);
  EXPECT_EQ(p.tiles, 1 + 2 * 2);  // 2x2 -> 64x64 -> 2 x 2 tiles + global
}

TEST(ProcessorModes, OnePixelImageIsAnRgbPixel) {
  // Divergence: transformers reads a 1x1x3 array as channels-first (1 x 3, one
  // channel). Here it is one RGB pixel, up-scaled: 4 x 4 tiles + global.
  ImageProcessorConfig c = small_config();
  c.longest_edge = 128;
  const ProcessedImage p = preprocess_image(make(1, 1, PixelMode::RGB, {200, 100, 50}), c);
  EXPECT_EQ(p.rows, 4);
  EXPECT_EQ(p.cols, 4);
  EXPECT_EQ(p.tiles, 17);
  expect_flat(p, {200, 100, 50});
}

TEST(ProcessorModes, ImagesThreePixelsHighAreNotChannelsFirst) {
  const ProcessedImage p = preprocess_image(flat(40, 3, PixelMode::RGB, {9, 99, 199}), small_config());
  EXPECT_EQ(p.rows, 1);
  EXPECT_EQ(p.cols, 2);
  expect_flat(p, {9, 99, 199});
}

TEST(ProcessorModes, NoSplittingGivesOneSquareTile) {
  ImageProcessorConfig c = small_config();
  c.do_image_splitting = false;
  const ProcessedImage p = preprocess_image(flat(300, 20, PixelMode::RGB, {1, 2, 3}), c);
  EXPECT_EQ(p.tiles, 1);
  EXPECT_EQ(p.rows, 0);
  EXPECT_EQ(p.cols, 0);
  EXPECT_EQ(p.pixel_values.size(), 3u * 32 * 32);
}

TEST(ProcessorModes, TransparentPixelsBecomeWhite) {
  expect_flat(preprocess_image(flat(5, 5, PixelMode::RGBA, {10, 20, 30, 0}), small_config()), {255, 255, 255});
  expect_flat(preprocess_image(flat(5, 5, PixelMode::RGBA, {10, 20, 30, 255}), small_config()), {10, 20, 30});
}

TEST(ProcessorModes, GreyAlphaIsCompositedLikeRgba) {
  // Divergence: transformers 4.51.3 cannot infer a 2-channel format and raises.
  expect_flat(preprocess_image(flat(6, 4, PixelMode::GrayAlpha, {100, 255}), small_config()), {100, 100, 100});
  expect_flat(preprocess_image(flat(6, 4, PixelMode::GrayAlpha, {100, 0}), small_config()), {255, 255, 255});
}

TEST(ProcessorModes, Gray16IsClippedTo8Bits) {
  // Divergence: transformers 4.51.3 raises on values above 255; Pillow's
  // convert("RGB") clips them, as the load-image path does.
  const uint16_t big = 300, mid = 100;
  std::vector<uint8_t> d(4);
  std::memcpy(&d[0], &big, 2);
  std::memcpy(&d[2], &mid, 2);
  Image g = make(2, 1, PixelMode::Gray16, d);
  ImageProcessorConfig c = small_config();
  c.do_image_splitting = false;
  c.resample = Resample::Nearest;
  const ProcessedImage p = preprocess_image(g, c);
  EXPECT_EQ(p.pixel_values[0], normalised(255));  // left half: 300 -> 255
  EXPECT_EQ(p.pixel_values[31], normalised(100));
}

TEST(ProcessorModes, BilevelReadsAsZeroOrOne) {
  // Reproduced: np.array of a "1" image is bool, uint8 of it 0/1, and the tile
  // comes back as grey 0/1 (fixture proc_bw1bit_160x100_png_pilopen).
  expect_flat(preprocess_image(flat(4, 4, PixelMode::Bilevel, {255}), small_config()), {1, 1, 1});
}

TEST(ProcessorModes, CmykChannelsGoThroughTheRgbaPath) {
  // Reproduced: a 4-channel array becomes an "RGBA" PIL image; K = 0 reads as
  // fully transparent (fixture proc_cmyk_160x120_jpg_pilopen).
  expect_flat(preprocess_image(flat(4, 4, PixelMode::CMYK, {10, 20, 30, 0}), small_config()), {255, 255, 255});
}

TEST(ProcessorModes, PaletteIsAppliedAfterResizing) {
  Image p = flat(8, 8, PixelMode::Palette, {1});
  p.palette = {0, 0, 0, 40, 50, 60};
  p.palette_alpha = {255, 0};  // transparency is not applied (only the RGB palette is saved)
  expect_flat(preprocess_image(p, small_config()), {40, 50, 60});
  // Grey images are resized as palette indices too (NEAREST), then read as grey.
  expect_flat(preprocess_image(flat(8, 8, PixelMode::Gray, {77}), small_config()), {77, 77, 77});
}

TEST(ProcessorModes, ConvertToRgbFollowsPillow) {
  // alpha 255 is the identity for every value; alpha 0 is white.
  for (int v = 0; v < 256; ++v) {
    const Image out = convert_to_rgb(make(1, 1, PixelMode::RGBA, {static_cast<uint8_t>(v), 0, 0, 255}));
    ASSERT_EQ(out.data[0], v);
  }
  // Black at alpha 128 over white: 127 (Pillow's integer formula).
  EXPECT_EQ(convert_to_rgb(make(1, 1, PixelMode::RGBA, {0, 0, 0, 128})).data, (std::vector<uint8_t>{127, 127, 127}));
  // Indices past the palette show the grey ramp.
  Image p = make(2, 1, PixelMode::Palette, {0, 9});
  p.palette = {1, 2, 3};
  EXPECT_EQ(convert_to_rgb(p).data, (std::vector<uint8_t>{1, 2, 3, 9, 9, 9}));
  EXPECT_THROW(convert_to_rgb(make(1, 1, PixelMode::GrayAlpha, {1, 2})), Error);
}

TEST(ProcessorModes, MalformedImagesAreErrors) {
  EXPECT_THROW(preprocess_image(make(0, 0, PixelMode::RGB, {}), small_config()), Error);
  EXPECT_THROW(preprocess_image(make(2, 2, PixelMode::RGB, {1, 2, 3}), small_config()), Error);
}

}  // namespace
}  // namespace smolvlm
