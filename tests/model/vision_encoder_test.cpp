// VisionEncoder contract on a tiny random checkpoint: weight binding errors,
// sizes, per-tile independence, and padded-patch handling (SPEC §3.2-3.4).
#include "model/vision_encoder.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/error.h"
#include "synthetic_model.h"

namespace smolvlm::testing {
namespace {

// 18-px tiles of 4-px patches: a 4 x 4 grid with a 2-px remainder, shuffled by
// 2 into 4 tokens per tile. Text hidden 8 (tiny_model_config).
ModelConfig tiny_vision_config() {
  ModelConfig m = tiny_model_config();
  VisionConfig v;
  v.hidden_size = 8;
  v.intermediate_size = 12;
  v.num_layers = 2;
  v.num_heads = 2;
  v.image_size = 18;
  v.patch_size = 4;
  v.hidden_act = "gelu_pytorch_tanh";
  m.vision = v;
  m.scale_factor = 2;
  return m;
}

// Every vision and connector tensor of `m` (BF16, random).
std::vector<TensorToWrite> tiny_vision_tensors(const ModelConfig& m) {
  const VisionConfig& c = *m.vision;
  const int64_t D = c.hidden_size, I = c.intermediate_size, P = c.patch_size, N = c.image_size / P;
  RandomTensors random(5, 0.3f);
  auto add = [&](const std::string& name, std::vector<int64_t> shape, float offset = 0.0f) {
    random.add(name, std::move(shape), offset);
  };
  const std::string p = "model.vision_model.";
  add(p + "embeddings.patch_embedding.weight", {D, 3, P, P});
  add(p + "embeddings.patch_embedding.bias", {D});
  add(p + "embeddings.position_embedding.weight", {N * N, D});
  for (int64_t l = 0; l < c.num_layers; ++l) {
    const std::string lp = p + "encoder.layers." + std::to_string(l) + ".";
    for (const char* norm : {"layer_norm1", "layer_norm2"}) {
      add(lp + norm + ".weight", {D}, 1.0f);
      add(lp + norm + ".bias", {D});
    }
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      add(lp + "self_attn." + proj + ".weight", {D, D});
      add(lp + "self_attn." + proj + ".bias", {D});
    }
    add(lp + "mlp.fc1.weight", {I, D});
    add(lp + "mlp.fc1.bias", {I});
    add(lp + "mlp.fc2.weight", {D, I});
    add(lp + "mlp.fc2.bias", {D});
  }
  add(p + "post_layernorm.weight", {D}, 1.0f);
  add(p + "post_layernorm.bias", {D});
  const int64_t S = m.scale_factor;
  add("model.connector.modality_projection.proj.weight", {m.text.hidden_size, D * S * S});
  return std::move(random.tensors);
}

std::vector<float> random_tiles(int64_t n_tiles, int64_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n_tiles * 3 * size * size);
  for (float& x : v) x = dist(rng);
  return v;
}

class VisionEncoderTest : public ::testing::Test {
 protected:
  VisionEncoderTest() : config_(tiny_vision_config()), store_(write_store(dir_, tiny_vision_tensors(config_))) {}
  std::vector<float> encode(const VisionEncoder& e, const std::vector<float>& pixels, int64_t n_tiles,
                            const std::vector<uint8_t>& mask = {}) {
    std::vector<float> out(n_tiles * e.tokens_per_tile() * e.output_dim());
    e.encode(pixels, n_tiles, out, mask);
    return out;
  }
  TempDir dir_;
  ModelConfig config_;
  TensorStore store_;
};

TEST_F(VisionEncoderTest, Sizes) {
  const VisionEncoder e(store_, config_);
  EXPECT_EQ(e.tokens_per_tile(), 4);
  EXPECT_EQ(e.tile_size(), 18);
  EXPECT_EQ(e.output_dim(), 8);
}

TEST_F(VisionEncoderTest, WrongShapeNamesTheTensor) {
  TempDir dir;
  auto tensors = tiny_vision_tensors(config_);
  const std::string name = "model.vision_model.encoder.layers.1.self_attn.k_proj.weight";
  tensor_named(tensors, name).shape = {4, 16};  // same bytes, wrong shape
  const TensorStore store = write_store(dir, tensors);
  const std::string what = error_of([&] { VisionEncoder e(store, config_); });
  EXPECT_TRUE(contains(what, name) && contains(what, "shape")) << what;
}

TEST_F(VisionEncoderTest, ConnectorOfAnotherScaleFactorNamesTheTensor) {
  TempDir dir;
  auto tensors = tiny_vision_tensors(config_);
  const std::string name = "model.connector.modality_projection.proj.weight";
  tensor_named(tensors, name).shape = {16, 16};  // D * s² = 32 expected
  const TensorStore store = write_store(dir, tensors);
  const std::string what = error_of([&] { VisionEncoder e(store, config_); });
  EXPECT_TRUE(contains(what, name) && contains(what, "shape")) << what;
}

TEST_F(VisionEncoderTest, MissingTensorNamesIt) {
  TempDir dir;
  auto tensors = tiny_vision_tensors(config_);
  const std::string name = "model.vision_model.encoder.layers.0.mlp.fc2.bias";
  erase_tensor(tensors, name);
  const TensorStore store = write_store(dir, tensors);
  const std::string what = error_of([&] { VisionEncoder e(store, config_); });
  EXPECT_TRUE(contains(what, name) && contains(what, "missing")) << what;
}

TEST_F(VisionEncoderTest, UnsupportedDtypeNamesTheTensor) {
  TempDir dir;
  auto tensors = tiny_vision_tensors(config_);
  const std::string name = "model.vision_model.post_layernorm.bias";
  tensor_named(tensors, name) = tensor_from_i32(name, {8}, std::vector<int32_t>(8, 1));
  const TensorStore store = write_store(dir, tensors);
  const std::string what = error_of([&] { VisionEncoder e(store, config_); });
  EXPECT_TRUE(contains(what, name) && contains(what, "I32")) << what;
}

TEST_F(VisionEncoderTest, UnsupportedActivationNamesTheKey) {
  ModelConfig config = config_;
  config.vision->hidden_act = "gelu";
  const std::string what = error_of([&] { VisionEncoder e(store_, config); });
  EXPECT_TRUE(contains(what, "vision_config.hidden_act") && contains(what, "gelu")) << what;
}

TEST_F(VisionEncoderTest, TextOnlyConfigIsAnError) {
  ModelConfig config = config_;
  config.vision.reset();
  EXPECT_THROW({ VisionEncoder e(store_, config); }, Error);
}

TEST_F(VisionEncoderTest, WrongBufferSizesThrow) {
  const VisionEncoder e(store_, config_);
  const std::vector<float> pixels = random_tiles(2, 18, 1);
  std::vector<float> out(2 * 4 * 8);
  EXPECT_THROW(e.encode(pixels, 3, out), Error);
  std::vector<float> short_out(2 * 4 * 8 - 1);
  EXPECT_THROW(e.encode(pixels, 2, short_out), Error);
  EXPECT_THROW(e.encode(pixels, 2, out, std::vector<uint8_t>(18 * 18, 1)), Error);
}

TEST_F(VisionEncoderTest, TilesAreEncodedIndependently) {
  const VisionEncoder e(store_, config_);
  const std::vector<float> pixels = random_tiles(3, 18, 2);
  const std::vector<float> all = encode(e, pixels, 3);
  const int64_t TILE = 3 * 18 * 18, OUT = 4 * 8;
  for (int64_t t = 0; t < 3; ++t) {
    const std::vector<float> one(pixels.begin() + t * TILE, pixels.begin() + (t + 1) * TILE);
    const std::vector<float> alone = encode(e, one, 1);
    EXPECT_TRUE(std::equal(alone.begin(), alone.end(), all.begin() + t * OUT)) << "tile " << t;
  }
}

TEST_F(VisionEncoderTest, AllOnesPixelMaskIsNoMask) {
  const VisionEncoder e(store_, config_);
  const std::vector<float> pixels = random_tiles(2, 18, 3);
  EXPECT_EQ(encode(e, pixels, 2), encode(e, pixels, 2, std::vector<uint8_t>(2 * 18 * 18, 1)));
}

TEST_F(VisionEncoderTest, PaddedPatchesDoNotReachValidTokens) {
  // Real pixels in columns 0..7: patch columns 0-1 valid (n_h = 4, n_w = 2).
  // Output tokens 0 and 2 (coarse column J = 0) shuffle only valid patches, so
  // they must not depend on what the padded pixels hold.
  const VisionEncoder e(store_, config_);
  std::vector<uint8_t> mask(18 * 18, 0);
  for (int64_t y = 0; y < 18; ++y)
    for (int64_t x = 0; x < 8; ++x) mask[y * 18 + x] = 1;
  std::vector<float> pixels = random_tiles(1, 18, 4);
  const std::vector<float> before = encode(e, pixels, 1, mask);
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t y = 0; y < 18; ++y)
      for (int64_t x = 8; x < 18; ++x) pixels[(c * 18 + y) * 18 + x] = 0.0f;
  const std::vector<float> after = encode(e, pixels, 1, mask);
  const std::vector<float> unmasked = encode(e, pixels, 1);
  const int64_t H = 8;
  for (int64_t token : {0, 2}) {
    EXPECT_TRUE(std::equal(before.begin() + token * H, before.begin() + (token + 1) * H, after.begin() + token * H))
        << "token " << token;
    EXPECT_FALSE(std::equal(after.begin() + token * H, after.begin() + (token + 1) * H, unmasked.begin() + token * H))
        << "token " << token << ": the mask changed nothing";
  }
}

}  // namespace
}  // namespace smolvlm::testing
