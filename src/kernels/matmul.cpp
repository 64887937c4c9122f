#include "kernels/matmul.h"

#include <vector>

#include "kernels/dot.h"
#include "kernels/gemm_driver.h"
#include "kernels/quant_matmul.h"
#include "kernels/shape_check.h"

namespace smolvlm::kernels {

void matmul(std::span<const float> x, int64_t n, const WeightView& w, std::span<float> y, ComputeMode mode) {
  if (quant_matmul_reads(w.dtype)) {
    check_size("matmul", "x", x.size(), n * w.cols);
    check_size("matmul", "y", y.size(), n * w.rows);
    return quant_matmul(x.data(), n, w, nullptr, y.data(), mode);
  }
  if (!gemm_runs(w, mode)) return reference::matmul(x, n, w, y);
  check_size("matmul", "x", x.size(), n * w.cols);
  check_size("matmul", "y", y.size(), n * w.rows);
  gemm(x.data(), n, w, nullptr, y.data(), mode);
}

void matmul_group(std::span<const float> x, int64_t n, std::span<const MatmulOutput> outputs, ComputeMode mode) {
  if (outputs.empty()) return;
  const WeightView& first = outputs.front().w;
  const bool quantized = quant_matmul_reads(first.dtype);
  std::vector<GemmJob> jobs;
  for (const MatmulOutput& o : outputs) {
    if ((!quantized && !gemm_runs(o.w, mode)) || o.w.dtype != first.dtype || o.w.cols != first.cols) {
      for (const MatmulOutput& each : outputs) matmul(x, n, each.w, each.y, mode);
      return;
    }
    check_size("matmul", "x", x.size(), n * o.w.cols);
    check_size("matmul", "y", o.y.size(), n * o.w.rows);
    jobs.push_back(GemmJob{o.w, nullptr, o.y.data()});
  }
  if (quantized) return quant_matmul_group(x.data(), n, jobs, mode);
  gemm_group(x.data(), n, jobs, mode);
}

void reference::matmul(std::span<const float> x, int64_t n, const WeightView& w, std::span<float> y) {
  const int64_t IN = w.cols, OUT = w.rows;
  check_size("matmul", "x", x.size(), n * IN);
  check_size("matmul", "y", y.size(), n * OUT);
  // One weight row is widened once and reused for all n input rows, so
  // prefill pays the BF16 -> f32 conversion once per row, not once per token.
  std::vector<float> row(w.dtype == DType::F32 ? 0 : IN);
  for (int64_t o = 0; o < OUT; ++o) {
    const float* wrow;
    if (w.dtype == DType::F32) {
      wrow = static_cast<const float*>(w.data) + o * IN;
    } else {
      weight_row_to_f32(w, o, row);
      wrow = row.data();
    }
    for (int64_t t = 0; t < n; ++t) y[t * OUT + o] = dot_f32(x.data() + t * IN, wrow, IN);
  }
}

}  // namespace smolvlm::kernels
