// The input gradient dx = dy·W through a block-quantized W (QLoRA's frozen
// base, kernels/matmul_backward.h): on every ISA it equals dx over the
// dequantized f32 matrix bit for bit (the SIMD path dequantizes panels and
// keeps the F32 path's blocks and order of summation), with odd token and
// output counts and widths that do not fill a column block.
#include <gtest/gtest.h>

#include <random>

#include "kernel_test_util.h"
#include "kernels/matmul_backward.h"
#include "kernels/quant_formats.h"
#include "simd_test_util.h"

namespace smolvlm::kernels {
namespace {

using testing::random_floats;

struct QuantizedWeight {
  DType dtype;
  int64_t rows, cols;
  std::vector<uint8_t> bytes;
  std::vector<float> dequantized;  // what the blocks decode to

  QuantizedWeight(DType d, int64_t r, int64_t c, const std::vector<float>& values)
      : dtype(d), rows(r), cols(c), bytes(r * quant_row_bytes(d, c)), dequantized(r * c) {
    const size_t row_bytes = quant_row_bytes(d, c);
    for (int64_t i = 0; i < r; ++i) {
      quantize_row(d, std::span(values).subspan(i * c, c), bytes.data() + i * row_bytes);
      dequantize_row(d, bytes.data() + i * row_bytes, std::span(dequantized).subspan(i * c, c));
    }
  }
  WeightView view() const { return {dtype, rows, cols, bytes.data()}; }
  WeightView f32_view() const { return {DType::F32, rows, cols, dequantized.data()}; }
};

class QuantBackwardOnIsa : public ::testing::TestWithParam<Isa> {
 protected:
  ScopedIsa isa_{GetParam()};
};

TEST_P(QuantBackwardOnIsa, InputGradientEqualsTheDequantizedF32Path) {
  std::mt19937 rng(11);
  // {tokens, in, out}: in a multiple of the block (32; 256 for Q4_K), the
  // rest odd; out > 256 crosses a p block, in > 192 a column block.
  const int64_t shapes[][3] = {{1, 32, 1}, {3, 96, 17}, {13, 224, 37}, {50, 416, 301}, {7, 64, 5}, {203, 64, 33}};
  for (DType dtype : {DType::Q8_0, DType::Q4_0, DType::Q4_K})
    for (const auto& s : shapes) {
      const int64_t N = s[0], IN = dtype == DType::Q4_K ? s[1] / 32 * 256 : s[1], OUT = s[2];
      const QuantizedWeight w(dtype, OUT, IN, random_floats(rng, OUT * IN, 0.1f));
      const auto dy = random_floats(rng, N * OUT), dx_start = random_floats(rng, N * IN);
      const std::string where = std::string(dtype_name(dtype)) + " n=" + std::to_string(N) + " in=" +
                                std::to_string(IN) + " out=" + std::to_string(OUT);
      for (bool accumulate : {false, true}) {
        std::vector<float> got = accumulate ? dx_start : std::vector<float>(N * IN, 123.0f), want = got;
        matmul_backward_input(dy, N, w.view(), got, accumulate);
        matmul_backward_input(dy, N, w.f32_view(), want, accumulate);
        ASSERT_EQ(got, want) << where << (accumulate ? " accumulate" : "");
      }
      // And the path is not trivially zero: the scalar oracle over the dequantized values agrees.
      std::vector<float> got(N * IN), oracle(N * IN);
      matmul_backward_input(dy, N, w.view(), got, false);
      reference::matmul_backward_input(dy, N, w.f32_view(), oracle, false);
      std::vector<double> want(oracle.begin(), oracle.end());
      EXPECT_LT(testing::max_scaled_error(got, want), 2e-5) << where;
    }
}

INSTANTIATE_TEST_SUITE_P(Isas, QuantBackwardOnIsa, ::testing::ValuesIn(testing::supported_isas()),
                         testing::isa_param_name);

}  // namespace
}  // namespace smolvlm::kernels
