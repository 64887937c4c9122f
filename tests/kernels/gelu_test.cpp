#include "kernels/gelu.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "kernel_test_util.h"

namespace smolvlm::kernels {
namespace {

using testing::max_scaled_error;
using testing::random_floats;

TEST(GeluTanh, MatchesDoubleOracle) {
  std::mt19937 rng(17);
  auto x = random_floats(rng, 4096, 4.0f);
  x.insert(x.end(), {0.0f, -0.0f, 1.0f, -1.0f, 12.0f, -12.0f, 1e-20f});
  std::vector<double> want(x.size());
  const double beta = std::sqrt(2.0 / std::numbers::pi);
  for (size_t i = 0; i < x.size(); ++i) {
    const double v = x[i];
    want[i] = 0.5 * v * (1.0 + std::tanh(beta * (v + 0.044715 * v * v * v)));
  }
  gelu_tanh(x);
  EXPECT_LT(max_scaled_error(x, want), 1e-6);
}

TEST(GeluTanh, KnownValues) {
  std::vector<float> x = {0.0f, 1.0f, -3.0f};
  gelu_tanh(x);
  EXPECT_EQ(x[0], 0.0f);
  EXPECT_NEAR(x[1], 0.8411920f, 1e-6f);  // torch: gelu(1, approximate="tanh")
  EXPECT_NEAR(x[2], -0.0036373f, 1e-6f);
}

}  // namespace
}  // namespace smolvlm::kernels
