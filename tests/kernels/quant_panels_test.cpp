// Q8_0 / Q4_0 weights as panels (kernels/quant_panels.h): packing keeps every
// value, and matmul / linear over panels give the bits the GGUF rows give, in
// the exact mode and the integer kernels, for any number of rows and threads.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/error.h"
#include "kernel_test_util.h"
#include "kernels/linear.h"
#include "kernels/matmul.h"
#include "kernels/quant_formats.h"
#include "kernels/quant_matmul.h"
#include "kernels/quant_panels.h"
#include "simd_test_util.h"

namespace smolvlm::kernels {
namespace {

using testing::random_floats;
using testing::ScopedThreads;

struct RowsAndPanels {
  std::vector<uint8_t> rows, panels;
  WeightView rows_view, panels_view;
  RowsAndPanels(DType dtype, int64_t out, int64_t in, const std::vector<float>& v) {
    const size_t rb = quant_row_bytes(dtype, in);
    rows.resize(out * rb);
    for (int64_t i = 0; i < out; ++i)
      quantize_row(dtype, std::span<const float>(v).subspan(i * in, in), rows.data() + i * rb);
    rows_view = WeightView{dtype, out, in, rows.data()};
    const DType panels_dtype = quant_panels_of(dtype);
    panels.resize(*dtype_tensor_bytes(panels_dtype, {out, in}));
    pack_quant_panels(rows_view, panels);
    panels_view = WeightView{panels_dtype, out, in, panels.data()};
  }
};

// n x in x out: one row, the tiles' remainders (4 rows, strips of 3 panels of
// 16), an odd number of blocks, several tasks, the model's widths.
const int64_t kShapes[][3] = {{1, 32, 1},   {1, 96, 9},     {2, 64, 17},   {3, 160, 50},   {4, 32, 48},
                              {5, 576, 31}, {7, 224, 97},   {13, 576, 66}, {1, 576, 192},  {1, 1536, 200},
                              {40, 288, 130}, {9, 2048, 64}};

class QuantPanels : public ::testing::TestWithParam<DType> {};

TEST_P(QuantPanels, PackingKeepsEveryValue) {
  std::mt19937 rng(1);
  for (const auto& s : kShapes) {
    const int64_t IN = s[1], OUT = s[2];
    const RowsAndPanels w(GetParam(), OUT, IN, random_floats(rng, OUT * IN));
    std::vector<float> want(IN), got(IN);
    for (int64_t o = 0; o < OUT; ++o) {
      weight_row_to_f32(w.rows_view, o, want);
      weight_row_to_f32(w.panels_view, o, got);
      ASSERT_EQ(got, want) << "row " << o << " of [" << OUT << ", " << IN << "]";
    }
  }
}

TEST_P(QuantPanels, GiveTheBitsOfTheRowsInEveryMode) {
  std::mt19937 rng(2);
  for (ComputeMode mode : {ComputeMode::Exact, ComputeMode::Fast})
    for (const auto& s : kShapes) {
      const int64_t N = s[0], IN = s[1], OUT = s[2];
      const RowsAndPanels w(GetParam(), OUT, IN, random_floats(rng, OUT * IN));
      const testing::StoredWeight bias(DType::F32, 1, OUT, random_floats(rng, OUT));
      const auto x = random_floats(rng, N * IN);
      std::vector<float> from_rows(N * OUT), from_panels(N * OUT);
      linear(x, N, w.rows_view, bias.view(), from_rows, mode);
      linear(x, N, w.panels_view, bias.view(), from_panels, mode);
      EXPECT_EQ(from_panels, from_rows) << "fast=" << (mode == ComputeMode::Fast) << " n=" << N << " in=" << IN
                                        << " out=" << OUT;
    }
}

TEST_P(QuantPanels, RowsDoNotDependOnBatchOrThreads) {
  std::mt19937 rng(3);
  const int64_t N = 23, IN = 1600, OUT = 101;
  const RowsAndPanels w(GetParam(), OUT, IN, random_floats(rng, OUT * IN));
  const auto x = random_floats(rng, N * IN);
  std::vector<float> all(N * OUT);
  matmul(x, N, w.panels_view, all, ComputeMode::Fast);
  for (int64_t first = 0; first < N; first += 5)
    for (int64_t rows : {1, 2, 3, 4, 5, 9, 16}) {
      if (first + rows > N) continue;
      std::vector<float> some(rows * OUT);
      matmul(std::span(x).subspan(first * IN, rows * IN), rows, w.panels_view, some, ComputeMode::Fast);
      EXPECT_TRUE(std::equal(some.begin(), some.end(), all.begin() + first * OUT))
          << "rows " << first << ".." << first + rows - 1;
    }
  for (int threads : {1, 3}) {
    ScopedThreads pool(threads);
    std::vector<float> again(N * OUT);
    matmul(x, N, w.panels_view, again, ComputeMode::Fast);
    EXPECT_EQ(again, all) << threads << " threads";
  }
}

TEST(QuantPanelsLayout, OnlyQ8_0AndQ4_0HavePanels) {
  EXPECT_EQ(quant_panels_of(DType::Q8_0), DType::Q8_0_PANELS);
  EXPECT_EQ(quant_panels_of(DType::Q4_0), DType::Q4_0_PANELS);
  EXPECT_THROW(quant_panels_of(DType::Q4_K), Error);
  EXPECT_THROW(quant_panels_of(DType::BF16), Error);
  EXPECT_FALSE(dtype_tensor_bytes(DType::Q8_0_PANELS, {16, 48}).has_value());  // not whole blocks
  EXPECT_EQ(dtype_tensor_bytes(DType::Q4_0_PANELS, {17, 64}), 2u * 2u * 288u);
}

INSTANTIATE_TEST_SUITE_P(Dtypes, QuantPanels, ::testing::Values(DType::Q8_0, DType::Q4_0),
                         [](const ::testing::TestParamInfo<DType>& info) {
                           return info.param == DType::Q8_0 ? std::string("Q8_0") : std::string("Q4_0");
                         });

}  // namespace
}  // namespace smolvlm::kernels
