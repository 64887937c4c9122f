// The backward of y = x·Wᵀ (SPEC §2's Linear, W stored [out, in]):
//   dx = dy·W        the input gradient, through a frozen or trained weight;
//   dW += dyᵀ·x      the weight gradient, accumulated in f32.
// f32 products and sums (FMAs on the SIMD paths) in order of the summed
// index, on the active ISA and the shared pool.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/weight_view.h"

namespace smolvlm::kernels {

// dy [n, out], W [out, in] (BF16/F16/F32, or Q8_0/Q4_0/Q4_K dequantized on
// the fly: QLoRA's frozen base), dx [n, in]: dx = dy·W, or dx += dy·W when
// `accumulate` (several Linears reading the same input).
void matmul_backward_input(std::span<const float> dy, int64_t n, const WeightView& w, std::span<float> dx,
                           bool accumulate);

// dy [n, out], x [n, in], dw [out, in]: dw += dyᵀ·x.
void matmul_backward_weight(std::span<const float> dy, std::span<const float> x, int64_t n, int64_t out, int64_t in,
                            std::span<float> dw);

namespace reference {
// The scalar oracles: f32 products and sums, in order of the summed index.
void matmul_backward_input(std::span<const float> dy, int64_t n, const WeightView& w, std::span<float> dx,
                           bool accumulate);
void matmul_backward_weight(std::span<const float> dy, std::span<const float> x, int64_t n, int64_t out, int64_t in,
                            std::span<float> dw);
}  // namespace reference

}  // namespace smolvlm::kernels
