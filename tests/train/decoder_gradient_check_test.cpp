// The whole decoder's backward against its own forward, without torch: on a
// random-weight model with tied embeddings (lm_head is embed_tokens, so the
// shared tensor gets both gradients), the derivative of the loss along the
// gradient found by central differences must equal |grad|².
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "common/fixtures.h"
#include "io/model_config.h"
#include "model/synthetic_checkpoint.h"
#include "train/trainable_decoder.h"

namespace smolvlm::train {
namespace {

TEST(DecoderGradientCheck, FullFineTuningOfATiedModelMatchesCentralDifferences) {
  smolvlm::testing::TempDir dir;
  write_synthetic_configs(dir.path(), "tiny-smolvlm");
  const ModelConfig config = load_model_config(dir.path());
  ASSERT_TRUE(config.text.tie_word_embeddings);
  const TensorStore store = make_synthetic_weights(config, 7);
  TrainableDecoder decoder(store, config, FullFineTuning{});
  for (const TrainableTensor& t : decoder.tensors()) EXPECT_NE(t.name, config.lm_head_name);

  std::mt19937 rng(3);
  std::uniform_int_distribution<int32_t> token(0, static_cast<int32_t>(config.text.vocab_size) - 1);
  TrainingExample e;
  for (int t = 0; t < 37; ++t) e.input_ids.push_back(token(rng));
  e.labels = e.input_ids;
  for (int t = 0; t < 10; ++t) e.labels[t] = kIgnoreLabel;  // a masked prompt
  decoder.accumulate_gradients(std::span(&e, 1), 1.0);

  double grad_sq = 0;
  std::vector<std::vector<float>> start;
  for (const TrainableTensor& t : decoder.tensors()) {
    for (float g : t.grad) grad_sq += static_cast<double>(g) * g;
    start.emplace_back(t.value.begin(), t.value.end());
  }
  ASSERT_GT(grad_sq, 0);
  auto loss_at = [&](double eps) {
    for (size_t i = 0; i < decoder.tensors().size(); ++i) {
      TrainableTensor& t = decoder.tensors()[i];
      for (size_t j = 0; j < t.value.size(); ++j) t.value[j] = start[i][j] + static_cast<float>(eps) * t.grad[j];
    }
    return decoder.evaluate(std::span(&e, 1)).loss_sum;
  };
  // A step that changes the summed loss by about 0.05: far above f32 noise, small for the curvature.
  const double eps = 0.05 / grad_sq;
  const double numeric = (loss_at(eps) - loss_at(-eps)) / (2 * eps);
  EXPECT_NEAR(numeric, grad_sq, 2e-3 * grad_sq);
  std::printf("[ gradient check ] d loss along grad: %.6g by differences, %.6g as |grad|^2\n", numeric, grad_sq);
}

}  // namespace
}  // namespace smolvlm::train
