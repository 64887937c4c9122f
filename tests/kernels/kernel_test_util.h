// Helpers for the kernel tests: random inputs, weights stored in each dtype,
// and the double-precision comparisons the oracles use.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "core/dtype.h"
#include "kernels/weight_view.h"

namespace smolvlm::kernels::testing {

inline std::vector<float> random_floats(std::mt19937& rng, int64_t n, float scale = 1.0f) {
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// A weight stored in `dtype` (rounded from the given values) plus the exact
// f32 values it holds, which the double oracles read.
struct StoredWeight {
  DType dtype;
  int64_t rows, cols;
  std::vector<uint8_t> bytes;
  std::vector<float> values;  // what the stored elements decode to

  StoredWeight(DType dtype_, int64_t rows_, int64_t cols_, const std::vector<float>& v)
      : dtype(dtype_), rows(rows_), cols(cols_), bytes(v.size() * dtype_size_bytes(dtype_)), values(v.size()) {
    for (size_t i = 0; i < v.size(); ++i) {
      if (dtype == DType::F32) {
        values[i] = v[i];
        std::memcpy(bytes.data() + 4 * i, &v[i], 4);
      } else {
        const uint16_t h = dtype == DType::BF16 ? f32_to_bf16(v[i]) : f32_to_f16(v[i]);
        values[i] = dtype == DType::BF16 ? bf16_to_f32(h) : f16_to_f32(h);
        std::memcpy(bytes.data() + 2 * i, &h, 2);
      }
    }
  }
  WeightView view() const { return WeightView{dtype, rows, cols, bytes.data()}; }
};

// y = x·Wᵀ in f64 over the stored weight values, x optionally rounded to BF16
// first (what the fast kernels multiply).
inline std::vector<double> matmul_oracle(const std::vector<float>& x, int64_t n, const StoredWeight& w,
                                         bool round_x_to_bf16 = false) {
  std::vector<double> y(n * w.rows);
  for (int64_t t = 0; t < n; ++t)
    for (int64_t o = 0; o < w.rows; ++o) {
      double acc = 0.0;
      for (int64_t i = 0; i < w.cols; ++i) {
        const float xi = x[t * w.cols + i];
        acc += static_cast<double>(round_x_to_bf16 ? bf16_to_f32(f32_to_bf16(xi)) : xi) * w.values[o * w.cols + i];
      }
      y[t * w.rows + o] = acc;
    }
  return y;
}

// max |a - b| / (1 + |b|): relative for large values, absolute near zero.
inline double max_scaled_error(const std::vector<float>& got, const std::vector<double>& want) {
  double worst = 0.0;
  for (size_t i = 0; i < got.size(); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(got[i]) - want[i]) / (1.0 + std::abs(want[i])));
  return worst;
}

}  // namespace smolvlm::kernels::testing
