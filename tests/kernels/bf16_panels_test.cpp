// BF16_PANELS weights (kernels/bf16_panels.h): packing keeps every value, and
// the fast broadcast kernel matches the oracle on BF16-rounded activations,
// adds the bias, and gives rows that never depend on batching, column tiles
// or thread count; the exact mode reads them through the reference.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/error.h"
#include "kernel_test_util.h"
#include "kernels/backend.h"
#include "kernels/bf16_panels.h"
#include "kernels/linear.h"
#include "kernels/matmul.h"
#include "simd_test_util.h"

namespace smolvlm::kernels {
namespace {

using testing::matmul_oracle;
using testing::max_scaled_error;
using testing::random_floats;
using testing::ScopedThreads;
using testing::StoredWeight;

struct PanelWeight {
  std::vector<uint16_t> panels;
  WeightView view;
  explicit PanelWeight(const StoredWeight& w) : panels(bf16_panel_count(w.rows) * kPanelRows * w.cols) {
    pack_bf16_panels(w.view(), panels);
    view = WeightView{DType::BF16_PANELS, w.rows, w.cols, panels.data()};
  }
};

// n x in x out (in even): one row, tile remainders in rows (6) and in panels
// (64 outputs, 16 per vector), several panels, the model's widths, and k in
// chunks (kPanelChunkPairs: 1024 pairs) with a shorter last one.
const int64_t kShapes[][3] = {{1, 2, 1},     {1, 18, 9},      {2, 34, 17},   {5, 16, 50},     {6, 64, 64},
                              {7, 100, 97},  {13, 576, 31},   {1, 576, 192}, {100, 778, 130}, {1, 1536, 200},
                              {19, 96, 300}, {64, 1152, 80},  {8, 4500, 70}, {1, 2048, 65}};

class PanelsFast : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!isa_supported(Isa::Avx512Bf16)) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  }
  ScopedIsa isa_{isa_supported(Isa::Avx512Bf16) ? Isa::Avx512Bf16 : Isa::Scalar};
};

TEST(Bf16Panels, PackingKeepsEveryValueAndPadsTheLastPanelWithZeros) {
  std::mt19937 rng(1);
  for (const auto& s : kShapes) {
    const int64_t IN = s[1], OUT = s[2];
    const StoredWeight w(DType::BF16, OUT, IN, random_floats(rng, OUT * IN));
    const PanelWeight p(w);
    EXPECT_EQ(dtype_tensor_bytes(DType::BF16_PANELS, {OUT, IN}), p.panels.size() * 2);
    std::vector<float> row(IN);
    for (int64_t o = 0; o < OUT; ++o) {
      weight_row_to_f32(p.view, o, row);
      ASSERT_TRUE(std::equal(row.begin(), row.end(), w.values.begin() + o * IN)) << "row " << o << " of " << OUT;
    }
    int64_t nonzero_padding = 0;
    for (int64_t o = OUT; o < bf16_panel_count(OUT) * kPanelRows; ++o)
      for (int64_t k = 0; k < IN; ++k)
        nonzero_padding += p.panels[(o / kPanelRows) * kPanelRows * IN + (k / 2) * 2 * kPanelRows + (o % kPanelRows) * 2 + k % 2] != 0;
    EXPECT_EQ(nonzero_padding, 0) << OUT;
  }
}

TEST(Bf16Panels, PackingRefusesOddWidthsAndOtherDtypes) {
  const StoredWeight odd(DType::BF16, 3, 5, std::vector<float>(15, 1.0f));
  std::vector<uint16_t> out(kPanelRows * 5);
  EXPECT_THROW(pack_bf16_panels(odd.view(), out), Error);
  const StoredWeight f16(DType::F16, 3, 4, std::vector<float>(12, 1.0f));
  std::vector<uint16_t> out4(kPanelRows * 4);
  EXPECT_THROW(pack_bf16_panels(f16.view(), out4), Error);
  EXPECT_FALSE(dtype_tensor_bytes(DType::BF16_PANELS, {3, 5}).has_value());
}

TEST_F(PanelsFast, MatchesTheOracleOnBf16RoundedActivations) {
  std::mt19937 rng(2);
  for (const auto& s : kShapes) {
    const int64_t N = s[0], IN = s[1], OUT = s[2];
    const auto x = random_floats(rng, N * IN);
    const StoredWeight w(DType::BF16, OUT, IN, random_floats(rng, OUT * IN, 0.1f));
    const PanelWeight p(w);
    std::vector<float> y(N * OUT);
    matmul(x, N, p.view, y, ComputeMode::Fast);
    EXPECT_LT(max_scaled_error(y, matmul_oracle(x, N, w, true)), 1e-5) << "n=" << N << " in=" << IN << " out=" << OUT;
  }
}

TEST_F(PanelsFast, LinearAddsTheBiasToEachSum) {
  std::mt19937 rng(3);
  const int64_t N = 37, IN = 2178, OUT = 67;  // two chunks of k: the bias once, after the last
  const auto x = random_floats(rng, N * IN);
  const StoredWeight w(DType::BF16, OUT, IN, random_floats(rng, OUT * IN, 0.1f));
  const StoredWeight b(DType::BF16, 1, OUT, random_floats(rng, OUT));
  const PanelWeight p(w);
  std::vector<float> with_bias(N * OUT), without(N * OUT);
  linear(x, N, p.view, b.view(), with_bias, ComputeMode::Fast);
  matmul(x, N, p.view, without, ComputeMode::Fast);
  for (int64_t t = 0; t < N; ++t)
    for (int64_t o = 0; o < OUT; ++o)
      ASSERT_EQ(with_bias[t * OUT + o], without[t * OUT + o] + b.values[o]) << t << "," << o;
}

TEST_F(PanelsFast, NoInputsGiveTheBiasAlone) {
  std::mt19937 rng(6);
  const int64_t OUT = 70;
  const StoredWeight w(DType::BF16, OUT, 0, {});
  const StoredWeight b(DType::BF16, 1, OUT, random_floats(rng, OUT));
  const PanelWeight p(w);
  for (int64_t n : {1, 7}) {
    std::vector<float> y(n * OUT, std::nanf(""));
    linear({}, n, p.view, b.view(), y, ComputeMode::Fast);
    for (int64_t t = 0; t < n; ++t)
      for (int64_t o = 0; o < OUT; ++o) ASSERT_EQ(y[t * OUT + o], b.values[o]) << n << " rows, " << t << "," << o;
  }
}

// Decode (one row), batched decode, chunked prefill and any thread count give
// the same bits for a row.
TEST_F(PanelsFast, RowsDoNotDependOnBatchColumnsOrThreads) {
  std::mt19937 rng(4);
  const int64_t N = 23, IN = 4200, OUT = 101;
  const auto x = random_floats(rng, N * IN);
  const StoredWeight w(DType::BF16, OUT, IN, random_floats(rng, OUT * IN));
  const PanelWeight p(w);
  std::vector<float> all(N * OUT);
  matmul(x, N, p.view, all, ComputeMode::Fast);
  for (int64_t first = 0; first < N; first += 5)
    for (int64_t rows : {1, 2, 3, 5, 6, 7, 13, 16}) {
      if (first + rows > N) continue;
      std::vector<float> some(rows * OUT);
      matmul(std::span(x).subspan(first * IN, rows * IN), rows, p.view, some, ComputeMode::Fast);
      EXPECT_TRUE(std::equal(some.begin(), some.end(), all.begin() + first * OUT))
          << "rows " << first << ".." << first + rows - 1;
    }
  for (int threads : {1, 3, 7}) {
    ScopedThreads pool(threads);
    std::vector<float> again(N * OUT);
    matmul(x, N, p.view, again, ComputeMode::Fast);
    EXPECT_EQ(again, all) << threads << " threads";
  }
}

TEST(Bf16Panels, ExactModeReadsThemThroughTheReference) {
  std::mt19937 rng(5);
  const int64_t N = 9, IN = 70, OUT = 20;
  const auto x = random_floats(rng, N * IN);
  const StoredWeight w(DType::BF16, OUT, IN, random_floats(rng, OUT * IN));
  const PanelWeight p(w);
  std::vector<float> packed(N * OUT), stored(N * OUT);
  matmul(x, N, p.view, packed, ComputeMode::Exact);
  reference::matmul(x, N, w.view(), stored);
  EXPECT_EQ(packed, stored);
}

}  // namespace
}  // namespace smolvlm::kernels
