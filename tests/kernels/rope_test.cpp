#include "kernels/rope.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "kernel_test_util.h"

namespace smolvlm::kernels {
namespace {

TEST(Rope, InvFreqFollowsTheFormula) {
  const auto inv = rope_inv_freq(16, 100000.0);
  ASSERT_EQ(inv.size(), 8u);
  EXPECT_EQ(inv[0], 1.0f);  // theta^0
  for (int i = 0; i < 8; ++i) {
    const double want = 1.0 / std::pow(100000.0, 2.0 * i / 16.0);
    EXPECT_NEAR(inv[i], want, 2e-7 * want) << i;
  }
  // i = 4: 100000^(8/16) = sqrt(1e5) = 316.227766...
  EXPECT_NEAR(inv[4], 1.0 / 316.22776601683796, 1e-9);
}

TEST(Rope, InvFreqRejectsOddHeadDim) { EXPECT_THROW(rope_inv_freq(15, 10000.0), Error); }

TEST(Rope, CosSinAtHandPickedPositions) {
  const int64_t D = 16;
  const auto inv = rope_inv_freq(D, 273768.0);
  std::vector<float> c(D), s(D);
  rope_cos_sin(inv, 0, c, s);
  for (int64_t i = 0; i < D; ++i) {
    EXPECT_EQ(c[i], 1.0f);
    EXPECT_EQ(s[i], 0.0f);
  }
  for (int64_t p : {1, 7, 600, 8191}) {
    rope_cos_sin(inv, p, c, s);
    for (int64_t i = 0; i < D / 2; ++i) {
      // freqs are f32(p) * f32 inv_freq rounded to f32, then cos/sin of that.
      const double angle = static_cast<double>(static_cast<float>(p) * inv[i]);
      EXPECT_NEAR(c[i], std::cos(angle), 1e-6) << "p=" << p << " i=" << i;
      EXPECT_NEAR(s[i], std::sin(angle), 1e-6) << "p=" << p << " i=" << i;
      EXPECT_EQ(c[i + D / 2], c[i]);
      EXPECT_EQ(s[i + D / 2], s[i]);
    }
  }
  // Position 1, pair 0: angle exactly 1 rad.
  rope_cos_sin(inv, 1, c, s);
  EXPECT_NEAR(c[0], 0.5403023058681398, 1e-7);
  EXPECT_NEAR(s[0], 0.8414709848078965, 1e-7);
}

TEST(Rope, ApplyRotatesHalvesAsPairs) {
  std::mt19937 rng(5);
  const int64_t D = 8, NH = 3;
  const auto inv = rope_inv_freq(D, 10000.0);
  std::vector<float> c(D), s(D);
  rope_cos_sin(inv, 5, c, s);
  auto x = testing::random_floats(rng, NH * D);
  const auto before = x;
  rope_apply(x, NH, c, s);
  for (int64_t h = 0; h < NH; ++h)
    for (int64_t i = 0; i < D / 2; ++i) {
      const double lo = before[h * D + i], hi = before[h * D + i + D / 2];
      EXPECT_NEAR(x[h * D + i], lo * c[i] - hi * s[i], 1e-6);
      EXPECT_NEAR(x[h * D + i + D / 2], hi * c[i] + lo * s[i], 1e-6);
    }
}

TEST(Rope, RotationPreservesNormAndComposes) {
  // R(p) then R(q) equals R(p + q) up to rounding: a check of the pairing.
  std::mt19937 rng(6);
  const int64_t D = 16;
  const auto inv = rope_inv_freq(D, 10000.0);
  std::vector<float> c(D), s(D);
  auto x = testing::random_floats(rng, D), y = x;
  rope_cos_sin(inv, 3, c, s);
  rope_apply(x, 1, c, s);
  rope_cos_sin(inv, 4, c, s);
  rope_apply(x, 1, c, s);
  rope_cos_sin(inv, 7, c, s);
  rope_apply(y, 1, c, s);
  for (int64_t i = 0; i < D; ++i) EXPECT_NEAR(x[i], y[i], 1e-5);
}

}  // namespace
}  // namespace smolvlm::kernels
