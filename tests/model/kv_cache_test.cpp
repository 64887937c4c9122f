#include "model/kv_cache.h"

#include <gtest/gtest.h>

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
