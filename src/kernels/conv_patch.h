// The patch embedding convolution: Conv2d with kernel = stride = patch and no
// padding (SPEC §3.3), computed as one matmul over flattened patches.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/compute_mode.h"
#include "kernels/weight_view.h"

namespace smolvlm::kernels {

struct PatchGrid {
  int64_t channels = 0;                              // C
  int64_t size = 0;                                  // S: the image is S x S
  int64_t patch = 0;                                 // p
  int64_t per_side() const { return size / patch; }  // N; trailing S mod p rows/cols are never read
};

// image f32 [C, S, S]; weight [hidden, C*p*p] (the [hidden, C, p, p] kernel
// flattened channel-major, then row, then column); bias [1, hidden];
// out f32 [N*N, hidden], patches in row-major order (token n = i*N + j).
void conv_patch(std::span<const float> image, const PatchGrid& grid, const WeightView& weight, const WeightView& bias,
                std::span<float> out, ComputeMode mode = ComputeMode::Exact);

}  // namespace smolvlm::kernels
