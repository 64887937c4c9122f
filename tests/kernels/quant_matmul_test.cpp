// matmul / linear over Q8_0 and Q4_0 weights: exact mode against the
// reference (dequantized rows, dot_f32), the integer kernels against their
// f64 oracle on quantized activations, and rows independent of batching.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/isa.h"
#include "kernels/linear.h"
#include "kernels/matmul.h"
#include "kernels/quant_formats.h"
#include "kernels/quant_gemm.h"
#include "kernels/quant_matmul.h"
#include "kernels/quant_panels.h"
#include "simd_test_util.h"

namespace smolvlm::kernels {
namespace {

using testing::random_floats;
using testing::ScopedThreads;

struct QuantWeight {
  DType dtype;
  int64_t rows, cols;
  std::vector<uint8_t> bytes;
  QuantWeight(DType d, int64_t r, int64_t c, const std::vector<float>& v) : dtype(d), rows(r), cols(c) {
    const size_t rb = quant_row_bytes(d, c);
    bytes.resize(r * rb);
    for (int64_t i = 0; i < r; ++i) quantize_row(d, std::span<const float>(v).subspan(i * c, c), bytes.data() + i * rb);
  }
  WeightView view() const { return WeightView{dtype, rows, cols, bytes.data()}; }
};

// n x in x out: one row (decode), tile remainders (3-row tiles, 4 and 8
// columns), an odd number of blocks (a half step), several tasks.
const int64_t kShapes[][3] = {{1, 32, 1},   {1, 96, 9},    {2, 64, 7},    {3, 160, 13}, {4, 32, 50},
                              {5, 576, 31}, {7, 224, 97},  {13, 576, 66}, {1, 1536, 200}, {40, 288, 130}};

std::vector<float> quantized_oracle(const std::vector<float>& x, int64_t n, const QuantWeight& w,
                                    const float* bias) {
  const int64_t K = w.cols;
  std::vector<int8_t> xq(n * K);
  std::vector<float> xs(n * K / 4), y(n * w.rows);
  for (int64_t t = 0; t < n; ++t)
    quantize_activations(std::span<const float>(x).subspan(t * K, K), xq.data() + t * K, xs.data() + t * K / 4);
  reference::quant_matmul_int8(xq.data(), xs.data(), n, w.view(), bias, y.data());
  return y;
}

class QuantMatmul : public ::testing::TestWithParam<DType> {};

TEST_P(QuantMatmul, ExactModeIsTheReferenceOnEveryIsa) {
  std::mt19937 rng(11);
  for (const auto& s : kShapes) {
    const int64_t n = s[0], K = s[1], OUT = s[2];
    const QuantWeight w(GetParam(), OUT, K, random_floats(rng, OUT * K));
    const std::vector<float> x = random_floats(rng, n * K);
    std::vector<float> want(n * OUT), got(n * OUT);
    reference::matmul(x, n, w.view(), want);
    for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512Bf16}) {
      if (!isa_supported(isa)) continue;
      ScopedIsa scoped(isa);
      matmul(x, n, w.view(), got, ComputeMode::Exact);
      EXPECT_EQ(got, want) << isa_name(isa) << " " << n << "x" << K << "x" << OUT;
    }
  }
}

TEST_P(QuantMatmul, FastModeMatchesTheIntegerOracle) {
  if (!quant_fast_available()) GTEST_SKIP() << "no AVX-512 VNNI here";
  std::mt19937 rng(12);
  for (const auto& s : kShapes) {
    const int64_t n = s[0], K = s[1], OUT = s[2];
    const QuantWeight w(GetParam(), OUT, K, random_floats(rng, OUT * K, 0.05f));
    const std::vector<float> x = random_floats(rng, n * K, 2.0f);
    // A BF16 bias as checkpoints store it; the oracle adds its f32 value.
    std::vector<uint16_t> bias_bf16(OUT);
    std::vector<float> bias(OUT);
    for (int64_t o = 0; o < OUT; ++o) {
      bias_bf16[o] = f32_to_bf16(static_cast<float>(o % 7) - 3.0f);
      bias[o] = bf16_to_f32(bias_bf16[o]);
    }
    const std::vector<float> want = quantized_oracle(x, n, w, bias.data());
    std::vector<float> got(n * OUT);
    linear(x, n, w.view(), WeightView{DType::BF16, 1, OUT, bias_bf16.data()}, got, ComputeMode::Fast);
    for (int64_t i = 0; i < n * OUT; ++i)
      ASSERT_NEAR(got[i], want[i], 2e-5 * (1.0 + std::fabs(want[i]))) << n << "x" << K << "x" << OUT << " at " << i;
  }
}

TEST_P(QuantMatmul, FastModeStaysCloseToExact) {
  std::mt19937 rng(13);
  const int64_t n = 9, K = 576, OUT = 70;
  const QuantWeight w(GetParam(), OUT, K, random_floats(rng, OUT * K, 0.05f));
  const std::vector<float> x = random_floats(rng, n * K);
  std::vector<float> exact(n * OUT), fast(n * OUT);
  matmul(x, n, w.view(), exact, ComputeMode::Exact);
  matmul(x, n, w.view(), fast, ComputeMode::Fast);
  double err = 0, norm = 0;
  for (int64_t i = 0; i < n * OUT; ++i) {
    err += (fast[i] - exact[i]) * (fast[i] - exact[i]);
    norm += exact[i] * exact[i];
  }
  // int8 activations (step amax / 127 per block) cost well under 1 % RMS.
  EXPECT_LT(std::sqrt(err / norm), 0.01);
}

TEST_P(QuantMatmul, RowsDoNotDependOnBatchingOrThreads) {
  std::mt19937 rng(14);
  const int64_t n = 17, K = 320, OUT = 45;
  const QuantWeight w(GetParam(), OUT, K, random_floats(rng, OUT * K));
  const std::vector<float> x = random_floats(rng, n * K);
  for (ComputeMode mode : {ComputeMode::Exact, ComputeMode::Fast}) {
    std::vector<float> all(n * OUT), one(OUT);
    {
      ScopedThreads threads(2);
      matmul(x, n, w.view(), all, mode);
    }
    ScopedThreads threads(1);
    for (int64_t t = 0; t < n; ++t) {
      matmul(std::span<const float>(x).subspan(t * K, K), 1, w.view(), one, mode);
      for (int64_t o = 0; o < OUT; ++o) ASSERT_EQ(one[o], all[t * OUT + o]) << "row " << t << " col " << o;
    }
  }
}

// A decode step's q/k/v as one group: each output gets matmul()'s bits, in
// rows and in panels, whatever the thread count splits.
TEST_P(QuantMatmul, AGroupGivesEachOutputTheBitsMatmulGives) {
  std::mt19937 rng(15);
  const int64_t K = 192, heights[] = {80, 24, 40};
  std::vector<QuantWeight> weights;
  for (int64_t rows : heights) weights.emplace_back(GetParam(), rows, K, random_floats(rng, rows * K));
  std::vector<std::vector<uint8_t>> panels;
  for (const QuantWeight& w : weights) {
    panels.emplace_back(*dtype_tensor_bytes(quant_panels_of(w.dtype), {w.rows, K}));
    pack_quant_panels(w.view(), panels.back());
  }
  for (const bool packed : {false, true})
    for (const int64_t n : {int64_t{1}, int64_t{6}})
      for (const ComputeMode mode : {ComputeMode::Exact, ComputeMode::Fast}) {
        const std::vector<float> x = random_floats(rng, n * K);
        std::vector<std::vector<float>> grouped, alone;
        std::vector<MatmulOutput> outputs;
        for (size_t i = 0; i < weights.size(); ++i) {
          const WeightView w = packed ? WeightView{quant_panels_of(GetParam()), heights[i], K, panels[i].data()}
                                      : weights[i].view();
          grouped.emplace_back(n * heights[i]);
          alone.emplace_back(n * heights[i]);
          outputs.push_back({w, grouped.back()});
          ScopedThreads one(1);
          matmul(x, n, w, alone.back(), mode);
        }
        ScopedThreads two(2);
        matmul_group(x, n, outputs, mode);
        for (size_t i = 0; i < weights.size(); ++i)
          ASSERT_EQ(grouped[i], alone[i]) << "output " << i << ", n " << n << (packed ? ", panels" : ", rows");
      }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, QuantMatmul, ::testing::Values(DType::Q8_0, DType::Q4_0),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

// Q4_K rows are whole super-blocks of 256: one row (decode), row tiles of
// 4 and their remainders, several tasks, more rows than a task's scratch
// holds activation sums for (144 at any width).
const int64_t kQ4KShapes[][3] = {{1, 256, 1}, {1, 512, 9},   {2, 768, 7},   {5, 256, 33},
                                 {7, 1024, 20}, {13, 2048, 5}, {150, 256, 3}};

TEST(QuantMatmulQ4K, FastModeMatchesTheIntegerOracle) {
  if (!quant_fast_available()) GTEST_SKIP() << "no AVX-512 VNNI here";
  std::mt19937 rng(16);
  for (const auto& s : kQ4KShapes) {
    const int64_t n = s[0], K = s[1], OUT = s[2];
    const QuantWeight w(DType::Q4_K, OUT, K, random_floats(rng, OUT * K, 0.05f));
    const std::vector<float> x = random_floats(rng, n * K, 2.0f);
    std::vector<float> bias(OUT);
    for (int64_t o = 0; o < OUT; ++o) bias[o] = static_cast<float>(o % 5) - 2.0f;
    const std::vector<float> want = quantized_oracle(x, n, w, bias.data());
    std::vector<float> got(n * OUT);
    ScopedThreads threads(2);
    quant_matmul(x.data(), n, w.view(), bias.data(), got.data(), ComputeMode::Fast);
    for (int64_t i = 0; i < n * OUT; ++i)
      ASSERT_NEAR(got[i], want[i], 2e-5 * (1.0 + std::fabs(want[i]))) << n << "x" << K << "x" << OUT << " at " << i;
  }
}

TEST(QuantMatmulQ4K, RowsDoNotDependOnBatchingOrThreads) {
  std::mt19937 rng(17);
  const int64_t n = 11, K = 768, OUT = 21;
  const QuantWeight w(DType::Q4_K, OUT, K, random_floats(rng, OUT * K));
  const std::vector<float> x = random_floats(rng, n * K);
  std::vector<float> all(n * OUT), one(OUT);
  {
    ScopedThreads threads(2);
    matmul(x, n, w.view(), all, ComputeMode::Fast);
  }
  ScopedThreads threads(1);
  for (int64_t t = 0; t < n; ++t) {
    matmul(std::span<const float>(x).subspan(t * K, K), 1, w.view(), one, ComputeMode::Fast);
    for (int64_t o = 0; o < OUT; ++o) ASSERT_EQ(one[o], all[t * OUT + o]) << "row " << t << " col " << o;
  }
}

TEST(QuantActivations, AreQ8_0ValuesWithTheF32Scale) {
  std::mt19937 rng(15);
  const std::vector<float> x = random_floats(rng, 64, 4.0f);
  std::vector<int8_t> q(64);
  std::vector<float> scales(16);
  quantize_activations(x, q.data(), scales.data());
  BlockQ8_0 blocks[2];
  quantize_row(DType::Q8_0, x, blocks);
  for (int b = 0; b < 2; ++b) {
    float amax = 0;
    for (int j = 0; j < 32; ++j) {
      EXPECT_EQ(q[b * 32 + j], blocks[b].qs[j]);
      amax = std::max(amax, std::fabs(x[b * 32 + j]));
    }
    for (int i = 0; i < 8; ++i) EXPECT_EQ(scales[b * 8 + i], amax / 127.0f);
  }
}

#if defined(__x86_64__)
// The integer kernels' own quantizer gives the reference's bits, ties
// (x / d exactly k + 1/2) and all-zero blocks included.
TEST(QuantActivations, TheVnniQuantizerGivesTheReferenceBits) {
  if (!quant_fast_available()) GTEST_SKIP() << "no AVX-512 VNNI on this CPU";
  std::mt19937 rng(16);
  std::vector<float> x = random_floats(rng, 32 * 40, 3.0f);
  for (int j = 0; j < 32; ++j) x[j] = j == 0 ? 127.0f : static_cast<float>(j % 9) - 4.5f;  // d = 1: halves tie
  for (int j = 32; j < 64; ++j) x[j] = 0.0f;
  for (int j = 64; j < 96; ++j) x[j] = j == 64 ? -254.0f : 0.5f * static_cast<float>(j - 80) + 1.0f;  // d = 2
  const int64_t n = static_cast<int64_t>(x.size()), blocks = n / 32;
  std::vector<int8_t> want_q(n), got_q(n);
  std::vector<float> want_s(blocks * 8), got_s(blocks * 8);
  std::vector<int32_t> want_sum(blocks), got_sum(blocks);
  quantize_activations(x, want_q.data(), want_s.data(), want_sum.data());
  x86::avx512vnni_quant_kernels().quantize_activations(x.data(), n, got_q.data(), got_s.data(), got_sum.data());
  EXPECT_EQ(got_q, want_q);
  EXPECT_EQ(got_s, want_s);
  EXPECT_EQ(got_sum, want_sum);
}
#endif

}  // namespace
}  // namespace smolvlm::kernels
