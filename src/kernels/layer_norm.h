// LayerNorm with affine weight and bias (SPEC §3.5), in f32 as the exact-mode
// reference computes it.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/weight_view.h"

namespace smolvlm::kernels {

// For each of the n rows of x [n, dim]: y = (x - mean) / sqrt(var + eps) * weight + bias,
// var the biased variance. weight and bias are [1, dim] views (BF16/F16/F32).
// x and y may alias.
// Runs on the active ISA and the shared pool.
void layer_norm(std::span<const float> x, int64_t n, const WeightView& weight, const WeightView& bias, float eps,
                std::span<float> y);

namespace reference {
void layer_norm(std::span<const float> x, int64_t n, const WeightView& weight, const WeightView& bias, float eps,
                std::span<float> y);
}  // namespace reference

}  // namespace smolvlm::kernels
