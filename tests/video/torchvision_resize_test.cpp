// The torchvision antialiased bicubic resize of transformers >= 4.52's video
// processor (vision/resize_bicubic_aa.h, SPEC §9.3 [HEAD]):
// - the int16 taps against values worked by hand from PyTorch's formulas;
// - whole resizes against a double-precision reference of the same filter
//   written independently here (float weights, no fixed point, one rounding
//   per pass): the fixed-point result may differ by one level per pass;
// - against real torchvision's float path (torch 1.13, the one Debian 12
//   ships), within a level where the paths can agree;
// - exactly against real torchvision's native uint8 path when
//   tests/video/data/torchvision_bicubic_goldens.json exists (made by
//   make_torchvision_goldens.py with torch >= 2.1, not reachable here: the
//   test says it skipped);
// - the frame processor's sizes and its fused normalisation.
#include <gtest/gtest.h>

#include <algorithm>
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

// One pass in double over HWC samples, along the width or the height: every
// input whose centre lies within the support of output i's centre, weights
// normalised; with `round_clamp` rounded to the nearest level and clamped, as
// the uint8 kernels do after each pass.
struct Plane {
  int64_t width = 0, height = 0;
  std::vector<double> v;  // HWC
};

Plane reference_pass(const Plane& in, int64_t n_out, bool along_width, bool round_clamp) {
  const int64_t n_in = along_width ? in.width : in.height;
  const double scale = double(n_in) / double(n_out), stretch = std::max(scale, 1.0), support = 2 * stretch;
  Plane out{along_width ? n_out : in.width, along_width ? in.height : n_out, {}};
  out.v.resize(static_cast<size_t>(out.width * out.height * 3));
  for (int64_t y = 0; y < out.height; ++y)
    for (int64_t x = 0; x < out.width; ++x) {
      const int64_t i = along_width ? x : y;
      const double centre = (i + 0.5) * scale;
      const auto lo = std::max<int64_t>(0, int64_t(centre - support + 0.5));
      const auto hi = std::min<int64_t>(n_in, int64_t(centre + support + 0.5));
      for (int64_t c = 0; c < 3; ++c) {
        double sum = 0, total = 0;
        for (int64_t k = lo; k < hi; ++k) {
          const double w = cubic((k + 0.5 - centre) / stretch);
          total += w;
          sum += w * in.v[static_cast<size_t>(((along_width ? y : k) * in.width + (along_width ? k : x)) * 3 + c)];
        }
        const double r = sum / total;
        out.v[static_cast<size_t>((y * out.width + x) * 3 + c)] = round_clamp ? std::clamp(std::round(r), 0.0, 255.0) : r;
      }
    }
  return out;
}

// Width first, then height. `per_pass`: the uint8 path's rounding; otherwise
// the float path's: one rounding (half to even, as torch.round) and clamp at the end.
std::vector<uint8_t> reference_resize(const Image& in, int64_t width, int64_t height, bool per_pass,
                                      bool* intermediate_clamped = nullptr) {
  Plane p{in.width, in.height, std::vector<double>(in.data.begin(), in.data.end())};
  if (width != p.width) p = reference_pass(p, width, true, per_pass);
  if (intermediate_clamped != nullptr)
    *intermediate_clamped = height != p.height && std::any_of(p.v.begin(), p.v.end(), [](double v) {
                              return v < -0.5 || v > 255.5;
                            });
  if (height != p.height) p = reference_pass(p, height, false, per_pass);
  std::vector<uint8_t> out(p.v.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(std::clamp(std::nearbyint(p.v[i]), 0.0, 255.0));
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

TEST(ResizeBicubicAa, WithinALevelPerPassOfTheDoubleReference) {
  for (const Case& c : {Case{37, 23, 11, 23}, Case{64, 48, 160, 48}, Case{33, 29, 33, 7}, Case{20, 9, 20, 31},
                        Case{1280, 8, 512, 8}, Case{9, 720, 9, 288}, Case{320, 180, 512, 288},
                        Case{160, 120, 512, 384}, Case{31, 17, 13, 45}}) {
    SCOPED_TRACE(std::to_string(c.w_in) + "x" + std::to_string(c.h_in) + " -> " + std::to_string(c.w_out) + "x" +
                 std::to_string(c.h_out));
    const Image in = pattern(c.w_in, c.h_in);
    const Image got = resize_bicubic_aa(in, c.w_out, c.h_out);
    ASSERT_EQ(got.width, c.w_out);
    ASSERT_EQ(got.height, c.h_out);
    const std::vector<uint8_t> want = reference_resize(in, c.w_out, c.h_out, true);
    const bool two_passes = c.w_out != c.w_in && c.h_out != c.h_in;
    EXPECT_LE(max_diff(got.data, want), two_passes ? 2 : 1);  // a first-pass level can move the second's result
    size_t equal = 0;
    for (size_t i = 0; i < want.size(); ++i) equal += got.data[i] == want[i];
    EXPECT_GT(double(equal) / double(want.size()), 0.9);
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

// Real torchvision on the float path (torch < 2.1 casts uint8 frames to
// float32, resizes both axes and rounds once; GPUs do the same), made with
// Debian 12's torch 1.13.1 / torchvision 0.14.1 (every 61st byte of each
// result). The double reference of that path agrees within a level on every
// case: sizes, supports, centres, kernel and pass order are torchvision's.
// The fixed-point result agrees within a level too, except where the first
// pass overshoots [0, 255] (upscaling sharp edges): the uint8 path clamps
// there, the float path carries the overshoot into the second pass.
TEST(ResizeBicubicAa, AgreesWithTorchvisionsFloatPath) {
  const Json goldens = read_json_file(testing::source_dir() + "/tests/video/data/torchvision_bicubic_float_goldens.json");
  ASSERT_EQ(goldens["cases"].size(), 10u);
  size_t clamped_cases = 0;
  for (const Json& g : goldens["cases"]) {
    SCOPED_TRACE(g["in"].dump() + " -> " + g["out"].dump());
    const Image in = pattern(g["in"][0], g["in"][1]);
    const int64_t w = g["out"][0], h = g["out"][1];
    bool clamped = false;
    const std::vector<uint8_t> float_path = reference_resize(in, w, h, false, &clamped);
    const Image got = resize_bicubic_aa(in, w, h);
    const Json& want = g["every_61st_byte"];
    ASSERT_EQ(want.size(), (got.data.size() + 60) / 61);
    int reference_worst = 0, ours_worst = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      reference_worst = std::max(reference_worst, std::abs(int(float_path[i * 61]) - want[i].get<int>()));
      ours_worst = std::max(ours_worst, std::abs(int(got.data[i * 61]) - want[i].get<int>()));
    }
    EXPECT_LE(reference_worst, 1);
    if (clamped) {
      ++clamped_cases;
      continue;
    }
    EXPECT_LE(ours_worst, 1);
  }
  // Of the five cases that resize both axes, only 7x5 -> 3x2 stays in range
  // between the passes (the pattern's 90-level steps overshoot elsewhere).
  EXPECT_EQ(clamped_cases, 4u);
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
