// The torchvision antialiased bicubic resize of transformers >= 4.52's video
// processor (vision/resize_bicubic_aa.h, SPEC §9.3 [HEAD]):
// - the int16 taps against values worked by hand from PyTorch's formulas;
// - whole resizes against a double-precision reference of the same filter
//   written independently here (float weights, no fixed point, one rounding
//   per pass): the fixed-point result may differ by one level per pass;
// - against real torchvision when tests/video/data/torchvision_bicubic_goldens.json
//   exists (made by make_torchvision_goldens.py with torch >= 2.1; this
//   session had no torch to run it, so the test says it skipped);
// - the frame processor's sizes and its fused normalisation.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "common/fixtures.h"
#include "common/sha256_hex.h"
#include "core/error.h"
#include "core/json_file.h"
#include "vision/frame_processor_torchvision.h"
#include "vision/resize_bicubic_aa.h"

namespace smolvlm {
namespace {

// The pattern make_torchvision_goldens.py builds, byte for byte.
Image pattern(int64_t width, int64_t height) {
  Image image{width, height, PixelMode::RGB, {}, {}, {}, 1};
  image.data.resize(static_cast<size_t>(width * height * 3));
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x)
      for (int64_t c = 0; c < 3; ++c)
        image.data[static_cast<size_t>((y * width + x) * 3 + c)] =
            static_cast<uint8_t>((x * 7 + y * 13 + c * 29 + (x * y) % 17 + ((x / 5 + y / 3) % 2) * 90) % 256);
  return image;
}

double cubic(double x) {  // Keys, a = -0.5, written out as the textbook gives it
  const double a = -0.5, t = std::fabs(x);
  if (t < 1) return (a + 2) * t * t * t - (a + 3) * t * t + 1;
  if (t < 2) return a * t * t * t - 5 * a * t * t + 8 * a * t - 4 * a;
  return 0;
}

// One axis in double: every input whose centre lies within the support of
// output i's centre, weights normalised, rounded once to the nearest level.
std::vector<uint8_t> reference_axis(const std::vector<uint8_t>& in, int64_t lines, int64_t n_in, int64_t n_out,
                                    int64_t stride_sample, int64_t stride_line) {
  const double scale = double(n_in) / double(n_out), stretch = std::max(scale, 1.0), support = 2 * stretch;
  std::vector<uint8_t> out(static_cast<size_t>(lines * n_out * 3));
  for (int64_t line = 0; line < lines; ++line)
    for (int64_t i = 0; i < n_out; ++i) {
      const double centre = (i + 0.5) * scale;
      const auto lo = std::max<int64_t>(0, int64_t(centre - support + 0.5));
      const auto hi = std::min<int64_t>(n_in, int64_t(centre + support + 0.5));
      for (int64_t c = 0; c < 3; ++c) {
        double sum = 0, total = 0;
        for (int64_t k = lo; k < hi; ++k) {
          const double w = cubic((k + 0.5 - centre) / stretch);
          total += w;
          sum += w * in[static_cast<size_t>(line * stride_line + k * stride_sample + c)];
        }
        const double v = std::round(sum / total);
        const int64_t at = stride_sample == 3 ? (line * n_out + i) * 3 + c : (i * lines + line) * 3 + c;
        out[static_cast<size_t>(at)] = static_cast<uint8_t>(std::clamp(v, 0.0, 255.0));
      }
    }
  return out;
}

int max_diff(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  EXPECT_EQ(a.size(), b.size());
  int worst = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) worst = std::max(worst, std::abs(int(a[i]) - int(b[i])));
  return worst;
}

TEST(BicubicAaTaps, UpscaleTwoToFourByHand) {
  // scale 0.5, support 2, 5 taps. Output 0: centre 0.25, inputs 0 and 1 at
  // distances 0.25 and 1.25: cubic(0.25) = 0.8671875, cubic(1.25) = -0.0703125,
  // normalised 1.0882353 and -0.0882353; the largest needs 14 bits.
  const BicubicAaTaps t = bicubic_aa_taps(2, 4);
  EXPECT_EQ(t.taps, 5);
  EXPECT_EQ(t.precision, 14);
  EXPECT_EQ(t.first[0], 0);
  EXPECT_EQ(t.count[0], 2);
  EXPECT_EQ(t.weights[0], 17830);   // round(1.0882353 * 16384)
  EXPECT_EQ(t.weights[1], -1446);   // round(-0.0882353 * 16384), away from zero
  EXPECT_EQ(t.weights[2], 0);
}

TEST(BicubicAaTaps, DownscaleByTwoWidensTheSupport) {
  // scale 2: support 4, ceil(4) * 2 + 1 = 9 taps. Output 2's centre 5.0 reads
  // inputs int(5 - 4 + .5) = 1 .. int(5 + 4 + .5) - 1 = 8, at distances
  // (k + .5 - 5) / 2 = -1.75 .. 1.75: symmetric weights summing to 1.
  const BicubicAaTaps t = bicubic_aa_taps(16, 8);
  EXPECT_EQ(t.taps, 9);
  EXPECT_EQ(t.first[2], 1);
  EXPECT_EQ(t.count[2], 8);
  const int16_t* w = &t.weights[2 * 9];
  EXPECT_EQ(w[0], w[7]);
  EXPECT_EQ(w[1], w[6]);
  EXPECT_EQ(w[3], w[4]);
  EXPECT_LT(w[0], 0);  // the cubic's negative lobe
  EXPECT_GT(w[3], w[2]);
  int sum = 0;
  for (int j = 0; j < 8; ++j) sum += w[j];
  EXPECT_NEAR(sum, 1 << t.precision, 4);
  // The first output's window (centre 1.0) is cut at the left edge; what is
  // left is renormalised.
  EXPECT_EQ(t.first[0], 0);
  EXPECT_EQ(t.count[0], 5);  // int(1 + 4 + .5) = 5
}

struct Case {
  int64_t w_in, h_in, w_out, h_out;
};

TEST(ResizeBicubicAa, EachAxisWithinOneLevelOfTheDoubleReference) {
  for (const Case& c : {Case{37, 23, 11, 23}, Case{64, 48, 160, 48}, Case{33, 29, 33, 7}, Case{20, 9, 20, 31},
                        Case{1280, 8, 512, 8}, Case{9, 720, 9, 288}}) {
    SCOPED_TRACE(std::to_string(c.w_in) + "x" + std::to_string(c.h_in) + " -> " + std::to_string(c.w_out) + "x" +
                 std::to_string(c.h_out));
    const Image in = pattern(c.w_in, c.h_in);
    const Image got = resize_bicubic_aa(in, c.w_out, c.h_out);
    ASSERT_EQ(got.width, c.w_out);
    ASSERT_EQ(got.height, c.h_out);
    const std::vector<uint8_t> want =
        c.w_out != c.w_in ? reference_axis(in.data, c.h_in, c.w_in, c.w_out, 3, c.w_in * 3)
                          : reference_axis(in.data, c.w_in, c.h_in, c.h_out, c.w_in * 3, 3);
    EXPECT_LE(max_diff(got.data, want), 1);
    size_t equal = 0;
    for (size_t i = 0; i < want.size(); ++i) equal += got.data[i] == want[i];
    EXPECT_GT(double(equal) / double(want.size()), 0.95);
  }
}

TEST(ResizeBicubicAa, SameSizeIsACopyAndBadSizesAreErrors) {
  const Image in = pattern(13, 7);
  EXPECT_EQ(resize_bicubic_aa(in, 13, 7).data, in.data);
  EXPECT_THROW(resize_bicubic_aa(in, 0, 7), Error);
  Image gray = in;
  gray.mode = PixelMode::Gray;
  EXPECT_THROW(resize_bicubic_aa(gray, 5, 5), Error);
}

// Real torchvision (F.resize, BICUBIC, antialias=True on uint8 CPU tensors),
// when the goldens have been generated.
TEST(ResizeBicubicAa, MatchesTorchvisionGoldens) {
  const std::string path = testing::source_dir() + "/tests/video/data/torchvision_bicubic_goldens.json";
  if (!std::filesystem::exists(path))
    GTEST_SKIP() << "no " << path << ": run tests/video/make_torchvision_goldens.py with torch >= 2.1";
  const Json goldens = read_json_file(path);
  for (const Json& g : goldens["cases"]) {
    const Image got = resize_bicubic_aa(pattern(g["in"][0], g["in"][1]), g["out"][0], g["out"][1]);
    EXPECT_EQ(testing::sha256_hex(got.data.data(), got.data.size()), g["sha256"].get<std::string>()) << g.dump();
  }
}

TEST(TorchvisionFrameProcessor, LongestEdgeThenSquareAndFusedNormalisation) {
  ImageProcessorConfig c;  // SmolVLM2-256M: video_size 512, tile 512
  c.longest_edge = 512;
  c.tile_size = 512;
  const Image frame = pattern(320, 180);
  const ProcessedImage p = preprocess_frame_torchvision(frame, c);
  EXPECT_EQ(p.tiles, 1);
  EXPECT_EQ(p.rows, 0);
  EXPECT_EQ(p.tile_size, 512);
  ASSERT_EQ(p.pixel_values.size(), 3u * 512 * 512);
  // 320x180 -> 512x288 (the even rule) -> 512x512, each with the bicubic resize.
  const Image want = resize_bicubic_aa(resize_bicubic_aa(frame, 512, 288), 512, 512);
  for (size_t px : {size_t{0}, size_t{1000}, size_t{512 * 300 + 17}, size_t{512 * 512 - 1}})
    for (size_t ch = 0; ch < 3; ++ch)
      EXPECT_EQ(p.pixel_values[ch * 512 * 512 + px], (float(want.data[px * 3 + ch]) - 127.5f) / 127.5f);
}

}  // namespace
}  // namespace smolvlm
