// LoRA SFT against PyTorch autograd (fixtures/training/lora-sft*): the step
// loss, each micro-batch's loss and the gradient of all 28 LoRA tensors at
// adapter_init, with notebook and assistant-only masking, with and without
// gradient checkpointing.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"
#include "train/trainable_decoder.h"
#include "training_goldens.h"

namespace smolvlm::train {
namespace {

using namespace testing;

struct StepResult {
  double loss = 0;
  std::vector<double> micro_batch_losses;
};

// README "Loss reduction": micro-batches [0, 1] and [2, 3], each scaled by 1 / (N_mb · 2).
StepResult accumulate_step(TrainableDecoder& decoder, const std::vector<TrainingExample>& examples) {
  StepResult r;
  decoder.zero_gradients();
  for (int mb = 0; mb < 2; ++mb) {
    const std::span<const TrainingExample> batch(examples.data() + 2 * mb, 2);
    const int64_t N = count_label_tokens(batch);
    const LossSum s = decoder.accumulate_gradients(batch, 1.0 / (static_cast<double>(N) * 2));
    EXPECT_EQ(s.n_tokens, N);
    r.micro_batch_losses.push_back(s.loss_sum / s.n_tokens);
    r.loss += s.loss_sum / s.n_tokens / 2;
  }
  return r;
}

void expect_lora_golden(const std::string& golden_dir, const std::string& labels_key, bool checkpointing) {
  const Json golden = read_json_file(training_dir() + "/" + golden_dir + "/golden.json");
  const TensorStore grads = TensorStore::open_file(training_dir() + "/" + golden_dir + "/golden.safetensors");
  const std::vector<TrainingExample> examples = sft_examples(labels_key, false);
  LoraAdapter adapter = initial_adapter();
  LoadedModel& model = tiny_model();
  TrainableDecoder decoder(model.weights, model.config, adapter, {.gradient_checkpointing = checkpointing});
  const StepResult r = accumulate_step(decoder, examples);
  EXPECT_LT(relative_error(r.loss, golden["loss"].get<double>()), 1e-5) << r.loss;
  for (int mb = 0; mb < 2; ++mb)
    EXPECT_LT(relative_error(r.micro_batch_losses[mb], golden["micro_batch_loss_init"][mb].get<double>()), 1e-5);
  ASSERT_EQ(decoder.tensors().size(), 28u);
  double worst = 0;
  for (const TrainableTensor& t : decoder.tensors()) {
    const std::vector<float> want = golden_tensor(grads, "grad." + t.name);
    ASSERT_EQ(t.grad.size(), want.size()) << t.name;
    const double err = norm_relative_error(t.grad, want);
    EXPECT_LT(err, 1e-4) << t.name;
    worst = std::max(worst, err);
  }
  std::printf("[ %s%s ] loss %.7f (golden %.7f), worst grad norm-relative error %.2e\n", golden_dir.c_str(),
              checkpointing ? ", checkpointing" : "", r.loss, golden["loss"].get<double>(), worst);
}

TEST(LoraSftGradients, NotebookMaskingMatchesTorch) { expect_lora_golden("lora-sft", "labels_notebook", false); }

TEST(LoraSftGradients, AssistantOnlyMaskingWithCheckpointingMatchesTorch) {
  expect_lora_golden("lora-sft-assistant-only", "labels_assistant_only", true);
}

TEST(LoraSftGradients, PerExampleLossSumsMatchTorch) {
  const Json golden = read_json_file(training_dir() + "/lora-sft/golden.json");
  const std::vector<TrainingExample> examples = sft_examples("labels_notebook", false);
  LoraAdapter adapter = initial_adapter();
  LoadedModel& model = tiny_model();
  TrainableDecoder decoder(model.weights, model.config, adapter);
  for (size_t i = 0; i < examples.size(); ++i) {
    const LossSum s = decoder.evaluate(std::span(examples).subspan(i, 1));
    EXPECT_EQ(s.n_tokens, golden["per_example"][i]["n_label_tokens"].get<int64_t>());
    EXPECT_LT(relative_error(s.loss_sum, golden["per_example"][i]["loss_sum"].get<double>()), 1e-5) << i;
  }
}

// Checkpointing recomputes each layer from its input with the same kernels,
// so the gradients are the same bits as keeping every activation.
TEST(LoraSftGradients, CheckpointingGivesTheSameGradients) {
  const std::vector<TrainingExample>& examples = sft_examples("labels_notebook", false);
  const std::span<const TrainingExample> batch(examples.data() + 2, 2);
  LoadedModel& model = tiny_model();
  LoraAdapter adapter = initial_adapter();
  TrainableDecoder kept(model.weights, model.config, adapter);
  TrainableDecoder recomputed(model.weights, model.config, adapter, {.gradient_checkpointing = true});
  const LossSum a = kept.accumulate_gradients(batch, 0.01);
  const LossSum b = recomputed.accumulate_gradients(batch, 0.01);
  EXPECT_EQ(a.loss_sum, b.loss_sum);
  for (size_t i = 0; i < kept.tensors().size(); ++i)
    EXPECT_EQ(kept.tensors()[i].grad, recomputed.tensors()[i].grad) << kept.tensors()[i].name;
}

// The optimizer updates the adapter through the tensors' values, and the
// next forward reads them: a step along -grad lowers the loss.
TEST(LoraSftGradients, TensorValuesAreTheAdaptersAndAStepLowersTheLoss) {
  const std::vector<TrainingExample>& examples = sft_examples("labels_notebook", false);
  const std::span<const TrainingExample> batch(examples.data(), 2);
  LoadedModel& model = tiny_model();
  LoraAdapter adapter = initial_adapter();
  TrainableDecoder decoder(model.weights, model.config, adapter);
  EXPECT_EQ(decoder.tensors()[0].value.data(), adapter.modules[0].a.data());
  EXPECT_EQ(decoder.tensors()[1].value.data(), adapter.modules[0].b.data());
  const int64_t N = count_label_tokens(batch);
  const LossSum before = decoder.accumulate_gradients(batch, 1.0 / N);
  for (TrainableTensor& t : decoder.tensors())
    for (size_t i = 0; i < t.grad.size(); ++i) t.value[i] -= 0.01f * t.grad[i];
  const LossSum after = decoder.evaluate(batch);
  EXPECT_LT(after.loss_sum / N, before.loss_sum / N - 1e-3);
  // Without any target token there is no loss and no gradient.
  TrainingExample unlabeled = examples[1];
  std::fill(unlabeled.labels.begin(), unlabeled.labels.end(), kIgnoreLabel);
  decoder.zero_gradients();
  const LossSum none = decoder.accumulate_gradients(std::span(&unlabeled, 1), 1.0);
  EXPECT_EQ(none.n_tokens, 0);
  EXPECT_EQ(none.loss_sum, 0.0);
  for (const TrainableTensor& t : decoder.tensors())
    EXPECT_TRUE(std::all_of(t.grad.begin(), t.grad.end(), [](float g) { return g == 0.0f; })) << t.name;
}

TEST(LoraSftGradients, AdapterModulesThatDoNotFitAreRejected) {
  LoadedModel& model = tiny_model();
  LoraAdapter wrong_name = initial_adapter();
  wrong_name.modules[0].name = "model.vision_model.encoder.layers.0.self_attn.q_proj";
  EXPECT_THROW({ TrainableDecoder d(model.weights, model.config, wrong_name); }, Error);
  LoraAdapter wrong_shape = initial_adapter();
  wrong_shape.modules[1].in_features += 1;
  EXPECT_THROW({ TrainableDecoder d(model.weights, model.config, wrong_shape); }, Error);
}

}  // namespace
}  // namespace smolvlm::train
