#include "kernels/quant_matmul.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/dot.h"
#include "kernels/isa.h"
#include "kernels/parallel.h"
#include "kernels/quant_formats.h"
#include "kernels/quant_gemm.h"
#include "kernels/quant_panels.h"

namespace smolvlm::kernels {
namespace {

// The integer kernels run with the AVX-512 table (so ScopedIsa can force the
// reference in tests) and only where the CPU has VNNI too.
const QuantKernels* quant_kernels() {
#if defined(__x86_64__)
  static const bool vnni = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512vnni") != 0;
  }();
  if (vnni && active_isa() == Isa::Avx512Bf16) return &x86::avx512vnni_quant_kernels();
#endif
  return nullptr;
}

// Exact: a task owns output columns; each weight row is dequantized once
// into the thread's scratch and dotted with every input row.
void quant_matmul_exact(const float* x, int64_t n, const WeightView& w, const float* bias, float* y) {
  const int64_t K = w.cols, OUT = w.rows;
  shared_pool().parallel_for(
      OUT,
      [&](int64_t o0, int64_t o1) {
        float* row = thread_scratch(K);
        for (int64_t o = o0; o < o1; ++o) {
          weight_row_to_f32(w, o, std::span<float>(row, static_cast<size_t>(K)));
          for (int64_t t = 0; t < n; ++t) {
            const float d = dot_f32(x + t * K, row, K);
            y[t * OUT + o] = bias ? d + bias[o] : d;
          }
        }
      },
      4);
}

struct QuantizedActivations {
  std::vector<int8_t> q;
  std::vector<float> scales;
  std::vector<int32_t> sums;
};

QuantizedActivations& activation_scratch(int64_t n, int64_t K) {
  thread_local QuantizedActivations buffer;
  const auto values = static_cast<size_t>(n * K), scales = static_cast<size_t>(n * (K / kQuantBlock) * 8);
  if (buffer.q.size() < values) buffer.q.resize(values);
  if (buffer.scales.size() < scales) buffer.scales.resize(scales);
  if (buffer.sums.size() < scales / 8) buffer.sums.resize(scales / 8);
  return buffer;
}

// Row blocks of activations that stay in L2 while weight panels pass over
// them. Each task of row-major weights packs its panels once for all its rows,
// so row blocks are long (activations: K bytes + K / 4 floats a row, in L2),
// one column block size for every job (column_block); pre-packed panels take
// a strip of the AVX-512 kernel (3 panels of 16 outputs) a task, rows in runs
// of its 4-row tiles (panel_task_grid).
TaskGrid quant_task_grid(int64_t n, int64_t K, std::span<const GemmJob> jobs) {
  constexpr int64_t kRowBlockBytes = 512 * 1024, kRowGrain = 12, kColGrain = 32;
  constexpr int64_t kStripOutputs = 48, kTileRows = 4;
  const int64_t row_blocks = row_blocks_within(n, 2 * K, kRowBlockBytes, kRowGrain);
  const int threads = shared_pool().size();
  if (is_quant_panels(jobs.front().w.dtype) && n >= 4)
    return panel_task_grid(n, row_blocks, kTileRows, kStripOutputs, jobs, threads);
  return row_major_task_grid(n, row_blocks, kRowGrain, kColGrain, jobs, threads);
}

void quant_matmul_fast(const QuantKernels& kernels, const float* x, int64_t n, std::span<const GemmJob> jobs) {
  int64_t out = 0;
  for (const GemmJob& j : jobs) out += j.w.rows;
  if (out == 0) return;
  const int64_t K = jobs.front().w.cols, ldxs = K / kQuantBlock * 8;
  QuantizedActivations& act = activation_scratch(n, K);
  int8_t* xq = act.q.data();
  float* xs = act.scales.data();
  int32_t* xsum = act.sums.data();
  shared_pool().parallel_for(n, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t)
      kernels.quantize_activations(x + t * K, K, xq + t * K, xs + t * ldxs, xsum + t * (K / kQuantBlock));
  });
  const TaskGrid grid = quant_task_grid(n, K, jobs);
  shared_pool().parallel_for(
      grid.tasks(),
      [&](int64_t begin, int64_t end) {
        float* scratch = thread_scratch(kernels.scratch_floats(K));
        for (int64_t task = begin; task < end; ++task) {
          const int64_t rb = grid.row_block_of(task);
          const JobColumns cols = job_columns(jobs, grid.col_block, grid.col_block_of(task));
          const QuantGemmArgs args{xq, xs, xsum, n, K, cols.job.w, cols.job.bias, cols.job.y};
          kernels.gemm(args, grid.row_begin(n, rb), grid.row_begin(n, rb + 1), cols.c0, cols.c1, scratch);
        }
      },
      grid.per_thread());
}

}  // namespace

bool quant_fast_available() { return quant_kernels() != nullptr; }

bool quant_matmul_reads(DType dtype) { return dtype_is_quantized(dtype) || is_quant_panels(dtype); }

void quant_matmul_group(const float* x, int64_t n, std::span<const GemmJob> jobs, ComputeMode mode) {
  if (n <= 0 || jobs.empty()) return;
  const WeightView& w = jobs.front().w;
  if (!is_quant_panels(w.dtype)) quant_row_bytes(w.dtype, w.cols);  // throws for a dtype or width the blocks cannot hold
  const QuantKernels* kernels = mode == ComputeMode::Fast ? quant_kernels() : nullptr;
  if (kernels) return quant_matmul_fast(*kernels, x, n, jobs);
  for (const GemmJob& j : jobs) quant_matmul_exact(x, n, j.w, j.bias, j.y);
}

void quantize_activations(std::span<const float> x, int8_t* q, float* scales, int32_t* sums) {
  const size_t blocks = x.size() / kQuantBlock;
  for (size_t b = 0; b < blocks; ++b) {
    const float* xb = x.data() + b * kQuantBlock;
    float amax = 0.0f;
    for (int64_t j = 0; j < kQuantBlock; ++j) amax = std::max(amax, std::fabs(xb[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    int32_t sum = 0;
    for (int64_t j = 0; j < kQuantBlock; ++j) {
      q[b * kQuantBlock + j] = static_cast<int8_t>(std::roundf(xb[j] * id));
      sum += q[b * kQuantBlock + j];
    }
    std::fill(scales + b * 8, scales + b * 8 + 8, d);
    if (sums) sums[b] = sum;
  }
}

void reference::quant_matmul_int8(const int8_t* xq, const float* xs, int64_t n, const WeightView& w,
                                  const float* bias, float* y) {
  const int64_t K = w.cols, OUT = w.rows, blocks = K / kQuantBlock;
  std::vector<float> row(static_cast<size_t>(K));
  for (int64_t o = 0; o < OUT; ++o) {
    // A dequantized weight q * d_w is exact in f32 and each block's f64 sum
    // of products is exact, so this is d_w * d_x * Σ qw * qx up to the
    // final f64 roundings.
    weight_row_to_f32(w, o, row);
    for (int64_t t = 0; t < n; ++t) {
      double sum = 0.0;
      for (int64_t b = 0; b < blocks; ++b) {
        double block = 0.0;
        for (int64_t j = 0; j < kQuantBlock; ++j)
          block += static_cast<double>(row[b * kQuantBlock + j]) * xq[t * K + b * kQuantBlock + j];
        sum += block * xs[t * (blocks * 8) + b * 8];
      }
      y[t * OUT + o] = static_cast<float>(bias ? sum + bias[o] : sum);
    }
  }
}

}  // namespace smolvlm::kernels
