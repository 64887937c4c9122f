#include "kernels/linear.h"

#include <vector>

#include "kernels/matmul.h"
#include "kernels/shape_check.h"

namespace smolvlm::kernels {

void linear(std::span<const float> x, int64_t n, const WeightView& w, const WeightView& bias, std::span<float> y) {
  const int64_t OUT = w.rows;
  check_size("linear", "bias rows", static_cast<size_t>(bias.rows), 1);
  check_size("linear", "bias", static_cast<size_t>(bias.cols), OUT);
  matmul(x, n, w, y);
  std::vector<float> b(OUT);
  weight_row_to_f32(bias, 0, b);
  for (int64_t t = 0; t < n; ++t)
    for (int64_t o = 0; o < OUT; ++o) y[t * OUT + o] += b[o];
}

}  // namespace smolvlm::kernels
