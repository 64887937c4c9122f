#include "kernels/layer_norm.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "kernel_test_util.h"

namespace smolvlm::kernels {
namespace {

using testing::max_scaled_error;
using testing::random_floats;
using testing::StoredWeight;

TEST(LayerNorm, MatchesDoubleOracle) {
  std::mt19937 rng(13);
  for (DType dtype : {DType::F32, DType::BF16, DType::F16}) {
    for (const auto& [N, D] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {3, 64}, {2, 17}, {4, 144}}) {
      const float eps = 1e-6f;
      // An offset far from zero checks that the variance is taken around the mean.
      auto x = random_floats(rng, N * D, 3.0f);
      for (float& v : x) v += 40.0f;
      const StoredWeight w(dtype, 1, D, random_floats(rng, D));
      const StoredWeight b(dtype, 1, D, random_floats(rng, D));
      std::vector<double> want(N * D);
      for (int64_t t = 0; t < N; ++t) {
        double mean = 0.0, var = 0.0;
        for (int64_t i = 0; i < D; ++i) mean += x[t * D + i];
        mean /= D;
        for (int64_t i = 0; i < D; ++i) var += (x[t * D + i] - mean) * (x[t * D + i] - mean);
        const double r = 1.0 / std::sqrt(var / D + eps);
        for (int64_t i = 0; i < D; ++i) want[t * D + i] = (x[t * D + i] - mean) * r * w.values[i] + b.values[i];
      }
      std::vector<float> y(N * D);
      layer_norm(x, N, w.view(), b.view(), eps, y);
      // 40 +- 3 inputs lose ~1e-6 relative when x*rstd and -rstd*mean cancel.
      EXPECT_LT(max_scaled_error(y, want), 2e-5) << dtype_name(dtype) << " n=" << N << " d=" << D;
    }
  }
}

TEST(LayerNorm, WorksInPlace) {
  std::mt19937 rng(14);
  const int64_t N = 3, D = 10;
  auto x = random_floats(rng, N * D);
  const StoredWeight w(DType::BF16, 1, D, random_floats(rng, D));
  const StoredWeight b(DType::BF16, 1, D, random_floats(rng, D));
  std::vector<float> y(N * D);
  layer_norm(x, N, w.view(), b.view(), 1e-6f, y);
  layer_norm(x, N, w.view(), b.view(), 1e-6f, x);
  EXPECT_EQ(x, y);
}

TEST(LayerNorm, ConstantRowGivesTheBias) {
  const StoredWeight w(DType::F32, 1, 4, {1, 2, 3, 4});
  const StoredWeight b(DType::F32, 1, 4, {0.5f, -1, 2, 0});
  std::vector<float> x(4, 7.0f), y(4);
  layer_norm(x, 1, w.view(), b.view(), 1e-6f, y);
  EXPECT_EQ(y, b.values);
}

TEST(LayerNorm, WrongBiasSizeThrows) {
  const StoredWeight w(DType::F32, 1, 4, {1, 2, 3, 4});
  const StoredWeight b(DType::F32, 1, 3, {1, 2, 3});
  std::vector<float> x(4, 1.0f), y(4);
  EXPECT_THROW(layer_norm(x, 1, w.view(), b.view(), 1e-6f, y), Error);
}

}  // namespace
}  // namespace smolvlm::kernels
