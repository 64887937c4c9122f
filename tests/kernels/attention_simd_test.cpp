// Causal and full attention on every supported ISA against the reference
// kernels, including head dims 72/64/16 and odd ones, masks, GQA, KV-cache
// offsets, and bit-exact agreement of decode, chunked and full prefill.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/dtype.h"
#include "kernel_test_util.h"
#include "kernels/attention.h"
#include "kernels/attention_full.h"
#include "simd_test_util.h"

namespace smolvlm::kernels {
namespace {

using testing::max_scaled_error;
using testing::random_floats;
using testing::ScopedThreads;

std::vector<double> as_double(const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); }

class AttentionOnIsa : public ::testing::TestWithParam<Isa> {
 protected:
  ScopedIsa isa_{GetParam()};
};

TEST_P(AttentionOnIsa, FullMatchesTheReference) {
  std::mt19937 rng(10);
  // tokens, heads, head_dim
  const int64_t shapes[][3] = {{1, 1, 16}, {5, 2, 72}, {64, 3, 64}, {65, 2, 72}, {130, 1, 20}, {33, 2, 7}, {200, 2, 80}};
  for (const auto& s : shapes) {
    const FullAttentionShape shape{s[0], s[1], s[2]};
    const int64_t SIZE = s[0] * s[1] * s[2];
    const auto q = random_floats(rng, SIZE, 2.0f), k = random_floats(rng, SIZE), v = random_floats(rng, SIZE);
    for (bool masked : {false, true}) {
      std::vector<uint8_t> valid;
      if (masked)
        for (int64_t j = 0; j < s[0]; ++j) valid.push_back(j % 3 != 1 || s[0] == 1);
      std::vector<float> out(SIZE), ref(SIZE);
      full_attention(q, k, v, shape, valid, out);
      reference::full_attention(q, k, v, shape, valid, ref);
      EXPECT_LT(max_scaled_error(out, as_double(ref)), 2e-6)
          << "T=" << s[0] << " heads=" << s[1] << " d=" << s[2] << " masked=" << masked;
    }
  }
}

TEST_P(AttentionOnIsa, FullIgnoresMaskedKeyContents) {
  std::mt19937 rng(11);
  const FullAttentionShape shape{40, 2, 72};
  const int64_t SIZE = 40 * 2 * 72, ROW = 2 * 72;
  const auto q = random_floats(rng, SIZE);
  auto k = random_floats(rng, SIZE), v = random_floats(rng, SIZE);
  std::vector<uint8_t> valid(40, 1);
  for (int64_t j : {0, 17, 39}) valid[j] = 0;
  std::vector<float> out(SIZE), again(SIZE);
  full_attention(q, k, v, shape, valid, out);
  for (int64_t j : {0, 17, 39})
    for (int64_t i = 0; i < ROW; ++i) k[j * ROW + i] = v[j * ROW + i] = NAN;
  full_attention(q, k, v, shape, valid, again);
  EXPECT_EQ(out, again);
}

struct CausalCase {
  int64_t n_tokens, n_past, n_heads, n_kv_heads, head_dim, capacity;
};

const CausalCase kCausalCases[] = {{1, 0, 1, 1, 16, 4},    {3, 0, 2, 1, 64, 3},     {1, 70, 9, 3, 64, 80},
                                   {17, 5, 4, 2, 72, 30},  {40, 100, 3, 3, 20, 150}, {70, 0, 2, 1, 64, 70},
                                   {6, 129, 6, 2, 128, 140}};

TEST_P(AttentionOnIsa, CausalMatchesTheReference) {
  std::mt19937 rng(12);
  for (const CausalCase& c : kCausalCases) {
    const AttentionShape shape{c.n_tokens, c.n_past, c.n_heads, c.n_kv_heads, c.head_dim, c.capacity};
    const auto q = random_floats(rng, c.n_tokens * c.n_heads * c.head_dim, 2.0f);
    auto k = random_floats(rng, c.n_kv_heads * c.capacity * c.head_dim);
    auto v = random_floats(rng, c.n_kv_heads * c.capacity * c.head_dim);
    // Cache rows past the last position are never read.
    for (int64_t h = 0; h < c.n_kv_heads; ++h)
      for (int64_t j = c.n_past + c.n_tokens; j < c.capacity; ++j)
        for (int64_t i = 0; i < c.head_dim; ++i) k[(h * c.capacity + j) * c.head_dim + i] = v[(h * c.capacity + j) * c.head_dim + i] = NAN;
    std::vector<float> out(q.size()), ref(q.size());
    causal_attention(q, k, v, shape, out);
    reference::causal_attention(q, k, v, shape, ref);
    EXPECT_LT(max_scaled_error(out, as_double(ref)), 2e-6)
        << "T=" << c.n_tokens << " past=" << c.n_past << " heads=" << c.n_heads << "/" << c.n_kv_heads
        << " d=" << c.head_dim;
  }
}

// One prompt of 50 tokens run as one prefill, as chunks of 13, and token by
// token: every output row has the same bits, on 1 or 3 threads.
TEST_P(AttentionOnIsa, CausalDecodeChunksAndPrefillAgreeBitForBit) {
  std::mt19937 rng(13);
  const int64_t T = 50, NH = 6, NKV = 2, D = 64, ROW = NH * D;
  const auto q = random_floats(rng, T * ROW, 2.0f);
  const auto k = random_floats(rng, NKV * T * D), v = random_floats(rng, NKV * T * D);
  std::vector<float> full(T * ROW);
  causal_attention(q, k, v, AttentionShape{T, 0, NH, NKV, D, T}, full);
  for (int64_t chunk : {1, 13}) {
    for (int threads : {1, 3}) {
      ScopedThreads pool(threads);
      std::vector<float> pieces(T * ROW);
      for (int64_t t0 = 0; t0 < T; t0 += chunk) {
        const int64_t n = std::min(chunk, T - t0);
        causal_attention(std::span(q).subspan(t0 * ROW, n * ROW), k, v, AttentionShape{n, t0, NH, NKV, D, T},
                         std::span(pieces).subspan(t0 * ROW, n * ROW));
      }
      EXPECT_EQ(pieces, full) << "chunks of " << chunk << " on " << threads << " threads";
    }
  }
}

// Fast mode rounds q, k, v and the probabilities to BF16: compared with the
// reference on BF16-rounded q, k, v, only the probabilities' rounding is left.
TEST_P(AttentionOnIsa, FastIsCloseToTheReferenceOnRoundedInputs) {
  std::mt19937 rng(14);
  auto round = [](std::vector<float> v) {
    for (float& x : v) x = bf16_to_f32(f32_to_bf16(x));
    return v;
  };
  const int64_t shapes[][3] = {{1, 1, 16}, {5, 2, 72}, {64, 3, 64}, {130, 1, 20}, {33, 2, 7}};
  for (const auto& s : shapes) {
    const FullAttentionShape shape{s[0], s[1], s[2]};
    const int64_t SIZE = s[0] * s[1] * s[2];
    const auto q = random_floats(rng, SIZE, 2.0f), k = random_floats(rng, SIZE), v = random_floats(rng, SIZE);
    std::vector<float> fast(SIZE), exact(SIZE), ref(SIZE);
    full_attention(q, k, v, shape, {}, fast, ComputeMode::Fast);
    full_attention(q, k, v, shape, {}, exact, ComputeMode::Exact);
    reference::full_attention(round(q), round(k), round(v), shape, {}, ref);
    if (GetParam() != Isa::Avx512Bf16) {
      EXPECT_EQ(fast, exact);  // no BF16 dot product: Fast runs exact
      continue;
    }
    EXPECT_LT(max_scaled_error(fast, as_double(ref)), 1e-2) << "T=" << s[0] << " heads=" << s[1] << " d=" << s[2];
    EXPECT_LT(max_scaled_error(fast, as_double(exact)), 5e-2) << "T=" << s[0] << " heads=" << s[1] << " d=" << s[2];
  }
}

// Fast mode: a prefill chunk of 16+ queries packs its kv head for BF16
// products, a decode step reads the cache rows in place with BF16 products
// summed in another order, so they agree within the BF16 tolerance; chunks
// of 16+ agree bit for bit.
TEST_P(AttentionOnIsa, FastCausalDecodeChunksAndPrefillAgree) {
  std::mt19937 rng(15);
  const int64_t T = 64, NH = 4, NKV = 2, D = 72, ROW = NH * D;
  const auto q = random_floats(rng, T * ROW), k = random_floats(rng, NKV * T * D), v = random_floats(rng, NKV * T * D);
  std::vector<float> full(T * ROW), steps(T * ROW), chunks(T * ROW);
  causal_attention(q, k, v, AttentionShape{T, 0, NH, NKV, D, T}, full, ComputeMode::Fast);
  for (int64_t t = 0; t < T; ++t)
    causal_attention(std::span(q).subspan(t * ROW, ROW), k, v, AttentionShape{1, t, NH, NKV, D, T},
                     std::span(steps).subspan(t * ROW, ROW), ComputeMode::Fast);
  for (int64_t t0 = 0; t0 < T; t0 += 32)
    causal_attention(std::span(q).subspan(t0 * ROW, 32 * ROW), k, v, AttentionShape{32, t0, NH, NKV, D, T},
                     std::span(chunks).subspan(t0 * ROW, 32 * ROW), ComputeMode::Fast);
  EXPECT_EQ(chunks, full);
  EXPECT_LT(max_scaled_error(steps, as_double(full)), 5e-2);
}

// Fast mode under 16 queries: a decode step takes the heads of a kv group as
// one tile's rows, a short chunk its queries; each row is computed on its own,
// so both give the same bits, with groups wider than a tile (8 heads a kv head)
// and on 1 or 3 threads.
TEST_P(AttentionOnIsa, FastDecodeStepsAndShortChunksAgreeBitForBit) {
  std::mt19937 rng(17);
  for (const int64_t NH : {6, 16}) {
    const int64_t T = 30, NKV = 2, D = 64, ROW = NH * D;
    const auto q = random_floats(rng, T * ROW, 2.0f);
    const auto k = random_floats(rng, NKV * T * D), v = random_floats(rng, NKV * T * D);
    std::vector<float> chunks(T * ROW);
    for (int64_t t0 = 0; t0 < T; t0 += 5)
      causal_attention(std::span(q).subspan(t0 * ROW, 5 * ROW), k, v, AttentionShape{5, t0, NH, NKV, D, T},
                       std::span(chunks).subspan(t0 * ROW, 5 * ROW), ComputeMode::Fast);
    for (int threads : {1, 3}) {
      ScopedThreads pool(threads);
      std::vector<float> steps(T * ROW);
      for (int64_t t = 0; t < T; ++t)
        causal_attention(std::span(q).subspan(t * ROW, ROW), k, v, AttentionShape{1, t, NH, NKV, D, T},
                         std::span(steps).subspan(t * ROW, ROW), ComputeMode::Fast);
      EXPECT_EQ(steps, chunks) << NH << " heads on " << threads << " threads";
    }
  }
}

// A fast decode step (and any chunk under 16 queries) rounds q, k, v and the
// probabilities to BF16: against the reference on BF16-rounded q, k, v only
// the probabilities' rounding is left. Head dims past one or two vectors of
// pairs and odd ones, keys past a 64-key block, GQA.
TEST_P(AttentionOnIsa, FastFewQueriesAreCloseToTheReferenceOnRoundedInputs) {
  std::mt19937 rng(16);
  auto round = [](std::vector<float> v) {
    for (float& x : v) x = bf16_to_f32(f32_to_bf16(x));
    return v;
  };
  // {queries, cached, heads, kv heads, head dim}
  const int64_t shapes[][5] = {{1, 0, 1, 1, 16}, {1, 70, 9, 3, 64}, {3, 130, 4, 2, 72}, {15, 40, 2, 1, 7}, {1, 64, 2, 2, 33}};
  for (const auto& s : shapes) {
    const int64_t T = s[0], P = s[1], NH = s[2], NKV = s[3], D = s[4], CAP = P + T;
    const AttentionShape shape{T, P, NH, NKV, D, CAP};
    const auto q = random_floats(rng, T * NH * D, 2.0f), k = random_floats(rng, NKV * CAP * D),
               v = random_floats(rng, NKV * CAP * D);
    std::vector<float> fast(q.size()), exact(q.size()), ref(q.size());
    causal_attention(q, k, v, shape, fast, ComputeMode::Fast);
    causal_attention(q, k, v, shape, exact, ComputeMode::Exact);
    reference::causal_attention(round(q), round(k), round(v), shape, ref);
    if (GetParam() != Isa::Avx512Bf16) {
      EXPECT_EQ(fast, exact);  // no BF16 dot product: Fast runs exact
      continue;
    }
    EXPECT_LT(max_scaled_error(fast, as_double(ref)), 1e-2) << "T=" << T << " past=" << P << " d=" << D;
    for (float x : fast) ASSERT_TRUE(std::isfinite(x));
  }
}

INSTANTIATE_TEST_SUITE_P(Isas, AttentionOnIsa, ::testing::ValuesIn(testing::supported_isas()),
                         testing::isa_param_name);

}  // namespace
}  // namespace smolvlm::kernels
