// matmul and linear on every supported ISA: exact mode against the double
// oracle and the reference, fast mode against an oracle on BF16-rounded
// activations, and rows that never depend on batching or thread count.
#include <gtest/gtest.h>

#include <random>

#include "kernel_test_util.h"
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

// n x in x out, covering single rows, tile remainders, vector tails and several tiles.
const int64_t kShapes[][3] = {{1, 1, 1},   {1, 17, 9},   {2, 33, 7},    {3, 16, 50},    {4, 64, 13},
                              {5, 31, 49}, {7, 100, 97}, {13, 576, 31}, {100, 777, 130}, {1, 1536, 200}};

class GemmOnIsa : public ::testing::TestWithParam<Isa> {
 protected:
  ScopedIsa isa_{GetParam()};
};

TEST_P(GemmOnIsa, ExactMatchesTheOracleForEveryDtype) {
  std::mt19937 rng(1);
  for (DType dtype : {DType::F32, DType::BF16, DType::F16})
    for (const auto& s : kShapes) {
      const int64_t N = s[0], IN = s[1], OUT = s[2];
      const auto x = random_floats(rng, N * IN);
      const StoredWeight w(dtype, OUT, IN, random_floats(rng, OUT * IN, 0.1f));
      std::vector<float> y(N * OUT), ref(N * OUT);
      matmul(x, N, w.view(), y);
      reference::matmul(x, N, w.view(), ref);
      EXPECT_LT(max_scaled_error(y, matmul_oracle(x, N, w)), 1e-5)
          << dtype_name(dtype) << " n=" << N << " in=" << IN << " out=" << OUT;
      std::vector<double> ref_d(ref.begin(), ref.end());
      EXPECT_LT(max_scaled_error(y, ref_d), 1e-5) << dtype_name(dtype) << " n=" << N << " in=" << IN;
    }
}

TEST_P(GemmOnIsa, FastMatchesTheOracleOnBf16RoundedActivations) {
  std::mt19937 rng(2);
  for (const auto& s : kShapes) {
    const int64_t N = s[0], IN = s[1], OUT = s[2];
    const auto x = random_floats(rng, N * IN);
    const StoredWeight w(DType::BF16, OUT, IN, random_floats(rng, OUT * IN, 0.1f));
    std::vector<float> y(N * OUT);
    matmul(x, N, w.view(), y, ComputeMode::Fast);
    // BF16 products are exact in f32: only the rounding of x and the f32 sums differ.
    const bool rounds = GetParam() == Isa::Avx512Bf16;
    EXPECT_LT(max_scaled_error(y, matmul_oracle(x, N, w, rounds)), 1e-5) << "n=" << N << " in=" << IN << " out=" << OUT;
  }
}

TEST_P(GemmOnIsa, FastOnNonBf16WeightsIsExact) {
  std::mt19937 rng(3);
  const int64_t N = 9, IN = 70, OUT = 20;
  const auto x = random_floats(rng, N * IN);
  for (DType dtype : {DType::F32, DType::F16}) {
    const StoredWeight w(dtype, OUT, IN, random_floats(rng, OUT * IN));
    std::vector<float> fast(N * OUT), exact(N * OUT);
    matmul(x, N, w.view(), fast, ComputeMode::Fast);
    matmul(x, N, w.view(), exact, ComputeMode::Exact);
    EXPECT_EQ(fast, exact) << dtype_name(dtype);
  }
}

// Row t of a batch equals row t computed alone, and any thread count gives
// the same bits: decode, chunked prefill and batched decode agree exactly.
// 1600 inputs: long enough that many-row tiles cut the rows into k ranges.
TEST_P(GemmOnIsa, RowsDoNotDependOnBatchOrThreads) {
  std::mt19937 rng(4);
  const int64_t N = 23, IN = 1600, OUT = 101;
  const auto x = random_floats(rng, N * IN);
  const StoredWeight w(DType::BF16, OUT, IN, random_floats(rng, OUT * IN));
  for (ComputeMode mode : {ComputeMode::Exact, ComputeMode::Fast}) {
    std::vector<float> all(N * OUT);
    matmul(x, N, w.view(), all, mode);
    for (int64_t first = 0; first < N; first += 5)
      for (int64_t rows : {1, 2, 3, 4, 5, 8, 13, 16}) {  // up to the direct path's largest batch
        if (first + rows > N) continue;
        std::vector<float> some(rows * OUT);
        matmul(std::span(x).subspan(first * IN, rows * IN), rows, w.view(), some, mode);
        EXPECT_TRUE(std::equal(some.begin(), some.end(), all.begin() + first * OUT))
            << "rows " << first << ".." << first + rows - 1 << " fast=" << (mode == ComputeMode::Fast);
      }
    for (int threads : {1, 3}) {
      ScopedThreads pool(threads);
      std::vector<float> again(N * OUT);
      matmul(x, N, w.view(), again, mode);
      EXPECT_EQ(again, all) << threads << " threads";
    }
  }
}

TEST_P(GemmOnIsa, LinearIsTheReferenceMatmulPlusBias) {
  std::mt19937 rng(5);
  const int64_t N = 37, IN = 129, OUT = 67;
  const auto x = random_floats(rng, N * IN);
  const StoredWeight w(DType::BF16, OUT, IN, random_floats(rng, OUT * IN, 0.1f));
  const StoredWeight b(DType::BF16, 1, OUT, random_floats(rng, OUT));
  std::vector<float> y(N * OUT), ref(N * OUT);
  linear(x, N, w.view(), b.view(), y);
  reference::linear(x, N, w.view(), b.view(), ref);
  EXPECT_LT(max_scaled_error(y, std::vector<double>(ref.begin(), ref.end())), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Isas, GemmOnIsa, ::testing::ValuesIn(testing::supported_isas()), testing::isa_param_name);

}  // namespace
}  // namespace smolvlm::kernels
