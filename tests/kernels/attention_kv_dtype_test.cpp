// Causal attention over a KV cache stored as BF16 or F16, on every ISA and in
// both modes: bit-equal to attention over the same values widened to f32 and
// held as f32 rows (widening is exact, so storing halves changes nothing but
// the bytes read), including decode steps, prefill chunks, GQA and odd head dims.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/dtype.h"
#include "core/error.h"
#include "kernel_test_util.h"
#include "kernels/attention.h"
#include "simd_test_util.h"

namespace smolvlm::kernels {
namespace {

using testing::random_floats;

struct Stored {
  std::vector<uint16_t> bits;
  std::vector<float> widened;
};

Stored store_as(KvElement e, const std::vector<float>& x) {
  Stored s;
  for (float f : x) {
    const uint16_t b = e == KvElement::BF16 ? f32_to_bf16(f) : f32_to_f16(f);
    s.bits.push_back(b);
    s.widened.push_back(e == KvElement::BF16 ? bf16_to_f32(b) : f16_to_f32(b));
  }
  return s;
}

struct Case {
  int64_t n_tokens, n_past, n_heads, n_kv_heads, head_dim, capacity;
};

// Decode steps (1 query), short and long prefill chunks (Fast's BF16 products
// start at 16 queries), head dims 64 and 72 and odd ones, keys past a 64-key block.
const Case kCases[] = {{1, 0, 1, 1, 16, 4},  {1, 70, 9, 3, 64, 80},   {1, 130, 15, 5, 64, 140},
                       {3, 9, 2, 1, 7, 20},  {17, 5, 4, 2, 72, 30},   {40, 100, 3, 3, 20, 150},
                       {70, 0, 2, 1, 64, 70}, {1, 33, 4, 2, 72, 40}};

class KvDtypeOnIsa : public ::testing::TestWithParam<Isa> {
 protected:
  ScopedIsa isa_{GetParam()};
};

TEST_P(KvDtypeOnIsa, HalfCacheEqualsItsWidenedValuesInF32) {
  std::mt19937 rng(40);
  for (KvElement e : {KvElement::BF16, KvElement::F16})
    for (ComputeMode mode : {ComputeMode::Exact, ComputeMode::Fast})
      for (const Case& c : kCases) {
        const AttentionShape shape{c.n_tokens, c.n_past, c.n_heads, c.n_kv_heads, c.head_dim, c.capacity};
        const auto q = random_floats(rng, c.n_tokens * c.n_heads * c.head_dim, 2.0f);
        const Stored k = store_as(e, random_floats(rng, c.n_kv_heads * c.capacity * c.head_dim));
        const Stored v = store_as(e, random_floats(rng, c.n_kv_heads * c.capacity * c.head_dim));
        std::vector<float> from_halves(q.size()), from_f32(q.size());
        causal_attention(q, KvSpan(k.bits, e), KvSpan(v.bits, e), shape, from_halves, mode);
        causal_attention(q, k.widened, v.widened, shape, from_f32, mode);
        EXPECT_EQ(from_halves, from_f32) << (e == KvElement::BF16 ? "bf16" : "f16") << " fast="
                                         << (mode == ComputeMode::Fast) << " T=" << c.n_tokens
                                         << " past=" << c.n_past << " d=" << c.head_dim;
        for (float x : from_halves) ASSERT_TRUE(std::isfinite(x));
      }
}

// The scalar oracle over halves agrees with the SIMD kernel over the same halves.
TEST_P(KvDtypeOnIsa, HalfCacheMatchesTheReference) {
  std::mt19937 rng(41);
  for (KvElement e : {KvElement::BF16, KvElement::F16})
    for (const Case& c : kCases) {
      const AttentionShape shape{c.n_tokens, c.n_past, c.n_heads, c.n_kv_heads, c.head_dim, c.capacity};
      const auto q = random_floats(rng, c.n_tokens * c.n_heads * c.head_dim, 2.0f);
      const Stored k = store_as(e, random_floats(rng, c.n_kv_heads * c.capacity * c.head_dim));
      const Stored v = store_as(e, random_floats(rng, c.n_kv_heads * c.capacity * c.head_dim));
      std::vector<float> out(q.size()), ref(q.size());
      causal_attention(q, KvSpan(k.bits, e), KvSpan(v.bits, e), shape, out);
      reference::causal_attention(q, KvSpan(k.bits, e), KvSpan(v.bits, e), shape, ref);
      EXPECT_LT(testing::max_scaled_error(out, std::vector<double>(ref.begin(), ref.end())), 2e-6)
          << "T=" << c.n_tokens << " past=" << c.n_past << " d=" << c.head_dim;
    }
}

TEST(KvDtype, KeysAndValuesOfDifferentTypesAreRefused) {
  const std::vector<uint16_t> k(16), v(16);
  std::vector<float> q(16), out(16);
  EXPECT_THROW(causal_attention(q, KvSpan(k, KvElement::BF16), KvSpan(v, KvElement::F16),
                                AttentionShape{1, 0, 1, 1, 16, 1}, out),
               Error);
}

INSTANTIATE_TEST_SUITE_P(Isas, KvDtypeOnIsa, ::testing::ValuesIn(testing::supported_isas()),
                         testing::isa_param_name);

}  // namespace
}  // namespace smolvlm::kernels
