// The whole image processor against SPEC §6.3-§6.6 written independently in
// Python with Pillow resizes (pil_resample_oracle.py, no transformers): random
// sizes (including 1-4 pixel sides), modes (RGB RGBA L P LA 1 CMYK I;16) and
// configs (tile sizes, longest edges, filters, splitting on/off, resize off,
// rescale/normalise on/off, per-channel mean/std). Tiles, rows/cols and every
// float exact.
#include <gtest/gtest.h>

#include <string>

#include "common/fixtures.h"
#include "pil_oracle.h"
#include "vision/image_processor.h"

namespace smolvlm {
namespace {

constexpr int kCases = 220;
constexpr int kSeed = 4513;

TEST(ProcessorOracle, MatchesSpecRulesRunByPillow) {
  const std::string why = testing::pillow_unavailable();
  if (!why.empty()) GTEST_SKIP() << why;
  testing::TempDir dir;
  ASSERT_TRUE(testing::run_oracle("processor-cases " + dir.path() + " " + std::to_string(kCases) + " " +
                                  std::to_string(kSeed)));
  const Json manifest = read_json_file(dir.file("manifest.json"));
  ASSERT_EQ(manifest.size(), static_cast<size_t>(kCases));
  for (size_t i = 0; i < manifest.size(); ++i) {
    const Json& c = manifest[i];
    const Image in = testing::oracle_image(c, dir.file(c.at("input").get<std::string>()));
    SCOPED_TRACE("case " + std::to_string(i) + ": " + c.at("mode").get<std::string>() + " " +
                 std::to_string(in.width) + "x" + std::to_string(in.height) + " config " + c.at("config").dump());
    const ProcessedImage got = preprocess_image(in, testing::config_from_oracle(c.at("config")));
    EXPECT_EQ(got.rows, c.at("rows").get<int64_t>());
    EXPECT_EQ(got.cols, c.at("cols").get<int64_t>());
    ASSERT_EQ(got.tiles, c.at("tiles").get<int64_t>());
    testing::expect_matches_oracle_tiles(got, testing::read_bytes(dir.file(c.at("expected_tiles").get<std::string>())),
                                         c.at("float_table"));
    if (::testing::Test::HasFailure()) return;  // the first failing case says enough
  }
}

}  // namespace
}  // namespace smolvlm
