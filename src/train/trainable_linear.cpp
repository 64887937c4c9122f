#include "train/trainable_linear.h"

#include "kernels/matmul.h"
#include "kernels/matmul_backward.h"

namespace smolvlm::train {
namespace {

kernels::WeightView lora_a(const LoraModule& m) { return {DType::F32, m.rank, m.in_features, m.a.data()}; }
kernels::WeightView lora_b(const LoraModule& m) { return {DType::F32, m.out_features, m.rank, m.b.data()}; }

}  // namespace

void linear_forward(const TrainableLinear& l, std::span<const float> x, int64_t n, bool lora_on, std::span<float> y,
                    std::vector<float>& lora_hidden) {
  kernels::matmul(x, n, l.weight, y, l.forward_mode);
  if (!lora_on || !l.lora) {
    lora_hidden.clear();
    return;
  }
  const LoraModule& m = *l.lora;
  lora_hidden.resize(n * m.rank);
  kernels::matmul(x, n, lora_a(m), lora_hidden);
  for (float& u : lora_hidden) u *= l.scaling;
  // PEFT adds the adapter's output to the base output: result + lora_B(lora_A(x)) * scaling.
  std::vector<float> delta(n * m.out_features);
  kernels::matmul(lora_hidden, n, lora_b(m), delta);
  for (size_t i = 0; i < delta.size(); ++i) y[i] += delta[i];
}

void linear_backward(const TrainableLinear& l, std::span<const float> x, int64_t n, bool lora_on,
                     std::span<const float> lora_hidden, std::span<const float> dy, std::span<float> dx,
                     bool accumulate_dx) {
  kernels::matmul_backward_input(dy, n, l.weight, dx, accumulate_dx);
  if (!l.weight_grad.empty()) kernels::matmul_backward_weight(dy, x, n, l.out(), l.in(), l.weight_grad);
  if (!lora_on || !l.lora) return;
  const LoraModule& m = *l.lora;
  const int64_t R = m.rank;
  kernels::matmul_backward_weight(dy, lora_hidden, n, m.out_features, R, l.grad_b);
  std::vector<float> du(n * R);
  kernels::matmul_backward_input(dy, n, lora_b(m), du, false);
  for (float& g : du) g *= l.scaling;
  kernels::matmul_backward_weight(du, x, n, R, m.in_features, l.grad_a);
  kernels::matmul_backward_input(du, n, lora_a(m), dx, true);
}

}  // namespace smolvlm::train
