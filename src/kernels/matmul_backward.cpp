#include "kernels/matmul_backward.h"

#include <algorithm>
#include <vector>

#include "kernels/backend.h"
#include "kernels/parallel.h"
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
  gemm_accumulate_parallel(GemmAccArgs{dy.data(), w.rows, 1, w, dx.data()}, n);
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
