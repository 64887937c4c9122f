#include "kernels/linear.h"

#include <vector>

#include "kernels/gemm_driver.h"
#include "kernels/matmul.h"
#include "kernels/quant_matmul.h"
#include "kernels/shape_check.h"

namespace smolvlm::kernels {
namespace {

std::vector<float> checked_bias(const WeightView& w, const WeightView& bias) {
  check_size("linear", "bias rows", static_cast<size_t>(bias.rows), 1);
  check_size("linear", "bias", static_cast<size_t>(bias.cols), w.rows);
  std::vector<float> b(w.rows);
  weight_row_to_f32(bias, 0, b);
  return b;
}

}  // namespace

void linear(std::span<const float> x, int64_t n, const WeightView& w, const WeightView& bias, std::span<float> y,
            ComputeMode mode) {
  if (quant_matmul_reads(w.dtype)) {
    const std::vector<float> b = checked_bias(w, bias);
    check_size("linear", "x", x.size(), n * w.cols);
    check_size("linear", "y", y.size(), n * w.rows);
    return quant_matmul(x.data(), n, w, b.data(), y.data(), mode);
  }
  if (!gemm_runs(w, mode)) return reference::linear(x, n, w, bias, y);
  const std::vector<float> b = checked_bias(w, bias);
  check_size("linear", "x", x.size(), n * w.cols);
  check_size("linear", "y", y.size(), n * w.rows);
  // The tiles add the bias to each finished dot product: the same two
  // roundings as the reference's matmul-then-add.
  gemm(x.data(), n, w, b.data(), y.data(), mode);
}

void reference::linear(std::span<const float> x, int64_t n, const WeightView& w, const WeightView& bias,
                       std::span<float> y) {
  const int64_t OUT = w.rows;
  const std::vector<float> b = checked_bias(w, bias);
  reference::matmul(x, n, w, y);
  for (int64_t t = 0; t < n; ++t)
    for (int64_t o = 0; o < OUT; ++o) y[t * OUT + o] += b[o];
}

}  // namespace smolvlm::kernels
