#include "model/kv_cache.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/dtype.h"
#include "core/error.h"

namespace smolvlm {
namespace {

TEST(KvCache, ReportsGeometryAndBytes) {
  const KvCache cache(3, 2, 4, 10);
  EXPECT_EQ(cache.size(), 0);
  EXPECT_EQ(cache.capacity(), 10);
  EXPECT_EQ(cache.size_bytes(), 3u * 2 * 2 * 10 * 4 * sizeof(float));  // layers x {k,v} x heads x tokens x d
  TextConfig c;
  c.num_layers = 2;
  c.num_kv_heads = 3;
  c.head_dim = 8;
  const KvCache from_config(c, 5);
  EXPECT_EQ(from_config.size_bytes(), 2u * 2 * 3 * 5 * 8 * sizeof(float));
}

TEST(KvCache, WritesHeadMajorRows) {
  const int64_t NKV = 2, D = 3, CAP = 4;
  KvCache cache(1, NKV, D, CAP);
  // Two positions, token-major [t][head][d] as the projections produce them.
  const std::vector<float> k{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  std::vector<float> v(k);
  for (float& x : v) x = -x;
  cache.write(0, 1, 2, k, v);
  cache.advance(3);
  const auto keys = cache.keys(0), values = cache.values(0);
  // head 0, position 1 = token 0 head 0; head 1, position 2 = token 1 head 1.
  EXPECT_EQ(keys[(0 * CAP + 1) * D + 0], 1.0f);
  EXPECT_EQ(keys[(1 * CAP + 2) * D + 2], 12.0f);
  EXPECT_EQ(values[(1 * CAP + 1) * D + 0], -4.0f);
  EXPECT_EQ(cache.size(), 3);
}

TEST(KvCache, HalfCachesHoldRoundedRowsInHalfTheBytes) {
  const int64_t NKV = 2, D = 3, CAP = 4;
  const std::vector<float> k{1.00390625f, -2.5f, 3.1f, 1e-3f, 5, 6, 7, 8, 9, 10, 11, 65504.0f};
  const std::vector<float> v{0.1f, 0.2f, 0.3f, 4, 5, 6, 7, 8, 9, 10, 11, -12};
  for (KvElement e : {KvElement::BF16, KvElement::F16}) {
    KvCache cache(1, NKV, D, CAP, e);
    EXPECT_EQ(cache.element(), e);
    EXPECT_EQ(cache.size_bytes(), KvCache(1, NKV, D, CAP).size_bytes() / 2);
    EXPECT_EQ(cache.bytes_per_position(), 2u * NKV * D * 2);
    cache.write(0, 1, 2, k, v);
    cache.advance(3);
    const kernels::KvSpan keys = cache.key_rows(0), values = cache.value_rows(0);
    ASSERT_EQ(keys.element, e);
    ASSERT_EQ(keys.size, static_cast<size_t>(NKV * CAP * D));
    const auto* kb = static_cast<const uint16_t*>(keys.data);
    const auto* vb = static_cast<const uint16_t*>(values.data);
    const auto round = [e](float x) { return e == KvElement::BF16 ? f32_to_bf16(x) : f32_to_f16(x); };
    for (int64_t t = 0; t < 2; ++t)
      for (int64_t h = 0; h < NKV; ++h)
        for (int64_t d = 0; d < D; ++d) {
          const int64_t src = (t * NKV + h) * D + d, dst = (h * CAP + 1 + t) * D + d;
          EXPECT_EQ(kb[dst], round(k[src]));
          EXPECT_EQ(vb[dst], round(v[src]));
        }
    EXPECT_THROW(cache.keys(0), Error);  // f32 rows only from an f32 cache
  }
  EXPECT_EQ(kv_element_from_name("bf16"), KvElement::BF16);
  EXPECT_EQ(kv_element_from_name("f16"), KvElement::F16);
  EXPECT_EQ(kv_element_from_name("f32"), KvElement::F32);
  EXPECT_FALSE(kv_element_from_name("q8_0"));
}

TEST(KvCache, CopyPrefixCopiesPositionsAcrossCapacities) {
  for (KvElement e : {KvElement::F32, KvElement::BF16}) {
    KvCache from(2, 2, 3, 6, e), to(2, 2, 3, 4, e);
    std::vector<float> k(5 * 2 * 3), v(k.size());
    for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<float>(i), v[i] = -static_cast<float>(i);
    for (int64_t layer = 0; layer < 2; ++layer) from.write(layer, 0, 5, k, v);
    from.advance(5);
    to.copy_prefix(from, 3);
    EXPECT_EQ(to.size(), 3);
    for (int64_t layer = 0; layer < 2; ++layer) {
      const size_t w = kernels::kv_element_bytes(e);
      for (int64_t h = 0; h < 2; ++h) {
        const auto* src = static_cast<const char*>(from.key_rows(layer).data) + (h * 6) * 3 * w;
        const auto* dst = static_cast<const char*>(to.key_rows(layer).data) + (h * 4) * 3 * w;
        EXPECT_TRUE(std::equal(src, src + 3 * 3 * w, dst)) << "layer " << layer << " head " << h;
        const auto* vsrc = static_cast<const char*>(from.value_rows(layer).data) + (h * 6) * 3 * w;
        const auto* vdst = static_cast<const char*>(to.value_rows(layer).data) + (h * 4) * 3 * w;
        EXPECT_TRUE(std::equal(vsrc, vsrc + 3 * 3 * w, vdst));
      }
    }
    KvCache other_type(2, 2, 3, 4, e == KvElement::F32 ? KvElement::F16 : KvElement::F32);
    EXPECT_THROW(other_type.copy_prefix(from, 3), Error);
    EXPECT_THROW(to.copy_prefix(from, 3), Error);  // not empty
  }
}

TEST(KvCache, TruncateAndClearForReuse) {
  KvCache cache(1, 1, 2, 8);
  cache.advance(5);
  cache.truncate(3);
  EXPECT_EQ(cache.size(), 3);
  EXPECT_THROW(cache.truncate(4), Error);
  cache.clear();
  EXPECT_EQ(cache.size(), 0);
}

TEST(KvCache, RejectsWritesPastCapacity) {
  KvCache cache(2, 1, 2, 3);
  const std::vector<float> two(4);
  EXPECT_THROW(cache.write(0, 2, 2, two, two), Error);
  EXPECT_THROW(cache.write(2, 0, 2, two, two), Error);  // no layer 2
  EXPECT_THROW(cache.advance(4), Error);
  try {
    cache.advance(4);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("capacity"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace smolvlm
