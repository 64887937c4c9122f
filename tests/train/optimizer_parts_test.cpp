// The optimizer's parts on their own: transformers' schedules at known points,
// Trainer 4.51.3's decay groups by name, torch's clip rule, and the AdamW
// state's save/load round trip (a resumed run continues bit for bit).
#include <gtest/gtest.h>

#include <cmath>

#include "common/fixtures.h"
#include "core/error.h"
#include "train/adamw.h"
#include "train/grad_clip.h"
#include "train/lr_schedule.h"
#include "train/optimizer_params.h"
#include "train/weight_decay_groups.h"

namespace smolvlm::train {
namespace {

TEST(LrSchedule, ConstantIgnoresWarmup) {
  const LrSchedule s{LrScheduleKind::Constant, 1e-3, 10, 100};
  EXPECT_EQ(s.lr_at(0), 1e-3);
  EXPECT_EQ(s.lr_at(57), 1e-3);
}

TEST(LrSchedule, LinearWarmupThenDecayToZero) {
  const LrSchedule s{LrScheduleKind::Linear, 1.0, 10, 110};
  EXPECT_EQ(s.multiplier(0), 0.0);  // the first optimizer step runs at lr 0, as in transformers
  EXPECT_EQ(s.multiplier(5), 0.5);
  EXPECT_EQ(s.multiplier(10), 1.0);
  EXPECT_EQ(s.multiplier(60), 0.5);
  EXPECT_EQ(s.multiplier(110), 0.0);
  EXPECT_EQ(s.multiplier(200), 0.0);
}

TEST(LrSchedule, CosineHalfWayIsHalf) {
  const LrSchedule s{LrScheduleKind::Cosine, 2.0, 4, 104};
  EXPECT_EQ(s.multiplier(2), 0.5);
  EXPECT_EQ(s.multiplier(4), 1.0);
  EXPECT_NEAR(s.multiplier(54), 0.5, 1e-15);
  EXPECT_NEAR(s.multiplier(29), 0.5 * (1 + std::cos(M_PI * 0.25)), 1e-15);
  EXPECT_NEAR(s.lr_at(104), 0.0, 1e-15);
}

TEST(LrSchedule, ConstantWithWarmupAndParsing) {
  const LrSchedule s{parse_lr_schedule("constant_with_warmup"), 1.0, 4, 0};
  EXPECT_EQ(s.multiplier(1), 0.25);
  EXPECT_EQ(s.multiplier(9), 1.0);
  EXPECT_EQ(parse_lr_schedule("cosine"), LrScheduleKind::Cosine);
  EXPECT_THROW(parse_lr_schedule("polynomial"), Error);
}

TEST(LrSchedule, WarmupRatioRoundsUp) {
  EXPECT_EQ(resolve_warmup_steps(0, 0.1, 25), 3);
  EXPECT_EQ(resolve_warmup_steps(7, 0.1, 25), 7);
  EXPECT_EQ(resolve_warmup_steps(0, 0.0, 25), 0);
}

TEST(WeightDecayGroups, Transformers4513Names) {
  EXPECT_TRUE(is_weight_decayed("model.text_model.layers.0.self_attn.q_proj.weight"));
  EXPECT_TRUE(is_weight_decayed("model.text_model.norm.weight"));  // the 4.51.3 quirk
  EXPECT_TRUE(is_weight_decayed("lm_head.weight"));
  EXPECT_TRUE(is_weight_decayed("model.connector.modality_projection.proj.weight"));
  EXPECT_TRUE(is_weight_decayed("base_model.model.model.text_model.layers.1.mlp.down_proj.lora_B.weight"));
  EXPECT_FALSE(is_weight_decayed("model.text_model.layers.0.input_layernorm.weight"));
  EXPECT_FALSE(is_weight_decayed("model.text_model.layers.1.post_attention_layernorm.weight"));
  EXPECT_FALSE(is_weight_decayed("model.vision_model.encoder.layers.0.self_attn.q_proj.bias"));
  EXPECT_FALSE(is_weight_decayed("model.vision_model.encoder.layers.3.layer_norm1.weight"));  // nn.LayerNorm
  EXPECT_FALSE(is_weight_decayed("model.vision_model.post_layernorm.weight"));
  EXPECT_FALSE(is_weight_decayed("some.RMSNorm.weight"));  // names are compared lower-cased
}

TEST(GradClip, ScalesOnlyAboveTheMaximum) {
  std::vector<float> v1(2), v2(1), g1 = {3.0f, 0.0f}, g2 = {4.0f};
  const std::vector<ParamRef> params = {{"a", v1, g1}, {"b", v2, g2}};
  const GradClipResult r = clip_grad_norm(params, 1.0);
  EXPECT_EQ(r.total_norm, 5.0f);
  EXPECT_EQ(r.coef, 1.0f / (5.0f + 1e-6f));
  EXPECT_EQ(g1[0], 3.0f * r.coef);
  EXPECT_EQ(g2[0], 4.0f * r.coef);

  std::vector<float> g3 = {0.3f, 0.4f}, v3(2);
  const std::vector<ParamRef> small = {{"c", v3, g3}};
  EXPECT_EQ(clip_grad_norm(small, 1.0).coef, 1.0f);
  EXPECT_EQ(g3[0], 0.3f);
  EXPECT_EQ(clip_grad_norm(params, 0.0).coef, 1.0f);  // max_grad_norm <= 0: measured, not clipped
}

TEST(AdamW, FirstStepMovesEachElementByAboutLr) {
  std::vector<float> v = {1.0f, -1.0f}, g = {1e-3f, -5.0f};
  const std::vector<ParamRef> params = {{"p", v, g, false}};
  AdamW adamw(AdamWConfig{0.9, 0.999, 1e-8, 0.0});
  adamw.step(params, 0.01);
  // Step 1: m_hat / sqrt(v_hat) = sign(g), so p -= lr * sign(g) up to eps.
  EXPECT_NEAR(v[0], 1.0f - 0.01f, 1e-6);
  EXPECT_NEAR(v[1], -1.0f + 0.01f, 1e-6);
}

TEST(AdamW, StateRoundTripContinuesBitForBit) {
  const AdamWConfig config{0.9, 0.999, 1e-8, 0.01};
  std::vector<float> a = {0.5f, -0.25f, 2.0f}, b = {1.5f};
  std::vector<float> ga = {0.1f, -0.2f, 0.3f}, gb = {-0.7f};
  auto params = [&] { return std::vector<ParamRef>{{"a", a, ga}, {"b", b, gb, false}}; };

  AdamW straight(config);
  straight.step(params(), 1e-2);
  testing::TempDir dir;
  straight.save_state(dir.file("optimizer.safetensors"));
  const std::vector<float> a_after1 = a, b_after1 = b;
  straight.step(params(), 1e-2);
  const std::vector<float> a_straight = a, b_straight = b;

  a = a_after1;
  b = b_after1;
  AdamW resumed(config);
  resumed.load_state(dir.file("optimizer.safetensors"));
  EXPECT_EQ(resumed.step_count("a"), 1);
  resumed.step(params(), 1e-2);
  EXPECT_EQ(a, a_straight);
  EXPECT_EQ(b, b_straight);
  EXPECT_EQ(resumed.step_count("b"), 2);
}

TEST(AdamW, StateOfAnotherRunOrShapeIsRefused) {
  std::vector<float> a = {0.5f, -0.25f}, ga = {0.1f, -0.2f};
  AdamW adamw(AdamWConfig{0.9, 0.999, 1e-8, 0.01});
  adamw.step(std::vector<ParamRef>{{"a", a, ga}}, 1e-3);
  testing::TempDir dir;
  const std::string path = dir.file("optimizer.safetensors");
  adamw.save_state(path);

  AdamW other_decay(AdamWConfig{0.9, 0.999, 1e-8, 0.0});
  EXPECT_THROW(other_decay.load_state(path), Error);

  AdamW same(AdamWConfig{0.9, 0.999, 1e-8, 0.01});
  same.load_state(path);
  std::vector<float> bigger = {1, 2, 3}, g3 = {1, 1, 1};
  EXPECT_THROW(same.step(std::vector<ParamRef>{{"a", bigger, g3}}, 1e-3), Error);
  std::vector<float> short_grad = {1};
  EXPECT_THROW(same.step(std::vector<ParamRef>{{"a", a, short_grad}}, 1e-3), Error);
}

TEST(OptimizerParams, ViewTheTensorsInTheirDecayGroups) {
  std::vector<float> norm_values = {1, 2}, lora_values = {3, 4, 5};
  std::vector<TrainableTensor> tensors(2);
  tensors[0].name = "model.text_model.layers.0.input_layernorm.weight";
  tensors[0].value = norm_values;
  tensors[0].grad = {0.5f, 0.5f};
  tensors[1].name = "base_model.model.model.text_model.layers.0.self_attn.q_proj.lora_A.weight";
  tensors[1].value = lora_values;
  tensors[1].grad = {1, 1, 1};
  const std::vector<ParamRef> params = optimizer_params(tensors);
  ASSERT_EQ(params.size(), 2u);
  EXPECT_FALSE(params[0].decay);
  EXPECT_TRUE(params[1].decay);
  EXPECT_EQ(params[1].value.data(), lora_values.data());  // views, so the step updates the tensors
  EXPECT_EQ(params[1].grad.data(), tensors[1].grad.data());
  tensors[1].grad.pop_back();
  EXPECT_THROW(optimizer_params(tensors), Error);
}

}  // namespace
}  // namespace smolvlm::train
