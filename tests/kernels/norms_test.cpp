#include "kernels/norms.h"

#include <gtest/gtest.h>

#include "kernel_test_util.h"

namespace smolvlm::kernels {
namespace {

using testing::max_scaled_error;
using testing::random_floats;
using testing::StoredWeight;

TEST(RmsNorm, MatchesDoubleOracle) {
  std::mt19937 rng(11);
  for (DType dtype : {DType::F32, DType::BF16, DType::F16}) {
    for (const auto& [N, D] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {3, 64}, {2, 17}, {4, 576}}) {
      const float eps = 1e-5f;
      const auto x = random_floats(rng, N * D, 3.0f);
      const StoredWeight w(dtype, 1, D, random_floats(rng, D));
      std::vector<double> want(N * D);
      for (int64_t t = 0; t < N; ++t) {
        double ss = 0.0;
        for (int64_t i = 0; i < D; ++i) ss += static_cast<double>(x[t * D + i]) * x[t * D + i];
        const double r = 1.0 / std::sqrt(ss / D + eps);
        for (int64_t i = 0; i < D; ++i) want[t * D + i] = w.values[i] * x[t * D + i] * r;
      }
      std::vector<float> y(N * D);
      rms_norm(x, N, w.view(), eps, y);
      EXPECT_LT(max_scaled_error(y, want), 1e-6) << dtype_name(dtype) << " n=" << N << " d=" << D;
    }
  }
}

TEST(RmsNorm, WorksInPlace) {
  std::mt19937 rng(12);
  const int64_t N = 3, D = 10;
  auto x = random_floats(rng, N * D);
  const StoredWeight w(DType::BF16, 1, D, random_floats(rng, D));
  std::vector<float> y(N * D);
  rms_norm(x, N, w.view(), 1e-5f, y);
  rms_norm(x, N, w.view(), 1e-5f, x);
  EXPECT_EQ(x, y);
}

TEST(RmsNorm, ZeroRowGivesZerosNotNaN) {
  const StoredWeight w(DType::F32, 1, 4, {1, 2, 3, 4});
  std::vector<float> x(4, 0.0f), y(4, 1.0f);
  rms_norm(x, 1, w.view(), 1e-5f, y);
  for (float v : y) EXPECT_EQ(v, 0.0f);
}

}  // namespace
}  // namespace smolvlm::kernels
