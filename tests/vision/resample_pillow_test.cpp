// resize(): Pillow's rules on small hand-checked inputs (the random
// comparison with Pillow itself is resample_oracle_test.cpp).
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "core/error.h"
#include "vision/resample.h"
#include "vision/resample_kernel.h"

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

Image noise(int64_t w, int64_t h, PixelMode mode) {
  std::vector<uint8_t> d(static_cast<size_t>(w * h * channels_of(mode)));
  uint32_t s = 12345;
  for (uint8_t& v : d) v = static_cast<uint8_t>((s = s * 1103515245u + 12345u) >> 24);
  return make(w, h, mode, d);
}

TEST(ResamplePillow, CodesAreWhatPreprocessorConfigStores) {
  EXPECT_EQ(resample_from_code(1), Resample::Lanczos);  // "resample": 1 is LANCZOS, not bilinear
  EXPECT_EQ(resample_from_code(0), Resample::Nearest);
  EXPECT_EQ(resample_from_code(2), Resample::Bilinear);
  EXPECT_EQ(resample_from_code(3), Resample::Bicubic);
  EXPECT_EQ(resample_name(Resample::Hamming), "HAMMING");
  EXPECT_THROW(resample_from_code(6), Error);
  EXPECT_THROW(resample_from_code(-1), Error);
}

TEST(ResamplePillow, SameSizeIsACopy) {
  const Image in = noise(7, 5, PixelMode::RGBA);
  const Image out = resize(in, 7, 5, Resample::Lanczos);
  EXPECT_EQ(out.data, in.data);  // no premultiply round trip, no filtering
}

TEST(ResamplePillow, AveragesRoundHalfUp) {
  // BILINEAR 2 -> 1: weights 0.5 / 0.5 = 2^21 each; (10 + 21) / 2 = 15.5 -> 16.
  const Image out = resize(make(2, 1, PixelMode::Gray, {10, 21}), 1, 1, Resample::Bilinear);
  EXPECT_EQ(out.data, std::vector<uint8_t>{16});
}

TEST(ResamplePillow, LanczosRingingIsClipped) {
  // A hard edge upscaled with LANCZOS rings below 0 and above 255 (clipped),
  // and the renormalised kernels at the borders lift the ends. Values from
  // Pillow 9.4's Image.resize.
  const Image out = resize(make(4, 1, PixelMode::Gray, {0, 0, 255, 255}), 16, 1, Resample::Lanczos);
  EXPECT_EQ(out.data, (std::vector<uint8_t>{12, 6, 0, 0, 0, 0, 23, 89, 166, 232, 255, 255, 255, 255, 249, 243}));
}

TEST(ResamplePillow, PaletteAndBilevelAreAlwaysNearest) {
  Image p = noise(9, 7, PixelMode::Palette);
  p.palette = {1, 2, 3, 4, 5, 6};
  const Image lanczos = resize(p, 20, 3, Resample::Lanczos);
  EXPECT_EQ(lanczos.data, resize(p, 20, 3, Resample::Nearest).data);
  EXPECT_EQ(lanczos.palette, p.palette);
  Image bits = make(3, 1, PixelMode::Bilevel, {0, 255, 0});
  EXPECT_EQ(resize(bits, 5, 1, Resample::Bicubic).data, resize(bits, 5, 1, Resample::Nearest).data);
}

TEST(ResamplePillow, NearestUsesHalfStepCentres) {
  // 3 -> 2: source x = (int)(0.75), (int)(0.75 + 1.5) = 0, 2.
  EXPECT_EQ(resize(make(3, 1, PixelMode::Gray, {10, 20, 30}), 2, 1, Resample::Nearest).data,
            (std::vector<uint8_t>{10, 30}));
  // 2 -> 5: 0.2, 0.6, 1.0, 1.4, 1.8 -> 0 0 1 1 1.
  EXPECT_EQ(resize(make(2, 1, PixelMode::Gray, {1, 2}), 5, 1, Resample::Nearest).data,
            (std::vector<uint8_t>{1, 1, 2, 2, 2}));
}

TEST(ResamplePillow, RgbaIsResizedPremultiplied) {
  // Opaque red beside transparent blue: premultiplied, the blue cannot bleed in.
  const Image in = make(2, 1, PixelMode::RGBA, {255, 0, 0, 255, 0, 0, 255, 0});
  EXPECT_EQ(resize(in, 1, 1, Resample::Bilinear).data, (std::vector<uint8_t>{255, 0, 0, 128}));
  // NEAREST never premultiplies.
  EXPECT_EQ(resize(in, 1, 1, Resample::Nearest).data, (std::vector<uint8_t>{0, 0, 255, 0}));
  // LA follows the same rule; un-premultiplying truncates: 255 * 100 / 128 = 199.
  const Image la = make(2, 1, PixelMode::GrayAlpha, {200, 255, 7, 0});
  EXPECT_EQ(resize(la, 1, 1, Resample::Bilinear).data, (std::vector<uint8_t>{199, 128}));
}

TEST(ResamplePillow, CoefficientsFollowPillow) {
  // Upscaling keeps the kernel's own support: LANCZOS 3 -> 7 taps.
  const AxisCoefficients up = axis_coefficients(700, 2048, Resample::Lanczos);
  EXPECT_EQ(up.taps, 7);
  // Downscaling by 4 stretches it: support 12 -> 25 taps.
  const AxisCoefficients down = axis_coefficients(2048, 512, Resample::Lanczos);
  EXPECT_EQ(down.taps, 25);
  for (size_t o = 0; o < down.first.size(); ++o) {
    const int32_t* w = &down.weights[o * down.taps];
    const int64_t sum = std::accumulate(w, w + down.count[o], int64_t{0});
    EXPECT_NEAR(sum, 1 << kResamplePrecisionBits, 16) << o;  // normalised, then rounded per weight
  }
  EXPECT_EQ(down.first.front(), 0);  // clamped at the edge
  EXPECT_EQ(down.first.back() + down.count.back(), 2048);
  EXPECT_THROW(axis_coefficients(4, 2, Resample::Nearest), Error);
}

TEST(ResamplePillow, OneAxisOnlyLeavesTheOtherAlone) {
  // A vertical-only resize of an image whose columns are constant keeps them
  // constant and keeps each column's value (no horizontal pass ran).
  std::vector<uint8_t> d;
  for (int y = 0; y < 6; ++y) {
    for (int x = 0; x < 5; ++x) d.push_back(static_cast<uint8_t>(x * 50));
  }
  const Image out = resize(make(5, 6, PixelMode::Gray, d), 5, 13, Resample::Lanczos);
  for (int64_t y = 0; y < 13; ++y) {
    for (int64_t x = 0; x < 5; ++x) EXPECT_EQ(out.data[y * 5 + x], x * 50);
  }
}

TEST(ResamplePillow, RejectsWhatPillowWouldNotGetHere) {
  EXPECT_THROW(resize(noise(4, 4, PixelMode::RGB), 0, 4, Resample::Bicubic), Error);
  Image g16 = make(2, 1, PixelMode::Gray16, {1, 0, 2, 0});
  EXPECT_THROW(resize(g16, 4, 1, Resample::Bilinear), Error);
  Image bad = noise(4, 4, PixelMode::RGB);
  bad.data.pop_back();
  EXPECT_THROW(resize(bad, 2, 2, Resample::Bilinear), Error);
}

}  // namespace
}  // namespace smolvlm
