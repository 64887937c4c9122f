// y = x · Wᵀ, the Linear convention of SPEC §2 (W stored [out, in]).
#pragma once

#include <cstdint>
#include <span>

#include "kernels/compute_mode.h"
#include "kernels/weight_view.h"

namespace smolvlm::kernels {

// x f32 [n, in], W [out, in] (BF16/F16/F32), y f32 [n, out], on the active
// ISA and the shared thread pool. Exact: f32 products and sums. Fast: BF16
// products of BF16 weights (compute_mode.h). Either way a row's result does
// not depend on n or on the other rows.
void matmul(std::span<const float> x, int64_t n, const WeightView& w, std::span<float> y,
            ComputeMode mode = ComputeMode::Exact);

// One product of matmul_group: y = x·wᵀ.
struct MatmulOutput {
  WeightView w;
  std::span<float> y;
};

// Every output over the same x, each with the bits matmul() gives it; where
// the weights share a dtype and width they run as one pass of the pool (the
// decoder's q/k/v and gate/up: a decode step wakes the threads once, not
// three times).
void matmul_group(std::span<const float> x, int64_t n, std::span<const MatmulOutput> outputs,
                  ComputeMode mode = ComputeMode::Exact);

namespace reference {
// The scalar oracle: f32 products and sums in dot_f32's order.
void matmul(std::span<const float> x, int64_t n, const WeightView& w, std::span<float> y);
}  // namespace reference

}  // namespace smolvlm::kernels
