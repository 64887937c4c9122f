// QLoRA (--method qlora): LoRA over the text decoder's weights held as Q4_0
// blocks, dequantized on the fly by the kernels. There are no PyTorch goldens
// (NF4 needs bitsandbytes): the test is our own LoRA over the same Q4_0
// weights dequantized to f32 up front (issue #8 "Ground truth").
#include <gtest/gtest.h>

#include "kernels/weight_view.h"
#include "train/trainable_decoder.h"
#include "training_goldens.h"

namespace smolvlm::train {
namespace {

using namespace testing;

TEST(Qlora, MatchesLoraOverTheDequantizedWeights) {
  LoadedModel quantized(tiny_model_dir(), size_t{64} << 20, kernels::ComputeMode::Exact, WeightDtypes{.text = DType::Q4_0});
  std::vector<TensorToWrite> dequantized;
  for (const std::string& name : quantized.weights.names()) {
    const TensorView& t = quantized.weights.get(name);
    if (!dtype_is_quantized(t.dtype)) continue;
    const kernels::WeightView w{t.dtype, t.shape[0], t.shape[1], t.data};
    std::vector<float> values(static_cast<size_t>(w.rows * w.cols));
    for (int64_t r = 0; r < w.rows; ++r) kernels::weight_row_to_f32(w, r, std::span(values).subspan(r * w.cols, w.cols));
    dequantized.push_back(tensor_from_f32(name, {w.rows, w.cols}, values));
  }
  ASSERT_EQ(dequantized.size(), 15u);  // 2 layers x 7 projections + lm_head
  LoadedModel reference(tiny_model_dir(), TensorStore::with_replacements(TensorStore::open_dir(tiny_model_dir()),
                                                                         std::move(dequantized)),
                        size_t{64} << 20, kernels::ComputeMode::Exact);
  const std::vector<TrainingExample>& examples = sft_examples("labels_notebook", false);
  const std::span<const TrainingExample> batch(examples.data(), 2);
  LoraAdapter a = initial_adapter(), b = initial_adapter();
  TrainableDecoder q(quantized.weights, quantized.config, a), d(reference.weights, reference.config, b);
  const LossSum lq = q.accumulate_gradients(batch, 1.0), ld = d.accumulate_gradients(batch, 1.0);
  EXPECT_LT(relative_error(lq.loss_sum, ld.loss_sum), 1e-5);
  double worst = 0;
  for (size_t i = 0; i < q.tensors().size(); ++i) {
    const double err = norm_relative_error(q.tensors()[i].grad, d.tensors()[i].grad);
    EXPECT_LT(err, 1e-4) << q.tensors()[i].name;
    worst = std::max(worst, err);
  }
  std::printf("[qlora] loss sum %.6f vs %.6f over dequantized weights; worst grad norm-relative error %.2e\n",
              lq.loss_sum, ld.loss_sum, worst);
}

}  // namespace
}  // namespace smolvlm::train
