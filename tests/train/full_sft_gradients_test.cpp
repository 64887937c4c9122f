// Full fine-tuning against PyTorch autograd (fixtures/training/full-sft):
// every text tensor, lm_head and the connector train. The step loss and
// micro-batch losses, the gradients the golden stores (a projection, the
// final norm, the embedding's rows) and the L2 norm of every tensor's gradient.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "core/error.h"
#include "train/trainable_decoder.h"
#include "training_goldens.h"

namespace smolvlm::train {
namespace {

using namespace testing;

class FullSftGradients : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    LoadedModel& model = tiny_model();
    decoder_ = new TrainableDecoder(model.weights, model.config, FullFineTuning{}, {.gradient_checkpointing = true});
    const std::vector<TrainingExample>& examples = sft_examples("labels_notebook", true);
    for (int mb = 0; mb < 2; ++mb) {
      const std::span<const TrainingExample> batch(examples.data() + 2 * mb, 2);
      const int64_t N = count_label_tokens(batch);
      const LossSum s = decoder_->accumulate_gradients(batch, 1.0 / (static_cast<double>(N) * 2));
      micro_batch_losses_.push_back(s.loss_sum / s.n_tokens);
    }
  }
  static void TearDownTestSuite() { delete decoder_; }

  static const TrainableTensor& tensor(const std::string& name) {
    for (const TrainableTensor& t : decoder_->tensors())
      if (t.name == name) return t;
    throw Error("test", "no trainable tensor " + name);
  }

  static inline TrainableDecoder* decoder_ = nullptr;
  static inline std::vector<double> micro_batch_losses_;
  const Json golden_ = read_json_file(training_dir() + "/full-sft/golden.json");
  const TensorStore grads_ = TensorStore::open_file(training_dir() + "/full-sft/golden.safetensors");
};

TEST_F(FullSftGradients, LossesMatchTorch) {
  const double loss = (micro_batch_losses_[0] + micro_batch_losses_[1]) / 2;
  EXPECT_LT(relative_error(loss, golden_["loss"].get<double>()), 1e-5) << loss;
  for (int mb = 0; mb < 2; ++mb)
    EXPECT_LT(relative_error(micro_batch_losses_[mb], golden_["micro_batch_losses"][mb].get<double>()), 1e-5);
}

TEST_F(FullSftGradients, StoredGradientsMatchTorch) {
  for (const char* name : {"model.text_model.layers.0.self_attn.q_proj.weight",
                           "model.text_model.layers.0.mlp.down_proj.weight", "model.text_model.norm.weight"}) {
    const double err = norm_relative_error(tensor(name).grad, golden_tensor(grads_, std::string("grad.") + name));
    EXPECT_LT(err, 1e-4) << name;
    std::printf("[ full-sft ] %s grad norm-relative error %.2e\n", name, err);
  }
}

TEST_F(FullSftGradients, EmbeddingGradientHasTheGoldenRows) {
  const TensorView& rows_view = grads_.get("embed_rows");
  const int32_t* rows = reinterpret_cast<const int32_t*>(rows_view.data);
  const std::vector<float> want = golden_tensor(grads_, "grad.model.text_model.embed_tokens.weight.rows");
  const TrainableTensor& embed = tensor("model.text_model.embed_tokens.weight");
  const int64_t H = 64, N = rows_view.numel();
  std::vector<float> got(N * H);
  std::set<int64_t> golden_rows;
  for (int64_t r = 0; r < N; ++r) {
    golden_rows.insert(rows[r]);
    std::copy_n(embed.grad.data() + rows[r] * H, H, got.data() + r * H);
  }
  EXPECT_LT(norm_relative_error(got, want), 1e-4);
  int64_t nonzero_rows = 0;
  for (int64_t v = 0; v < static_cast<int64_t>(embed.grad.size()) / H; ++v) {
    const bool nonzero = std::any_of(embed.grad.begin() + v * H, embed.grad.begin() + (v + 1) * H,
                                     [](float g) { return g != 0.0f; });
    nonzero_rows += nonzero;
    if (nonzero) EXPECT_TRUE(golden_rows.count(v)) << "row " << v;
  }
  EXPECT_EQ(nonzero_rows, golden_["embed_rows_with_grad"].get<int64_t>());
}

TEST_F(FullSftGradients, EveryTensorsGradientNormMatchesTorch) {
  const Json& norms = golden_["grad_norms"];
  ASSERT_EQ(decoder_->tensors().size(), norms.size());
  double total = 0, worst = 0;
  for (const TrainableTensor& t : decoder_->tensors()) {
    ASSERT_TRUE(norms.contains(t.name)) << t.name;
    EXPECT_EQ(static_cast<int64_t>(t.grad.size()), norms[t.name]["numel"].get<int64_t>()) << t.name;
    const double l2 = l2_norm(t.grad), err = relative_error(l2, norms[t.name]["l2"].get<double>());
    // lm_head sits at 8.9e-5 (every other tensor below 1e-6): its gradient's
    // off-target rows (the softmax part) passed a central-difference check of
    // our loss, so the gap is in what torch summed there, not yet explained.
    EXPECT_LT(err, 1e-4) << t.name;
    worst = std::max(worst, err);
    if (std::getenv("SMOLVLM_TRAIN_VERBOSE"))
      std::printf("  %s: L2 %.9g (torch %.9g)\n", t.name.c_str(), l2, norms[t.name]["l2"].get<double>());
    total += l2 * l2;
  }
  EXPECT_LT(relative_error(std::sqrt(total), golden_["grad_norm_total_preclip"].get<double>()), 1e-4);
  std::printf("[ full-sft ] worst per-tensor grad L2 relative error %.2e over %zu tensors\n", worst,
              decoder_->tensors().size());
}

}  // namespace
}  // namespace smolvlm::train
