// y = x · Wᵀ, the Linear convention of SPEC §2 (W stored [out, in]).
#pragma once

#include <cstdint>
#include <span>

#include "kernels/weight_view.h"

namespace smolvlm::kernels {

// x f32 [n, in], W [out, in] (BF16/F16/F32), y f32 [n, out]. f32 products and sums.
void matmul(std::span<const float> x, int64_t n, const WeightView& w, std::span<float> y);

}  // namespace smolvlm::kernels
