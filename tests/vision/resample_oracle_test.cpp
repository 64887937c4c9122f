// resize() against Pillow 9.4's Image.resize: random sizes and modes (RGB,
// RGBA, L, P, LA, "1"), up and down, one axis only, same size, 1-pixel edges,
// every filter; byte-exact, no tolerance. The cases come from
// pil_resample_oracle.py (seeded, so a failure reproduces).
#include <gtest/gtest.h>

#include <string>

#include "common/fixtures.h"
#include "pil_oracle.h"
#include "vision/resample.h"

namespace smolvlm {
namespace {

constexpr int kCases = 240;
constexpr int kSeed = 20240951;

Resample filter_named(const std::string& name) {
  for (int64_t code = 0; code <= 5; ++code) {
    if (resample_name(resample_from_code(code)) == name) return resample_from_code(code);
  }
  throw std::runtime_error("unknown filter " + name);
}

TEST(ResampleOracle, MatchesPillowBitForBit) {
  const std::string why = testing::pillow_unavailable();
  if (!why.empty()) GTEST_SKIP() << why;
  testing::TempDir dir;
  ASSERT_TRUE(testing::run_oracle("resize-cases " + dir.path() + " " + std::to_string(kCases) + " " +
                                  std::to_string(kSeed)));
  const Json manifest = read_json_file(dir.file("manifest.json"));
  ASSERT_EQ(manifest.size(), static_cast<size_t>(kCases));
  int compared = 0;
  for (size_t i = 0; i < manifest.size(); ++i) {
    const Json& c = manifest[i];
    const Image in = testing::oracle_image(c, dir.file(c.at("input").get<std::string>()));
    const int64_t ow = c.at("out_width").get<int64_t>();
    const int64_t oh = c.at("out_height").get<int64_t>();
    for (const auto& [filter, file] : c.at("outputs").items()) {
      const Image got = resize(in, ow, oh, filter_named(filter));
      const std::vector<uint8_t> want = testing::read_bytes(dir.file(file.get<std::string>()));
      ++compared;
      ASSERT_EQ(got.data.size(), want.size()) << "case " << i;
      for (size_t k = 0; k < want.size(); ++k) {
        if (got.data[k] != want[k]) {
          const size_t ch = static_cast<size_t>(channels_of(in.mode));
          const size_t px = k / ch;
          FAIL() << "case " << i << " " << c.at("mode").get<std::string>() << " " << in.width << "x" << in.height
                 << " -> " << ow << "x" << oh << " " << filter << ": first difference at x " << px % ow << " y "
                 << px / ow << " channel " << k % ch << ": Pillow " << int{want[k]} << ", ours " << int{got.data[k]};
        }
      }
    }
  }
  EXPECT_EQ(compared, kCases * 6);
}

}  // namespace
}  // namespace smolvlm
