// Q4_K super-blocks: GGUF's byte layout (6-bit scales and mins, nibble
// order) on a hand-packed block, round trips, and the matmul paths.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/error.h"
#include "kernel_test_util.h"
#include "kernels/matmul.h"
#include "kernels/quant_formats.h"
#include "kernels/quant_q4_k.h"

namespace smolvlm::kernels {
namespace {

// Scales sc_j = 3 + 8j (sc_4.. need the high bits), mins m_j = 60 - 7j.
BlockQ4_K hand_packed() {
  BlockQ4_K b;
  std::memset(&b, 0, sizeof b);
  b.d = f32_to_f16(0.5f);
  b.dmin = f32_to_f16(0.25f);
  for (int j = 0; j < 8; ++j) {
    const int sc = 3 + 8 * j, m = 60 - 7 * j;
    if (j < 4) {
      b.scales[j] = static_cast<uint8_t>(sc);
      b.scales[j + 4] = static_cast<uint8_t>(m);
    } else {
      b.scales[j + 4] = static_cast<uint8_t>((sc & 15) | ((m & 15) << 4));
      b.scales[j - 4] |= static_cast<uint8_t>((sc >> 4) << 6);
      b.scales[j] |= static_cast<uint8_t>((m >> 4) << 6);
    }
  }
  for (int i = 0; i < 128; ++i) b.qs[i] = static_cast<uint8_t>((i % 16) | ((15 - i % 16) << 4));
  return b;
}

TEST(QuantQ4K, ScalesMinsAndNibblesFollowGgufLayout) {
  const BlockQ4_K b = hand_packed();
  for (int j = 0; j < 8; ++j) {
    uint8_t sc, m;
    q4_k_scale_min(b, j, sc, m);
    EXPECT_EQ(sc, 3 + 8 * j) << j;
    EXPECT_EQ(m, 60 - 7 * j) << j;
  }
  std::vector<float> x(256);
  dequantize_row(DType::Q4_K, &b, x);
  // Bytes 32i..32i+31: sub-block 2i in the low nibbles, 2i + 1 in the high ones.
  for (int i = 0; i < 4; ++i)
    for (int l = 0; l < 32; ++l) {
      const int lo = (32 * i + l) % 16, hi = 15 - lo, j0 = 2 * i, j1 = 2 * i + 1;
      EXPECT_EQ(x[64 * i + l], 0.5f * (3 + 8 * j0) * lo - 0.25f * (60 - 7 * j0)) << i << " " << l;
      EXPECT_EQ(x[64 * i + 32 + l], 0.5f * (3 + 8 * j1) * hi - 0.25f * (60 - 7 * j1)) << i << " " << l;
    }
}

TEST(QuantQ4K, ValuesOnTheGridRoundTripExactly) {
  // Values on a grid every stored number holds exactly: levels q = 0..15
  // at step 63/64 from -945/64 = -15 * 63/64, so d = 1/64 with every 6-bit
  // scale 63, and dmin = 15/64 with every min 63.
  BlockQ4_K b;
  std::vector<float> x(256), back(256);
  for (int i = 0; i < 256; ++i) x[i] = static_cast<float>(63 * (i % 16) - 945) / 64.0f;
  quantize_row(DType::Q4_K, x, &b);
  dequantize_row(DType::Q4_K, &b, back);
  for (int i = 0; i < 256; ++i) EXPECT_EQ(back[i], x[i]) << i;
  EXPECT_EQ(f16_to_f32(b.d), 1.0f / 64.0f);
  EXPECT_EQ(f16_to_f32(b.dmin), 15.0f / 64.0f);
  for (int j = 0; j < 8; ++j) {
    uint8_t sc, m;
    q4_k_scale_min(b, j, sc, m);
    EXPECT_EQ(sc, 63);
    EXPECT_EQ(m, 63);
  }
  EXPECT_EQ(b.qs[3], 3 | (3 << 4));  // element 3 low, element 35 (also level 3) high
}

TEST(QuantQ4K, RandomRowsRoundTripWithinAStep) {
  std::mt19937 rng(5);
  const int64_t n = 256 * 6;
  const std::vector<float> x = testing::random_floats(rng, n);
  std::vector<uint8_t> blocks(quant_row_bytes(DType::Q4_K, n));
  EXPECT_EQ(blocks.size(), 6u * 144u);
  std::vector<float> back(n);
  quantize_row(DType::Q4_K, x, blocks.data());
  dequantize_row(DType::Q4_K, blocks.data(), back);
  double err2 = 0, norm2 = 0, worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    err2 += (back[i] - x[i]) * (back[i] - x[i]);
    norm2 += x[i] * x[i];
    worst = std::max(worst, std::fabs(static_cast<double>(back[i]) - x[i]));
  }
  // 15 steps over a sub-block's range (~5 sigma): RMS ~ step / sqrt(12) ~ 0.1.
  EXPECT_LT(std::sqrt(err2 / norm2), 0.12);
  EXPECT_LT(worst, 0.5);
}

TEST(QuantQ4K, MatmulReadsItExactlyAndThroughTheIntegerKernel) {
  std::mt19937 rng(6);
  const int64_t n = 5, K = 512, OUT = 19;
  const std::vector<float> w = testing::random_floats(rng, OUT * K), x = testing::random_floats(rng, n * K);
  const size_t rb = quant_row_bytes(DType::Q4_K, K);
  std::vector<uint8_t> blocks(OUT * rb);
  for (int64_t o = 0; o < OUT; ++o)
    quantize_row(DType::Q4_K, std::span<const float>(w).subspan(o * K, K), blocks.data() + o * rb);
  const WeightView view{DType::Q4_K, OUT, K, blocks.data()};
  std::vector<float> want(n * OUT), exact(n * OUT), fast(n * OUT);
  reference::matmul(x, n, view, want);
  matmul(x, n, view, exact, ComputeMode::Exact);
  matmul(x, n, view, fast, ComputeMode::Fast);
  EXPECT_EQ(exact, want);
  // Fast quantizes the activations to int8 per 32 values (quant_matmul.h;
  // the kernel against its oracle: quant_matmul_test.cpp): well under 1 % RMS.
  double err = 0, norm = 0;
  for (int64_t i = 0; i < n * OUT; ++i) {
    err += (fast[i] - want[i]) * (fast[i] - want[i]);
    norm += want[i] * want[i];
  }
  EXPECT_LT(std::sqrt(err / norm), 0.01);
  EXPECT_THROW(quant_row_bytes(DType::Q4_K, 288), Error);
}

}  // namespace
}  // namespace smolvlm::kernels
