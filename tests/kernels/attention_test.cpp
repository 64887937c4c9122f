#include "kernels/attention.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "kernel_test_util.h"

namespace smolvlm::kernels {
namespace {

using testing::max_scaled_error;
using testing::random_floats;

// Straight from the definition: softmax(q·k / sqrt(d)) over keys 0..pos, times v.
std::vector<double> attention_oracle(const std::vector<float>& q, const std::vector<float>& k,
                                     const std::vector<float>& v, const AttentionShape& s) {
  const int64_t D = s.head_dim, NH = s.n_heads, GROUP = s.n_heads / s.n_kv_heads;
  std::vector<double> out(s.n_tokens * NH * D, 0.0);
  for (int64_t t = 0; t < s.n_tokens; ++t)
    for (int64_t h = 0; h < NH; ++h) {
      const int64_t kvh = h / GROUP, n_keys = s.n_past + t + 1;
      std::vector<double> score(n_keys);
      double max = -INFINITY, sum = 0.0;
      for (int64_t j = 0; j < n_keys; ++j) {
        double dot = 0.0;
        for (int64_t i = 0; i < D; ++i)
          dot += static_cast<double>(q[(t * NH + h) * D + i]) * k[(kvh * s.kv_capacity + j) * D + i];
        score[j] = dot / std::sqrt(static_cast<double>(D));
        max = std::max(max, score[j]);
      }
      for (double& x : score) sum += (x = std::exp(x - max));
      for (int64_t j = 0; j < n_keys; ++j)
        for (int64_t i = 0; i < D; ++i)
          out[(t * NH + h) * D + i] += score[j] / sum * v[(kvh * s.kv_capacity + j) * D + i];
    }
  return out;
}

TEST(CausalAttention, MatchesDoubleOracleWithPastAndGqa) {
  std::mt19937 rng(21);
  const AttentionShape shapes[] = {
      {1, 0, 1, 1, 4, 1},    {5, 0, 4, 2, 16, 8},  {3, 6, 6, 3, 8, 12},
      {1, 40, 9, 3, 64, 50}, {7, 2, 4, 4, 10, 9},  {4, 0, 8, 1, 6, 4},
  };
  for (const AttentionShape& s : shapes) {
    const auto q = random_floats(rng, s.n_tokens * s.n_heads * s.head_dim, 2.0f);
    const auto k = random_floats(rng, s.n_kv_heads * s.kv_capacity * s.head_dim, 2.0f);
    const auto v = random_floats(rng, s.n_kv_heads * s.kv_capacity * s.head_dim);
    std::vector<float> out(q.size());
    causal_attention(q, k, v, s, out);
    EXPECT_LT(max_scaled_error(out, attention_oracle(q, k, v, s)), 2e-6)
        << "T=" << s.n_tokens << " past=" << s.n_past << " heads=" << s.n_heads << "/" << s.n_kv_heads;
  }
}

TEST(CausalAttention, IgnoresFutureAndUnusedCacheRows) {
  std::mt19937 rng(22);
  const AttentionShape s{3, 2, 4, 2, 8, 10};
  const auto q = random_floats(rng, s.n_tokens * s.n_heads * s.head_dim);
  auto k = random_floats(rng, s.n_kv_heads * s.kv_capacity * s.head_dim);
  auto v = random_floats(rng, k.size());
  std::vector<float> before(q.size()), after(q.size());
  causal_attention(q, k, v, s, before);
  // Rows past n_past + n_tokens are garbage the kernel must never read.
  for (int64_t h = 0; h < s.n_kv_heads; ++h)
    for (int64_t j = s.n_past + s.n_tokens; j < s.kv_capacity; ++j)
      for (int64_t i = 0; i < s.head_dim; ++i)
        k[(h * s.kv_capacity + j) * s.head_dim + i] = v[(h * s.kv_capacity + j) * s.head_dim + i] = NAN;
  causal_attention(q, k, v, s, after);
  EXPECT_EQ(before, after);
  // Query 0 (position n_past) must not see key n_past + 1.
  const int64_t j = s.n_past + 1;
  for (int64_t i = 0; i < s.head_dim; ++i) k[j * s.head_dim + i] += 5.0f;
  causal_attention(q, k, v, s, after);
  for (int64_t i = 0; i < s.n_heads * s.head_dim; ++i) EXPECT_EQ(before[i], after[i]);
}

TEST(CausalAttention, RejectsBadShapes) {
  std::vector<float> q(8), k(8), v(8), out(8);
  EXPECT_THROW(causal_attention(q, k, v, {1, 0, 3, 2, 8, 1}, out), Error);  // 3 heads, 2 kv heads
  EXPECT_THROW(causal_attention(q, k, v, {1, 1, 1, 1, 8, 1}, out), Error);  // past + new > capacity
}

}  // namespace
}  // namespace smolvlm::kernels
