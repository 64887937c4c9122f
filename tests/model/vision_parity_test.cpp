// Parity of the vision tower + connector with transformers 4.51.3 (f32) on
// every fixture case whose golden.safetensors stores the processor's pixels:
// image_hidden_states within 1e-4 max abs (fixtures README, "Tolerances").
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "model/vision_encoder.h"
#include "model_test_util.h"

namespace smolvlm::testing {
namespace {

namespace fs = std::filesystem;

constexpr float kTolerance = 1e-4f;  // max abs, f32 exact mode

// Golden tensors that hold the pixels of the first tiles, in the order tried.
constexpr const char* kPixelKeys[] = {"pixel_values", "pixel_values_u8", "pixel_values_u8_frame0"};

struct VisionCase {
  std::string model;       // folder under models/
  std::string name;        // folder under cases/<model>/
  std::string pixels_key;  // one of kPixelKeys
  std::string dir() const { return fixtures_dir() + "/cases/" + model + "/" + name; }
  std::string model_dir() const { return fixtures_dir() + "/models/" + model; }
};

std::vector<VisionCase> vision_cases() {
  std::vector<VisionCase> cases;
  const fs::path root = fs::path(fixtures_dir()) / "cases";
  if (!fs::is_directory(root)) return cases;
  for (const auto& model : fs::directory_iterator(root))
    for (const auto& c : fs::directory_iterator(model.path())) {
      const fs::path golden = c.path() / "golden.safetensors";
      if (!fs::exists(golden)) continue;
      const TensorStore store = TensorStore::open_file(golden.string());
      if (!store.contains("image_hidden_states")) continue;
      for (const char* key : kPixelKeys)
        if (store.contains(key)) {
          cases.push_back({model.path().filename().string(), c.path().filename().string(), key});
          break;
        }
    }
  std::sort(cases.begin(), cases.end(), [](const VisionCase& a, const VisionCase& b) {
    return std::tie(a.model, a.name) < std::tie(b.model, b.name);
  });
  return cases;
}

std::string case_label(const ::testing::TestParamInfo<VisionCase>& info) {
  std::string s = info.param.model + "__" + info.param.name;
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

// The encoder's input: F32 pixel_values as stored, or the processor's u8
// values (before rescale) rescaled and normalised as SPEC §6.2 does it:
// v = float32(u8 * 0.00392156862745098 in double), then (v - 0.5) / 0.5.
std::vector<float> encoder_pixels(const TensorView& t) {
  if (t.dtype != DType::U8) return to_f32(t);
  std::vector<float> out(static_cast<size_t>(t.numel()));
  for (size_t i = 0; i < out.size(); ++i) {
    const float v = static_cast<float>(static_cast<double>(t.data[i]) * 0.00392156862745098);
    out[i] = (v - 0.5f) / 0.5f;
  }
  return out;
}

class VisionParity : public ::testing::TestWithParam<VisionCase> {};

TEST_P(VisionParity, ImageHiddenStates) {
  const VisionCase& c = GetParam();
  const TensorStore weights = TensorStore::open_dir(c.model_dir());
  const ModelConfig config = load_model_config(c.model_dir());
  const VisionEncoder encoder(weights, config);
  const TensorStore golden = TensorStore::open_file(c.dir() + "/golden.safetensors");

  const int64_t S = encoder.tile_size(), TILE = 3 * S * S;
  const std::vector<float> pixels = encoder_pixels(golden.get(c.pixels_key));
  ASSERT_EQ(pixels.size() % TILE, 0u) << c.pixels_key << " is not a whole number of " << S << "-px tiles";
  const int64_t n_tiles = static_cast<int64_t>(pixels.size()) / TILE;
  const int64_t TOKENS = encoder.tokens_per_tile(), H = encoder.output_dim();
  const TensorView& want_view = golden.get("image_hidden_states");
  ASSERT_GE(want_view.dim(0), n_tiles);
  ASSERT_EQ(want_view.shape, (std::vector<int64_t>{want_view.dim(0), TOKENS, H}));
  const std::vector<float> want = to_f32(want_view);

  std::vector<float> got(n_tiles * TOKENS * H);
  encoder.encode(pixels, n_tiles, got);
  const float worst = max_abs_diff(got, std::span(want).first(got.size()));
  std::cout << "[parity] " << c.model << "/" << c.name << ": image_hidden_states max abs error " << worst << " ("
            << n_tiles << " tile(s) from " << c.pixels_key << ")\n";
  RecordProperty("image_hidden_states_max_abs_error", std::to_string(worst));
  EXPECT_LE(worst, kTolerance);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, VisionParity, ::testing::ValuesIn(vision_cases()), case_label);

TEST(VisionParityCases, EveryModelHasACase) {
  // Guards against a fixtures path that silently yields no parity cases:
  // 256M (u8, 512 px), the 2.2B-style model (f32, 384 px, head dim 72), SmolVLM2 (video frame 0).
  EXPECT_GE(vision_cases().size(), 3u) << "fixtures: " << fixtures_dir();
}

}  // namespace
}  // namespace smolvlm::testing
