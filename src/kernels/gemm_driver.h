// The matmul driver behind matmul() and linear(): splits y = x·Wᵀ (+ bias)
// into row x column tiles, runs the active backend's tiles on the shared pool.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/compute_mode.h"
#include "kernels/weight_view.h"

namespace smolvlm::kernels {

// x [n, w.cols] f32, bias [w.rows] f32 or none, y [n, w.rows]; sizes already
// checked. Needs a SIMD backend (active_isa() != Isa::Scalar).
void gemm(const float* x, int64_t n, const WeightView& w, const float* bias, float* y, ComputeMode mode);

}  // namespace smolvlm::kernels
