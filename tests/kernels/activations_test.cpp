#include "kernels/activations.h"

#include <gtest/gtest.h>

#include <cmath>

#include "kernel_test_util.h"

namespace smolvlm::kernels {
namespace {

TEST(SiluMul, MatchesDoubleOracle) {
  std::mt19937 rng(31);
  for (int64_t n : {1, 7, 128, 1537}) {
    const auto gate = testing::random_floats(rng, n, 4.0f), up = testing::random_floats(rng, n);
    std::vector<double> want(n);
    for (int64_t i = 0; i < n; ++i) want[i] = gate[i] / (1.0 + std::exp(-static_cast<double>(gate[i]))) * up[i];
    std::vector<float> out(n);
    silu_mul(gate, up, out);
    EXPECT_LT(testing::max_scaled_error(out, want), 1e-6) << n;
  }
}

TEST(SiluMul, SaturatesWithoutNaN) {
  const std::vector<float> gate{-200.0f, -100.0f, 100.0f, 0.0f}, up{1, 1, 1, 1};
  std::vector<float> out(4);
  silu_mul(gate, up, out);
  EXPECT_EQ(out[0], -0.0f);
  EXPECT_NEAR(out[1], 0.0f, 1e-30);
  EXPECT_EQ(out[2], 100.0f);
  EXPECT_EQ(out[3], 0.0f);
}

TEST(AddInPlace, AddsElementwise) {
  std::vector<float> x{1, 2, 3};
  add_in_place(x, std::vector<float>{0.5f, -2, 4});
  EXPECT_EQ(x, (std::vector<float>{1.5f, 0, 7}));
}

}  // namespace
}  // namespace smolvlm::kernels
