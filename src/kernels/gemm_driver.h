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

// One product of a group: y [n, w.rows] = x·wᵀ (+ bias [w.rows] f32, or none).
struct GemmJob {
  WeightView w;
  const float* bias = nullptr;
  float* y = nullptr;
};

// A group's outputs in blocks of col_block, numbered job by job (each job's
// last block may be shorter): how many, and block `block`'s job and outputs
// [c0, c1). Shared by the BF16 and the quantized drivers.
int64_t job_column_blocks(std::span<const GemmJob> jobs, int64_t col_block);
struct JobColumns {
  const GemmJob& job;
  int64_t c0, c1;
};
JobColumns job_columns(std::span<const GemmJob> jobs, int64_t col_block, int64_t block);

// The column block of a pass over n rows in row_blocks blocks with `out`
// outputs in all: a multiple of `grain`, sized for a number of tasks a
// thread. A pass over one or a few rows (decode) streams each weight from
// DRAM once, so a thread takes one contiguous share, one stream the
// prefetchers follow from start to end (four shorter ones each: 256M q4_0
// decode 5-20 % slower); many rows are compute-bound tiles, `many_per_thread`
// tasks a thread so that static chunks stay balanced.
int64_t column_block(int64_t out, int64_t n, int64_t row_blocks, int threads, int64_t many_per_thread, int64_t grain);

// Every job over the same x [n, K] f32 in one pass of the pool (x rounded to
// BF16 once): the jobs share K and dtype, sizes are checked and
// gemm_runs(w, mode). Each y has the bits gemm() alone would give it.
void gemm_group(const float* x, int64_t n, std::span<const GemmJob> jobs, ComputeMode mode);

inline void gemm(const float* x, int64_t n, const WeightView& w, const float* bias, float* y, ComputeMode mode) {
  const GemmJob job{w, bias, y};
  gemm_group(x, n, std::span(&job, 1), mode);
}

}  // namespace smolvlm::kernels
