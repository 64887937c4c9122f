#include "kernels/softmax.h"

#include <algorithm>
#include <cmath>

namespace smolvlm::kernels {

void softmax_in_place(std::span<float> p) {
  const float max = *std::max_element(p.begin(), p.end());
  double sum = 0.0;
  for (float& x : p) {
    x = std::exp(x - max);
    sum += x;
  }
  const float inv_sum = 1.0f / static_cast<float>(sum);
  for (float& x : p) x *= inv_sum;
}

}  // namespace smolvlm::kernels
