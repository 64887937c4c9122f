// The matmul driver behind matmul() and linear(): splits y = x·Wᵀ (+ bias)
// into row x column tiles, runs the active backend's tiles on the shared pool.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/compute_mode.h"
#include "kernels/weight_view.h"

namespace smolvlm::kernels {

// True where gemm() runs w under `mode`: a SIMD backend (active_isa() !=
// Isa::Scalar) and a weight dtype it reads, BF16_PANELS only in the fast mode
// (the exact mode's callers take the reference path).
bool gemm_runs(const WeightView& w, ComputeMode mode);

// x [n, w.cols] f32, bias [w.rows] f32 or none, y [n, w.rows]; sizes already
// checked and gemm_runs(w, mode).
void gemm(const float* x, int64_t n, const WeightView& w, const float* bias, float* y, ComputeMode mode);

}  // namespace smolvlm::kernels
