#include "eval/numpy_mean.h"

#include <cmath>

namespace smolvlm::eval {
namespace {

// numpy/core/src/umath/loops_utils.h.src pairwise_sum: 8 running sums for blocks
// of up to 128 values, halving above that.
double pairwise_sum(const double* values, size_t count) {
  if (count < 8) {
    double sum = 0.0;
    for (size_t i = 0; i < count; ++i) sum += values[i];
    return sum;
  }
  if (count <= 128) {
    double partial[8];
    for (size_t j = 0; j < 8; ++j) partial[j] = values[j];
    size_t i = 8;
    for (; i < count - (count % 8); i += 8) {
      for (size_t j = 0; j < 8; ++j) partial[j] += values[i + j];
    }
    double sum = ((partial[0] + partial[1]) + (partial[2] + partial[3])) +
                 ((partial[4] + partial[5]) + (partial[6] + partial[7]));
    for (; i < count; ++i) sum += values[i];
    return sum;
  }
  size_t half = count / 2;
  half -= half % 8;
  return pairwise_sum(values, half) + pairwise_sum(values + half, count - half);
}

}  // namespace

double numpy_mean(const std::vector<double>& values) {
  if (values.empty()) return NAN;
  return (0.0 + pairwise_sum(values.data(), values.size())) / static_cast<double>(values.size());
}

}  // namespace smolvlm::eval
