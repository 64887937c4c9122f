// The backward of RMSNorm (kernels/norms.h, SPEC §2): y = w * (x * r) with
// r = rsqrt(mean(x²) + eps) per row of dim D. With x̂ = x * r and g = dy * w:
//   dx = r * (g - x̂ * mean(g * x̂)),   dw = sum over rows of dy * x̂.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/weight_view.h"

namespace smolvlm::kernels {

// x, dy, dx [n, dim]; weight [1, dim]. Adds the input gradient to dx (the
// norm always sits on a residual stream whose gradient is already there) and,
// when dweight is not empty (the weight trains), adds the weight gradient to
// dweight [dim]. Row means in double.
void rms_norm_backward(std::span<const float> x, int64_t n, const WeightView& weight, float eps,
                       std::span<const float> dy, std::span<float> dx, std::span<float> dweight);

}  // namespace smolvlm::kernels
