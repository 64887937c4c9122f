// y = x · Wᵀ + b, a Linear layer with bias (SPEC §3.5: every vision projection
// has one). The product is matmul's; the bias is added to each row after it.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/compute_mode.h"
#include "kernels/weight_view.h"

namespace smolvlm::kernels {

// x f32 [n, in], W [out, in], bias [1, out] (BF16/F16/F32), y f32 [n, out].
void linear(std::span<const float> x, int64_t n, const WeightView& w, const WeightView& bias, std::span<float> y,
            ComputeMode mode = ComputeMode::Exact);

namespace reference {
void linear(std::span<const float> x, int64_t n, const WeightView& w, const WeightView& bias, std::span<float> y);
}  // namespace reference

}  // namespace smolvlm::kernels
