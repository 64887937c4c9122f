#include "kernels/conv_patch.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "kernels/linear.h"
#include "kernels/shape_check.h"

namespace smolvlm::kernels {
namespace {

// Row n = i*N + j of the result holds patch (i, j) flattened as [c][ky][kx],
// the order of the convolution weight.
std::vector<float> flatten_patches(std::span<const float> image, const PatchGrid& g) {
  const int64_t C = g.channels, S = g.size, P = g.patch, N = g.per_side(), K = C * P * P;
  std::vector<float> patches(N * N * K);
  for (int64_t i = 0; i < N; ++i)
    for (int64_t j = 0; j < N; ++j) {
      float* dst = patches.data() + (i * N + j) * K;
      for (int64_t c = 0; c < C; ++c)
        for (int64_t ky = 0; ky < P; ++ky) {
          const float* src = image.data() + (c * S + i * P + ky) * S + j * P;
          dst = std::copy(src, src + P, dst);
        }
    }
  return patches;
}

}  // namespace

void conv_patch(std::span<const float> image, const PatchGrid& grid, const WeightView& weight, const WeightView& bias,
                std::span<float> out, ComputeMode mode) {
  const int64_t C = grid.channels, S = grid.size, P = grid.patch, N = grid.per_side();
  if (C <= 0 || P <= 0 || N <= 0)
    throw Error("kernels::conv_patch", "bad grid: " + std::to_string(C) + " channels, size " + std::to_string(S) +
                                           ", patch " + std::to_string(P));
  check_size("conv_patch", "image", image.size(), C * S * S);
  check_size("conv_patch", "weight cols", static_cast<size_t>(weight.cols), C * P * P);
  check_size("conv_patch", "out", out.size(), N * N * weight.rows);
  linear(flatten_patches(image, grid), N * N, weight, bias, out, mode);
}

}  // namespace smolvlm::kernels
