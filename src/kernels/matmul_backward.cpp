#include "kernels/matmul_backward.h"

#include <algorithm>
#include <vector>

#include "kernels/backend.h"
#include "kernels/parallel.h"
#include "kernels/quant_formats.h"
#include "kernels/shape_check.h"

namespace smolvlm::kernels {
namespace {

// A task is a block of C rows x columns; p runs in blocks so that the B panel
// a task reads (kPBlock rows of its columns) stays in L2 while every row tile
// of the block passes over it.
constexpr int64_t kRowBlock = 48, kColBlock = 192, kPBlock = 256;

// C [M, g.b.cols] += A·B over p < g.b.rows on the active backend.
void gemm_accumulate_parallel(const GemmAccArgs& g, int64_t M) {
  const Backend& be = backend();
  const int64_t N = g.b.cols, P = g.b.rows;
  const int64_t row_blocks = (M + kRowBlock - 1) / kRowBlock, col_blocks = (N + kColBlock - 1) / kColBlock;
  shared_pool().parallel_for(
      row_blocks * col_blocks,
      [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end; ++task) {
          const int64_t m0 = task / col_blocks * kRowBlock, n0 = task % col_blocks * kColBlock;
          const int64_t m1 = std::min(M, m0 + kRowBlock), n1 = std::min(N, n0 + kColBlock);
          for (int64_t p0 = 0; p0 < P; p0 += kPBlock) be.gemm_accumulate(g, m0, m1, n0, n1, p0, std::min(P, p0 + kPBlock));
        }
      },
      4);
}

// Rows [p0, p1) and the blocks covering columns [n0, n1) of a block-quantized
// B, dequantized into `panel` at (p - p0) * N + n: B's own row stride, so
// the f32 tile code reads the panel as it reads an F32 B.
void dequantize_panel(const WeightView& b, int64_t p0, int64_t p1, int64_t n0, int64_t n1, float* panel) {
  const int64_t N = b.cols, block = dtype_block_elems(b.dtype);
  const int64_t first = n0 / block * block, last = std::min(N, (n1 + block - 1) / block * block);
  const size_t row_bytes = quant_row_bytes(b.dtype, N), block_bytes = dtype_block_bytes(b.dtype);
  const auto* data = static_cast<const uint8_t*>(b.data);
  for (int64_t p = p0; p < p1; ++p)
    dequantize_row(b.dtype, data + p * row_bytes + first / block * block_bytes,
                   std::span<float>(panel + (p - p0) * N + first, static_cast<size_t>(last - first)));
}

// As gemm_accumulate_parallel over a Q8_0 / Q4_0 / Q4_K B (the input gradient
// through a frozen quantized weight, QLoRA): each task dequantizes the B panel
// of each p block it reads into its thread's scratch and runs the F32 tiles
// over it. Tasks take as many rows as leave two per thread, so a panel is
// dequantized about twice per pass, not once per kRowBlock rows (that cost as
// much as the FMAs). Every C element still sums its products in the F32
// path's order of p, so the result equals dx over the dequantized matrix bit
// for bit.
void gemm_accumulate_quantized(const GemmAccArgs& g, int64_t M) {
  const Backend& be = backend();
  const int64_t N = g.b.cols, P = g.b.rows;
  const int64_t col_blocks = (N + kColBlock - 1) / kColBlock;
  const int64_t wanted_tasks = 2 * static_cast<int64_t>(shared_pool().size());
  const int64_t row_splits = std::max<int64_t>(1, (wanted_tasks + col_blocks - 1) / col_blocks);
  const int64_t row_block = std::max(kRowBlock, ((M + row_splits - 1) / row_splits + 3) / 4 * 4);
  const int64_t row_blocks = (M + row_block - 1) / row_block;
  shared_pool().parallel_for(
      row_blocks * col_blocks,
      [&](int64_t begin, int64_t end) {
        float* panel = thread_scratch(kPBlock * N);
        for (int64_t task = begin; task < end; ++task) {
          const int64_t m0 = task / col_blocks * row_block, n0 = task % col_blocks * kColBlock;
          const int64_t m1 = std::min(M, m0 + row_block), n1 = std::min(N, n0 + kColBlock);
          for (int64_t p0 = 0; p0 < P; p0 += kPBlock) {
            const int64_t p1 = std::min(P, p0 + kPBlock);
            dequantize_panel(g.b, p0, p1, n0, n1, panel);
            const GemmAccArgs block{g.a + p0 * g.a_p, g.a_m, g.a_p, WeightView{DType::F32, p1 - p0, N, panel}, g.c};
            be.gemm_accumulate(block, m0, m1, n0, n1, 0, p1 - p0);
          }
        }
      },
      4);
}

bool simd_ready(const WeightView& b) { return backend().gemm_accumulate && is_supported_weight_dtype(b.dtype); }

void check_input_args(std::span<const float> dy, int64_t n, const WeightView& w, std::span<float> dx) {
  check_size("matmul_backward_input", "dy", dy.size(), n * w.rows);
  check_size("matmul_backward_input", "dx", dx.size(), n * w.cols);
}

void check_weight_args(std::span<const float> dy, std::span<const float> x, int64_t n, int64_t out, int64_t in,
                       std::span<float> dw) {
  check_size("matmul_backward_weight", "dy", dy.size(), n * out);
  check_size("matmul_backward_weight", "x", x.size(), n * in);
  check_size("matmul_backward_weight", "dw", dw.size(), out * in);
}

}  // namespace

void matmul_backward_input(std::span<const float> dy, int64_t n, const WeightView& w, std::span<float> dx,
                           bool accumulate) {
  if (!simd_ready(w)) return reference::matmul_backward_input(dy, n, w, dx, accumulate);
  check_input_args(dy, n, w, dx);
  if (!accumulate) std::fill(dx.begin(), dx.end(), 0.0f);
  // dx[t, i] = sum_o dy[t, o] W[o, i]: A = dy as stored, B = W.
  const GemmAccArgs g{dy.data(), w.rows, 1, w, dx.data()};
  if (dtype_is_quantized(w.dtype))
    gemm_accumulate_quantized(g, n);
  else
    gemm_accumulate_parallel(g, n);
}

void matmul_backward_weight(std::span<const float> dy, std::span<const float> x, int64_t n, int64_t out, int64_t in,
                            std::span<float> dw) {
  const WeightView xv{DType::F32, n, in, x.data()};
  if (!simd_ready(xv)) return reference::matmul_backward_weight(dy, x, n, out, in, dw);
  check_weight_args(dy, x, n, out, in, dw);
  // dw[o, i] = sum_t dy[t, o] x[t, i]: A = dyᵀ (read by columns), B = x.
  gemm_accumulate_parallel(GemmAccArgs{dy.data(), 1, out, xv, dw.data()}, out);
}

void reference::matmul_backward_input(std::span<const float> dy, int64_t n, const WeightView& w, std::span<float> dx,
                                      bool accumulate) {
  check_input_args(dy, n, w, dx);
  const int64_t OUT = w.rows, IN = w.cols;
  if (!accumulate) std::fill(dx.begin(), dx.end(), 0.0f);
  std::vector<float> row(IN);
  for (int64_t o = 0; o < OUT; ++o) {
    weight_row_to_f32(w, o, row);
    for (int64_t t = 0; t < n; ++t) {
      const float g = dy[t * OUT + o];
      float* dxt = dx.data() + t * IN;
      for (int64_t i = 0; i < IN; ++i) dxt[i] += g * row[i];
    }
  }
}

void reference::matmul_backward_weight(std::span<const float> dy, std::span<const float> x, int64_t n, int64_t out,
                                       int64_t in, std::span<float> dw) {
  check_weight_args(dy, x, n, out, in, dw);
  for (int64_t t = 0; t < n; ++t)
    for (int64_t o = 0; o < out; ++o) {
      const float g = dy[t * out + o];
      const float* xt = x.data() + t * in;
      float* dwo = dw.data() + o * in;
      for (int64_t i = 0; i < in; ++i) dwo[i] += g * xt[i];
    }
}

}  // namespace smolvlm::kernels
