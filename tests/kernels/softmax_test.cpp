#include "kernels/softmax.h"

#include <gtest/gtest.h>

#include <cmath>

#include "kernel_test_util.h"

namespace smolvlm::kernels {
namespace {

using testing::max_scaled_error;
using testing::random_floats;

TEST(Softmax, MatchesDoubleOracleAndSumsToOne) {
  std::mt19937 rng(31);
  for (int64_t n : {1, 2, 9, 1024}) {
    auto p = random_floats(rng, n, 8.0f);
    std::vector<double> want(p.begin(), p.end());
    const double max = *std::max_element(want.begin(), want.end());
    double sum = 0.0;
    for (double& x : want) sum += (x = std::exp(x - max));
    for (double& x : want) x /= sum;
    softmax_in_place(p);
    EXPECT_LT(max_scaled_error(p, want), 1e-6) << "n=" << n;
  }
}

TEST(Softmax, LargeScoresDoNotOverflow) {
  std::vector<float> p = {1e30f, 1e30f, -1e30f};
  softmax_in_place(p);
  EXPECT_EQ(p[0], 0.5f);
  EXPECT_EQ(p[1], 0.5f);
  EXPECT_EQ(p[2], 0.0f);
}

}  // namespace
}  // namespace smolvlm::kernels
