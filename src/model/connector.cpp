#include "model/connector.h"

#include <vector>

#include "kernels/matmul.h"
#include "model/pixel_shuffle.h"

namespace smolvlm {

void connector_forward(const kernels::WeightView& proj, int64_t scale, std::span<const float> x, int64_t seq,
                       int64_t dim, std::span<float> out, kernels::ComputeMode mode) {
  const int64_t TOKENS = seq / (scale * scale), SHUFFLED_DIM = dim * scale * scale;
  std::vector<float> shuffled(TOKENS * SHUFFLED_DIM);
  pixel_shuffle(x, seq, dim, scale, shuffled);
  kernels::matmul(shuffled, TOKENS, proj, out, mode);
}

}  // namespace smolvlm
