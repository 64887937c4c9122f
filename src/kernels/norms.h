// RMSNorm (SPEC §2), in f32 as the exact-mode reference computes it.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/weight_view.h"

namespace smolvlm::kernels {

// For each of the n rows of x [n, dim]: y = weight * (x * rsqrt(mean(x²) + eps)).
// weight is a [1, dim] view (BF16/F16/F32). x and y may alias.
// Runs on the active ISA and the shared pool.
void rms_norm(std::span<const float> x, int64_t n, const WeightView& weight, float eps, std::span<float> y);

namespace reference {
void rms_norm(std::span<const float> x, int64_t n, const WeightView& weight, float eps, std::span<float> y);
}  // namespace reference

}  // namespace smolvlm::kernels
