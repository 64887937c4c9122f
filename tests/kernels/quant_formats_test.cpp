// Q8_0 / Q4_0 reference quantizers: GGUF's byte layout and ggml's rounding
// rules on hand-made blocks, and round trips within half a step.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/error.h"
#include "kernel_test_util.h"
#include "kernels/quant_formats.h"
#include "kernels/weight_view.h"

namespace smolvlm::kernels {
namespace {

TEST(QuantFormats, Q8_0BlockLayoutAndRounding) {
  // amax 127 -> d = 1 exactly; x = k + 0.5 rounds half away from zero.
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j) - 15.5f;
  x[31] = 127.0f;
  x[30] = -2.5f;
  BlockQ8_0 b;
  quantize_row(DType::Q8_0, x, &b);
  EXPECT_EQ(b.d, f32_to_f16(1.0f));
  EXPECT_EQ(b.qs[0], -16);  // -15.5 -> -16
  EXPECT_EQ(b.qs[15], -1);  // -0.5 -> -1
  EXPECT_EQ(b.qs[16], 1);   // 0.5 -> 1
  EXPECT_EQ(b.qs[30], -3);  // -2.5 -> -3
  EXPECT_EQ(b.qs[31], 127);
  // The raw bytes: little-endian f16 d, then the 32 int8 values.
  uint8_t raw[34];
  std::memcpy(raw, &b, 34);
  EXPECT_EQ(raw[0] | raw[1] << 8, 0x3c00);  // f16 1.0
  EXPECT_EQ(static_cast<int8_t>(raw[2]), -16);
}

TEST(QuantFormats, Q8_0ScaleIsStoredAsF16AfterRoundingWithTheF32Scale) {
  std::vector<float> x(32, 0.0f);
  x[0] = 1.0f;  // d = 1/127 (not an f16), id = 127: q = 127 exactly
  x[1] = 0.5f;  // 63.5 -> 64
  BlockQ8_0 b;
  quantize_row(DType::Q8_0, x, &b);
  EXPECT_EQ(b.d, f32_to_f16(1.0f / 127.0f));
  EXPECT_EQ(b.qs[0], 127);
  EXPECT_EQ(b.qs[1], 64);
  EXPECT_EQ(b.qs[2], 0);
}

TEST(QuantFormats, Q4_0NibbleOrderAndSignedScale) {
  // Largest magnitude -8 (negative): d = -8 / -8 = 1, so q = x + 8.
  std::vector<float> x(32);
  for (int j = 0; j < 16; ++j) x[j] = static_cast<float>(j % 16) - 8.0f;  // low nibbles 0..15
  for (int j = 16; j < 32; ++j) x[j] = 7.0f - static_cast<float>(j - 16);  // high nibbles 15..0
  BlockQ4_0 b;
  quantize_row(DType::Q4_0, x, &b);
  EXPECT_EQ(b.d, f32_to_f16(1.0f));
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(b.qs[j] & 0x0f, j) << j;
    EXPECT_EQ(b.qs[j] >> 4, 15 - j) << j;
  }
  // Largest magnitude positive: d = 8 / -8 = -1, so the max maps to 0 and
  // -8 would map to 16, clamped to 15.
  std::vector<float> y(32, 0.0f);
  y[0] = 8.0f;
  y[1] = -8.0f;
  y[2] = 1.2f;  // 1.2 * -1 + 8.5 = 7.3 -> 7
  y[3] = -0.6f; // 0.6 + 8.5 = 9.1 -> 9
  quantize_row(DType::Q4_0, y, &b);
  EXPECT_EQ(b.d, f32_to_f16(-1.0f));
  EXPECT_EQ(b.qs[0] & 0x0f, 0);
  EXPECT_EQ(b.qs[1] & 0x0f, 15);
  EXPECT_EQ(b.qs[2] & 0x0f, 7);
  EXPECT_EQ(b.qs[3] & 0x0f, 9);
  EXPECT_EQ(b.qs[0] >> 4, 8);  // element 16 is 0 -> 8
  std::vector<float> back(32);
  dequantize_row(DType::Q4_0, &b, back);
  EXPECT_EQ(back[0], 8.0f);
  EXPECT_EQ(back[1], -7.0f);  // the clamp costs one step at the far end
  EXPECT_EQ(back[2], 1.0f);
  EXPECT_EQ(back[16], 0.0f);
}

TEST(QuantFormats, ZeroBlocksHaveZeroScaleAndDecodeToZero) {
  std::vector<float> x(64, 0.0f), back(64, 1.0f);
  BlockQ8_0 q8[2];
  BlockQ4_0 q4[2];
  quantize_row(DType::Q8_0, x, q8);
  dequantize_row(DType::Q8_0, q8, back);
  for (float v : back) EXPECT_EQ(v, 0.0f);
  quantize_row(DType::Q4_0, x, q4);
  EXPECT_EQ(q4[1].d, 0x8000);  // 0 / -8 = -0, as ggml stores it
  EXPECT_EQ(q4[1].qs[5], 0x88);
  dequantize_row(DType::Q4_0, q4, back);
  for (float v : back) EXPECT_EQ(v, 0.0f);
}

// Round trip: every value within half a step of the stored scale (plus the
// f16 rounding of d), Q4_0's clamped end within one step.
TEST(QuantFormats, RoundTripWithinHalfAStep) {
  std::mt19937 rng(7);
  const int64_t n = 32 * 37;
  const std::vector<float> x = testing::random_floats(rng, n, 3.0f);
  for (DType dtype : {DType::Q8_0, DType::Q4_0}) {
    std::vector<uint8_t> blocks(quant_row_bytes(dtype, n));
    std::vector<float> back(n);
    quantize_row(dtype, x, blocks.data());
    dequantize_row(dtype, blocks.data(), back);
    for (int64_t b = 0; b < n / 32; ++b) {
      uint16_t d16;
      std::memcpy(&d16, blocks.data() + b * dtype_block_bytes(dtype), 2);
      const float step = std::fabs(f16_to_f32(d16));
      for (int64_t j = 0; j < 32; ++j) {
        const float err = std::fabs(back[b * 32 + j] - x[b * 32 + j]);
        // q * (d16 - d32) adds at most |x| * 2^-11 (the f16 rounding of d).
        const float bound = (dtype == DType::Q8_0 ? 0.5f : 1.0f) * step * 1.001f + std::fabs(x[b * 32 + j]) * 1e-3f;
        EXPECT_LE(err, bound) << dtype_name(dtype) << " block " << b << " elem " << j;
      }
    }
  }
}

TEST(QuantFormats, WeightRowsDequantizeThroughTheWeightView) {
  std::mt19937 rng(3);
  const int64_t rows = 5, cols = 96;
  const std::vector<float> x = testing::random_floats(rng, rows * cols);
  const size_t row_bytes = quant_row_bytes(DType::Q4_0, cols);
  EXPECT_EQ(row_bytes, 3u * 18u);
  std::vector<uint8_t> blocks(rows * row_bytes);
  for (int64_t r = 0; r < rows; ++r)
    quantize_row(DType::Q4_0, std::span<const float>(x).subspan(r * cols, cols), blocks.data() + r * row_bytes);
  const WeightView w{DType::Q4_0, rows, cols, blocks.data()};
  std::vector<float> got(cols), want(cols);
  weight_row_to_f32(w, 3, got);
  dequantize_row(DType::Q4_0, blocks.data() + 3 * row_bytes, want);
  EXPECT_EQ(got, want);
}

TEST(QuantFormats, PartialBlocksAndElementDtypesAreRefused) {
  std::vector<float> x(40, 1.0f);
  std::vector<uint8_t> out(100);
  EXPECT_THROW(quantize_row(DType::Q8_0, x, out.data()), Error);
  EXPECT_THROW(quantize_row(DType::BF16, std::span<const float>(x).first(32), out.data()), Error);
  EXPECT_THROW(quant_row_bytes(DType::Q4_0, 33), Error);
  EXPECT_EQ(dtype_tensor_bytes(DType::Q8_0, {3, 64}), 3u * 2u * 34u);
  EXPECT_FALSE(dtype_tensor_bytes(DType::Q4_0, {3, 48}).has_value());
  EXPECT_FALSE(dtype_from_name("Q8_0").has_value());  // never a safetensors dtype
}

}  // namespace
}  // namespace smolvlm::kernels
