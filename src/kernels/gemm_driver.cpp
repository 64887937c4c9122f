#include "kernels/gemm_driver.h"

#include <algorithm>
#include <vector>

#include "kernels/backend.h"
#include "kernels/bf16_panels.h"
#include "kernels/isa.h"
#include "kernels/parallel.h"
#include "kernels/quant_matmul.h"

namespace smolvlm::kernels {
namespace {

// A row block's activations stay in L2 (1-2 MiB per core on current x86)
// while every weight panel of the task passes over them. The panel kernel
// keeps the weight panel in L2 instead and streams the rows past it once, so
// its blocks are long: each weight is read from DRAM once per block (a
// 512-token SmolLM2-1.7B down_proj: 520 -> 840 GFLOP/s over 256 KiB blocks).
constexpr int64_t kRowBlockBytes = 256 * 1024, kPanelRowBlockBytes = 4 * 1024 * 1024;
// Multiples of every ISA's tile sizes (4, 3 rows; 6, 8, 3, 4 columns), so
// tiles are full except at the matrix edges; BF16_PANELS split at whole panels.
constexpr int64_t kRowGrain = 12, kColGrain = 48;

// The AVX-512 panel tile's rows: panel row blocks are runs of whole tiles.
constexpr int64_t kPanelRowGrain = 6;

// Row blocks from the row width; one column block size for every job
// (column_block; decode has one row block), or panel_task_grid.
TaskGrid plan(int64_t n, int64_t k, std::span<const GemmJob> jobs, int64_t elem_bytes, bool panels, int threads) {
  const int64_t row_blocks =
      row_blocks_within(n, elem_bytes * k, panels ? kPanelRowBlockBytes : kRowBlockBytes, kRowGrain);
  if (panels && n >= 4) return panel_task_grid(n, row_blocks, kPanelRowGrain, kPanelRows, jobs, threads);
  return row_major_task_grid(n, row_blocks, kRowGrain, panels ? kPanelRows : kColGrain, jobs, threads);
}

uint16_t* bf16_scratch(int64_t n) {
  thread_local std::vector<uint16_t> buffer;
  if (static_cast<int64_t>(buffer.size()) < n) buffer.resize(static_cast<size_t>(n));
  return buffer.data();
}

}  // namespace

int64_t TaskGrid::row_begin(int64_t n, int64_t block) const {
  const int64_t units = (n + row_grain - 1) / row_grain;
  return std::min(n, block * units / row_blocks * row_grain);
}

int64_t TaskGrid::max_block_rows(int64_t n) const {
  const int64_t units = (n + row_grain - 1) / row_grain;
  return std::min(n, (units + row_blocks - 1) / row_blocks * row_grain);
}

int TaskGrid::per_thread() const { return column_major ? static_cast<int>(std::min<int64_t>(tasks(), 1 << 20)) : 4; }

int64_t row_blocks_within(int64_t n, int64_t row_bytes, int64_t block_bytes, int64_t grain) {
  const int64_t rows = std::min(n, std::max(grain, block_bytes / std::max<int64_t>(row_bytes, 1) / grain * grain));
  return (n + rows - 1) / rows;
}

TaskGrid row_major_task_grid(int64_t n, int64_t row_blocks, int64_t grain, int64_t col_grain,
                             std::span<const GemmJob> jobs, int threads) {
  int64_t out = 0;
  for (const GemmJob& j : jobs) out += j.w.rows;
  const int64_t col_block = column_block(out, n, row_blocks, threads, 4, col_grain);
  return TaskGrid{row_blocks, grain, col_block, job_column_blocks(jobs, col_block), false};
}

TaskGrid panel_task_grid(int64_t n, int64_t row_blocks, int64_t row_grain, int64_t col_block,
                         std::span<const GemmJob> jobs, int threads) {
  constexpr int64_t kTasksPerThread = 32;
  TaskGrid g{row_blocks, row_grain, col_block, job_column_blocks(jobs, col_block), true};
  const int64_t want = (kTasksPerThread * threads + g.col_blocks - 1) / g.col_blocks;
  g.row_blocks = std::min(std::max(g.row_blocks, want), (n + row_grain - 1) / row_grain);
  return g;
}

int64_t column_block(int64_t out, int64_t n, int64_t row_blocks, int threads, int64_t many_per_thread, int64_t grain) {
  const int64_t per_thread = n < 4 ? 1 : many_per_thread;
  const int64_t want = std::max<int64_t>(1, (per_thread * threads + row_blocks - 1) / row_blocks);
  return std::max(grain, ((out + want - 1) / want + grain - 1) / grain * grain);
}

int64_t job_column_blocks(std::span<const GemmJob> jobs, int64_t col_block) {
  int64_t blocks = 0;
  for (const GemmJob& j : jobs) blocks += (j.w.rows + col_block - 1) / col_block;
  return blocks;
}

JobColumns job_columns(std::span<const GemmJob> jobs, int64_t col_block, int64_t block) {
  size_t j = 0;
  for (int64_t blocks; block >= (blocks = (jobs[j].w.rows + col_block - 1) / col_block); ++j) block -= blocks;
  const int64_t c0 = block * col_block;
  return JobColumns{jobs[j], c0, std::min(jobs[j].w.rows, c0 + col_block)};
}

bool gemm_runs(const WeightView& w, ComputeMode mode) {
  if (active_isa() == Isa::Scalar || !is_supported_weight_dtype(w.dtype) || quant_matmul_reads(w.dtype)) return false;
  return w.dtype != DType::BF16_PANELS || (mode == ComputeMode::Fast && backend().gemm_bf16_panels);
}

void gemm_group(const float* x, int64_t n, std::span<const GemmJob> jobs, ComputeMode mode) {
  if (n <= 0 || jobs.empty()) return;
  const Backend& be = backend();
  const WeightView& w = jobs.front().w;
  const int64_t K = w.cols;
  const bool panels = w.dtype == DType::BF16_PANELS;
  const bool fast = panels || (mode == ComputeMode::Fast && be.gemm_bf16 && w.dtype == DType::BF16);
  const uint16_t* xb = nullptr;
  if (fast) {
    uint16_t* buffer = bf16_scratch(n * K);
    parallel_chunks(n * K, 1 << 16, [&](int64_t b, int64_t e) { be.to_bf16(x + b, e - b, buffer + b); });
    xb = buffer;
  }
  const TaskGrid t = plan(n, K, jobs, fast ? 2 : 4, panels, shared_pool().size());
  const int64_t scratch = panels ? 0
                          : fast ? be.gemm_bf16_scratch_floats(t.max_block_rows(n))
                                 : be.gemm_scratch_floats(t.max_block_rows(n));
  const auto tile = panels ? be.gemm_bf16_panels : fast ? be.gemm_bf16 : be.gemm_exact;
  // Tasks are independent tiles: four chunks per thread keep a descheduled
  // worker from holding up more than a quarter of its share; panel tasks are
  // claimed one by one (panel_task_grid).
  shared_pool().parallel_for(
      t.tasks(),
      [&](int64_t begin, int64_t end) {
        float* s = thread_scratch(scratch);
        for (int64_t task = begin; task < end; ++task) {
          const int64_t rb = t.row_block_of(task);
          const JobColumns cols = job_columns(jobs, t.col_block, t.col_block_of(task));
          tile(GemmArgs{x, xb, n, K, cols.job.w, cols.job.bias, cols.job.y}, t.row_begin(n, rb), t.row_begin(n, rb + 1),
               cols.c0, cols.c1, s);
        }
      },
      t.per_thread());
}

}  // namespace smolvlm::kernels
