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

// The tasks of a pass: row blocks x column blocks of col_block outputs
// (col_blocks summed over the jobs). Row blocks are near-equal runs of
// row_grain rows, the last maybe shorter. A column-major grid numbers its
// tasks so that consecutive ones share a column block.
struct TaskGrid {
  int64_t row_blocks, row_grain, col_block, col_blocks;
  bool column_major;

  int64_t tasks() const { return row_blocks * col_blocks; }
  int64_t row_block_of(int64_t task) const { return column_major ? task % row_blocks : task / col_blocks; }
  int64_t col_block_of(int64_t task) const { return column_major ? task / row_blocks : task % col_blocks; }
  int64_t row_begin(int64_t n, int64_t block) const;
  int64_t max_block_rows(int64_t n) const;
  // Chunks a thread for parallel_for: column-major grids claim tasks one by
  // one, others take four chunks a thread.
  int per_thread() const;
};

// Row blocks of n rows (row_bytes of activations each) with at most
// block_bytes in a block, a multiple of `grain` rows, and at least one grain.
int64_t row_blocks_within(int64_t n, int64_t row_bytes, int64_t block_bytes, int64_t grain);

// Row-major grid: row_blocks near-equal blocks of `grain` rows, one column
// block size for every job (column_block with col_grain, four tasks a thread).
TaskGrid row_major_task_grid(int64_t n, int64_t row_blocks, int64_t grain, int64_t col_grain,
                             std::span<const GemmJob> jobs, int threads);

// Prefill and vision over pre-packed panels (BF16 or quantized): a task is one
// column block (a whole number of panels, the kernel's strip) by a run of
// rows, and rows split further than `row_blocks` until every thread has 32
// tasks. A pass's tasks cost the same, so the last one claimed decides how
// long the others wait: a 512-token SmolLM2-135M q_proj has 9 BF16 panels, 5
// for one thread and 4 for the other (-10 %) as whole-row tasks; 8 row blocks
// make 72 tasks, 36 each. Column-major, so that a thread's next task mostly
// finds its panel in L2.
TaskGrid panel_task_grid(int64_t n, int64_t row_blocks, int64_t row_grain, int64_t col_block,
                         std::span<const GemmJob> jobs, int threads);

// Every job over the same x [n, K] f32 in one pass of the pool (x rounded to
// BF16 once): the jobs share K and dtype, sizes are checked and
// gemm_runs(w, mode). Each y has the bits gemm() alone would give it.
void gemm_group(const float* x, int64_t n, std::span<const GemmJob> jobs, ComputeMode mode);

inline void gemm(const float* x, int64_t n, const WeightView& w, const float* bias, float* y, ComputeMode mode) {
  const GemmJob job{w, bias, y};
  gemm_group(x, n, std::span(&job, 1), mode);
}

}  // namespace smolvlm::kernels
