#include "kernels/matmul.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "kernel_test_util.h"
#include "kernels/dot.h"

namespace smolvlm::kernels {
namespace {

using testing::matmul_oracle;
using testing::max_scaled_error;
using testing::random_floats;
using testing::StoredWeight;

class MatmulTest : public ::testing::TestWithParam<DType> {};

TEST_P(MatmulTest, MatchesDoubleOracleOnOddShapes) {
  std::mt19937 rng(42);
  const int64_t shapes[][3] = {{1, 1, 1}, {1, 7, 3}, {3, 64, 17}, {5, 33, 9}, {2, 576, 31}, {7, 129, 65}};
  for (const auto& s : shapes) {
    const int64_t N = s[0], IN = s[1], OUT = s[2];
    const auto x = random_floats(rng, N * IN);
    const StoredWeight w(GetParam(), OUT, IN, random_floats(rng, OUT * IN, 0.1f));
    std::vector<float> y(N * OUT);
    matmul(x, N, w.view(), y);
    EXPECT_LT(max_scaled_error(y, matmul_oracle(x, N, w)), 1e-5) << "n=" << N << " in=" << IN << " out=" << OUT;
  }
}

INSTANTIATE_TEST_SUITE_P(AllWeightDTypes, MatmulTest, ::testing::Values(DType::F32, DType::BF16, DType::F16),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

TEST(Matmul, RowResultDoesNotDependOnBatchSize) {
  std::mt19937 rng(7);
  const int64_t N = 6, IN = 77, OUT = 13;
  const auto x = random_floats(rng, N * IN);
  const StoredWeight w(DType::BF16, OUT, IN, random_floats(rng, OUT * IN));
  std::vector<float> all(N * OUT), one(OUT);
  matmul(x, N, w.view(), all);
  for (int64_t t = 0; t < N; ++t) {
    matmul(std::span(x).subspan(t * IN, IN), 1, w.view(), one);
    for (int64_t o = 0; o < OUT; ++o) EXPECT_EQ(one[o], all[t * OUT + o]);
  }
}

TEST(Matmul, RejectsWrongSizes) {
  const StoredWeight w(DType::F32, 2, 3, std::vector<float>(6, 1.0f));
  std::vector<float> x(5), y(2);
  EXPECT_THROW(matmul(x, 1, w.view(), y), Error);
}

TEST(Dot, MatchesDoubleOracle) {
  std::mt19937 rng(3);
  for (int64_t len : {0, 1, 7, 8, 9, 63, 64, 1000}) {
    const auto a = random_floats(rng, len), b = random_floats(rng, len);
    double want = 0.0;
    for (int64_t i = 0; i < len; ++i) want += static_cast<double>(a[i]) * b[i];
    EXPECT_NEAR(dot_f32(a.data(), b.data(), len), want, 1e-5 * (1.0 + std::sqrt(static_cast<double>(len))));
  }
}

}  // namespace
}  // namespace smolvlm::kernels
