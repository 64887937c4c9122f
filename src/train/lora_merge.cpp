#include "train/lora_merge.h"

#include <algorithm>
#include <vector>

#include "core/error.h"

namespace smolvlm::train {

void add_lora_delta(const LoraModule& m, float factor, std::span<float> weight) {
  const int64_t OUT = m.out_features, IN = m.in_features, R = m.rank;
  if (static_cast<int64_t>(weight.size()) != OUT * IN)
    throw Error("LoRA module " + m.name, "weight holds " + std::to_string(weight.size()) + " values, the adapter's " +
                                             std::to_string(OUT) + " x " + std::to_string(IN));
  // Row by row, rank index outermost: each element still sums k = 0..R-1 in
  // order, and the inner loop runs along contiguous rows of A.
  std::vector<float> delta(IN);
  for (int64_t o = 0; o < OUT; ++o) {
    std::fill(delta.begin(), delta.end(), 0.0f);
    for (int64_t k = 0; k < R; ++k) {
      const float b = m.b[o * R + k];
      const float* a_row = m.a.data() + k * IN;
      for (int64_t i = 0; i < IN; ++i) delta[i] += b * a_row[i];
    }
    float* w_row = weight.data() + o * IN;
    for (int64_t i = 0; i < IN; ++i) w_row[i] += delta[i] * factor;
  }
}

}  // namespace smolvlm::train
