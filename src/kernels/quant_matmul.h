// y = x·Wᵀ (+ bias) over block-quantized weights (quant_formats.h), the
// matmul() / linear() path for Q8_0 and Q4_0 weight views.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/compute_mode.h"
#include "kernels/gemm_driver.h"
#include "kernels/weight_view.h"

namespace smolvlm::kernels {

// True for the weight dtypes quant_matmul() takes: Q8_0, Q4_0, Q4_K and the
// panel layouts of the first two (quant_panels.h).
bool quant_matmul_reads(DType dtype);

// Every job over the same x [n, K] f32, the jobs sharing K and a dtype that
// quant_matmul_reads(); bias [w.rows] f32 or none, y [n, w.rows]; sizes
// already checked. Panels give the bits rows give.
//   Exact: each weight row dequantized to f32, then dot_f32 (+ bias): the
//     bits of reference::matmul / reference::linear.
//   Fast: activations quantized per 32-block to int8 (quantize_activations)
//     once for the group, and integer block dot products (AVX-512 VNNI)
//     scaled in f32, as ggml's q8_0 activations, every job in one pass of the
//     pool (a decode step's q/k/v and gate/up: small GEMVs that each paid a
//     hand-off and a cold start); Exact where the CPU has no VNNI.
// Either way a row's result does not depend on n, on the other rows or on the
// other jobs.
void quant_matmul_group(const float* x, int64_t n, std::span<const GemmJob> jobs, ComputeMode mode);

inline void quant_matmul(const float* x, int64_t n, const WeightView& w, const float* bias, float* y,
                         ComputeMode mode) {
  const GemmJob job{w, bias, y};
  quant_matmul_group(x, n, std::span(&job, 1), mode);
}

// True when Fast runs integer kernels here (AVX-512 VNNI on the active ISA).
bool quant_fast_available();

// One row of activations quantized per 32-block as Q8_0 quantizes weights
// (q = roundf(x / d), d = amax / 127) but with the f32 scale kept:
// q[k] int8, and scales[8 * b + i] = d of block b for i < 8 (each block's
// scale repeated for the 8 int32 lanes its products land in), and, where
// `sums` is given, sums[b] = Σ q of block b. k % 32 == 0.
void quantize_activations(std::span<const float> x, int8_t* q, float* scales, int32_t* sums = nullptr);

namespace reference {
// The oracle of the integer kernels: y[t][o] = Σ_b d_w(o,b) · d_x(t,b) · Σ_j
// qw · qx over quantized activations (quantize_activations), in f64.
void quant_matmul_int8(const int8_t* xq, const float* xs, int64_t n, const WeightView& w, const float* bias,
                       float* y);
}  // namespace reference

}  // namespace smolvlm::kernels
