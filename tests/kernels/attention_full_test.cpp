#include "kernels/attention_full.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "kernel_test_util.h"

namespace smolvlm::kernels {
namespace {

using testing::max_scaled_error;
using testing::random_floats;

// softmax(q·k / sqrt(d) + mask) · v from the definition, the mask adding
// float32 min to invalid keys as transformers does.
std::vector<double> attention_oracle(const std::vector<float>& q, const std::vector<float>& k,
                                     const std::vector<float>& v, const FullAttentionShape& s,
                                     const std::vector<uint8_t>& key_valid) {
  const int64_t T = s.n_tokens, NH = s.n_heads, D = s.head_dim, ROW = NH * D;
  std::vector<double> out(T * ROW, 0.0);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t h = 0; h < NH; ++h) {
      std::vector<double> score(T);
      double max = -INFINITY, sum = 0.0;
      for (int64_t j = 0; j < T; ++j) {
        double dot = 0.0;
        for (int64_t i = 0; i < D; ++i) dot += static_cast<double>(q[t * ROW + h * D + i]) * k[j * ROW + h * D + i];
        score[j] = dot / std::sqrt(static_cast<double>(D));
        if (!key_valid.empty() && key_valid[j] == 0) score[j] += std::numeric_limits<float>::lowest();
        max = std::max(max, score[j]);
      }
      for (double& x : score) sum += (x = std::exp(x - max));
      for (int64_t j = 0; j < T; ++j)
        for (int64_t i = 0; i < D; ++i) out[t * ROW + h * D + i] += score[j] / sum * v[j * ROW + h * D + i];
    }
  return out;
}

TEST(FullAttention, MatchesDoubleOracleIncludingHeadDim72) {
  std::mt19937 rng(29);
  const FullAttentionShape shapes[] = {{1, 1, 4}, {5, 2, 16}, {16, 2, 72}, {9, 3, 64}, {7, 4, 10}};
  for (const FullAttentionShape& s : shapes) {
    const int64_t SIZE = s.n_tokens * s.n_heads * s.head_dim;
    const auto q = random_floats(rng, SIZE, 0.5f), k = random_floats(rng, SIZE, 0.5f), v = random_floats(rng, SIZE);
    std::vector<float> out(SIZE);
    full_attention(q, k, v, s, {}, out);
    EXPECT_LT(max_scaled_error(out, attention_oracle(q, k, v, s, {})), 2e-6)
        << "T=" << s.n_tokens << " heads=" << s.n_heads << " d=" << s.head_dim;
  }
}

TEST(FullAttention, MaskedKeysAreLeftOutForEveryQuery) {
  std::mt19937 rng(30);
  const FullAttentionShape s{6, 2, 8};
  const int64_t SIZE = 6 * 2 * 8;
  const std::vector<uint8_t> key_valid = {1, 1, 0, 1, 0, 0};
  const auto q = random_floats(rng, SIZE);
  auto k = random_floats(rng, SIZE), v = random_floats(rng, SIZE);
  std::vector<float> out(SIZE);
  full_attention(q, k, v, s, key_valid, out);
  EXPECT_LT(max_scaled_error(out, attention_oracle(q, k, v, s, key_valid)), 2e-6);
  // Masked keys' contents must not matter at all.
  for (int64_t j : {2, 4, 5})
    for (int64_t i = 0; i < 16; ++i) k[j * 16 + i] = v[j * 16 + i] = NAN;
  std::vector<float> again(SIZE);
  full_attention(q, k, v, s, key_valid, again);
  EXPECT_EQ(out, again);
}

TEST(FullAttention, BadArgumentsThrow) {
  std::vector<float> x(2 * 4), out(2 * 4);
  EXPECT_THROW(full_attention(x, x, x, {2, 1, 4}, std::vector<uint8_t>{0, 0}, out), Error);
  EXPECT_THROW(full_attention(x, x, x, {2, 1, 4}, std::vector<uint8_t>{1}, out), Error);
  EXPECT_THROW(full_attention(x, x, x, {3, 1, 4}, {}, out), Error);
}

}  // namespace
}  // namespace smolvlm::kernels
