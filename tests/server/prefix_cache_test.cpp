// Prefix reuse: the cache's matching rules (ids, image digests, budget), and
// over HTTP a two-turn chat whose second turn starts from the first turn's KV
// cache and answers exactly what a server without the cache, and the engine
// alone, answer; /metrics counts the hits and the reused positions.
#include <gtest/gtest.h>

#include <numeric>

#include "running_server.h"
#include "server/prefix_cache.h"
#include "smolvlm.h"

namespace smolvlm::testing {
namespace {

using server::PrefixCache;
using server::PrefixKey;

// A cache of `n` positions whose every value encodes (layer, k|v, head, position, d).
KvCache numbered_cache(int64_t n, int64_t capacity) {
  KvCache c(2, 2, 4, capacity);
  for (int64_t layer = 0; layer < 2; ++layer) {
    std::vector<float> k(static_cast<size_t>(n * 8)), v(k.size());
    for (size_t i = 0; i < k.size(); ++i) {
      k[i] = static_cast<float>(layer * 100000 + i);
      v[i] = -k[i];
    }
    c.write(layer, 0, n, k, v);
  }
  c.advance(n);
  return c;
}

PrefixKey key_of(std::vector<int32_t> ids, std::vector<server::ImageRun> runs = {}) {
  return {std::move(ids), std::move(runs)};
}

std::vector<int32_t> iota_ids(int n, int first = 1) {
  std::vector<int32_t> ids(static_cast<size_t>(n));
  std::iota(ids.begin(), ids.end(), first);
  return ids;
}

TEST(PrefixCacheRules, RestoresTheLongestSharedPrefixBitForBit) {
  PrefixCache cache(1 << 20, 4);
  const KvCache first = numbered_cache(40, 64);
  cache.store(key_of(iota_ids(41)), first);  // 41 ids: the last generated one was never fed
  std::vector<int32_t> query = iota_ids(30);
  query.push_back(999);  // differs from position 30 on
  KvCache into(2, 2, 4, 50);
  ASSERT_EQ(cache.restore(key_of(query), 100, into), 30);
  for (int64_t layer = 0; layer < 2; ++layer)
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t t = 0; t < 30; ++t)
        for (int64_t d = 0; d < 4; ++d) {
          EXPECT_EQ(into.keys(layer)[(h * 50 + t) * 4 + d], first.keys(layer)[(h * 64 + t) * 4 + d]);
          EXPECT_EQ(into.values(layer)[(h * 50 + t) * 4 + d], first.values(layer)[(h * 64 + t) * 4 + d]);
        }
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(cache.stats().reused_tokens, 30u);
  KvCache capped(2, 2, 4, 50);
  EXPECT_EQ(cache.restore(key_of(iota_ids(40)), 12, capped), 12);  // the caller keeps a position to prefill
  KvCache short_match(2, 2, 4, 50);
  EXPECT_EQ(cache.restore(key_of({1, 2, 3, 7}), 100, short_match), 0);  // under min_tokens
}

TEST(PrefixCacheRules, AnotherImageAtTheSamePositionsIsNotReused) {
  PrefixCache cache(1 << 20, 4);
  std::vector<int32_t> ids = iota_ids(40);
  for (int i = 10; i < 20; ++i) ids[static_cast<size_t>(i)] = 7;  // an image's placeholder positions
  cache.store(key_of(ids, {{10, 10, "cat"}}), numbered_cache(40, 40));
  KvCache a(2, 2, 4, 40), b(2, 2, 4, 40);
  EXPECT_EQ(cache.restore(key_of(ids, {{10, 10, "dog"}}), 100, a), 10);  // up to the image only
  EXPECT_EQ(cache.restore(key_of(ids, {{10, 10, "cat"}}), 100, b), 40);
}

TEST(PrefixCacheRules, StaysWithinItsBudgetLeastRecentlyUsedFirst) {
  const size_t per_position = 2 * 2 * 2 * 4 * sizeof(float);
  PrefixCache cache(per_position * 70, 4);
  cache.store(key_of(iota_ids(40, 1)), numbered_cache(40, 40));
  cache.store(key_of(iota_ids(30, 1000)), numbered_cache(30, 30));
  EXPECT_EQ(cache.stats().entries, 2u);
  cache.store(key_of(iota_ids(20, 5000)), numbered_cache(20, 20));  // 90 positions: the oldest goes
  EXPECT_EQ(cache.stats().entries, 2u);
  EXPECT_LE(cache.stats().bytes, per_position * 70);
  KvCache gone(2, 2, 4, 40);
  EXPECT_EQ(cache.restore(key_of(iota_ids(40, 1)), 100, gone), 0);
  // A longer sequence replaces the entry it extends.
  cache.store(key_of(iota_ids(35, 1000)), numbered_cache(35, 35));
  EXPECT_EQ(cache.stats().entries, 2u);
  EXPECT_EQ(cache.stats().bytes, per_position * 55);
}

class PrefixReuse : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server::ServerOptions o = fixture_server_options();
    o.scheduler.prefill_chunk = 48;  // several chunks per prompt, as in production
    cached_ = new RunningServer(o);
    o.scheduler.prefix_cache_bytes = 0;
    uncached_ = new RunningServer(o);
    engine_ = Engine::load(o.model_dir).release();
  }
  static void TearDownTestSuite() {
    delete cached_;
    delete uncached_;
    delete engine_;
  }
  static Json complete(const RunningServer& server, const Json& body) {
    const httplib::Result r = server.post_json("/v1/chat/completions", body.dump());
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, 200) << r->body;
    return Json::parse(r->body);
  }
  static RunningServer* cached_;
  static RunningServer* uncached_;
  static Engine* engine_;
};
RunningServer* PrefixReuse::cached_ = nullptr;
RunningServer* PrefixReuse::uncached_ = nullptr;
Engine* PrefixReuse::engine_ = nullptr;

TEST_F(PrefixReuse, SecondTurnEqualsNoReuseAndCountsReusedTokens) {
  const Json settings = {{"max_tokens", 16}, {"temperature", 0}};
  const Json turn1 = chat_body("Describe the picture.", {image_data_url("photo_320x240.jpg")}, settings);
  const Json first = complete(*cached_, turn1);
  const int64_t prompt1 = first["usage"]["prompt_tokens"];
  const std::string answer1 = first["choices"][0]["message"]["content"];

  Json turn2 = turn1;
  turn2["messages"].push_back({{"role", "assistant"}, {"content", answer1}});
  turn2["messages"].push_back({{"role", "user"}, {"content", "And what colour is it?"}});
  const double hits = cached_->metric("smolvlm_prefix_cache_hits_total");
  const double reused = cached_->metric("smolvlm_prefix_cache_reused_tokens_total");
  const Json with_reuse = complete(*cached_, turn2);
  EXPECT_EQ(cached_->metric("smolvlm_prefix_cache_hits_total"), hits + 1);
  EXPECT_GE(cached_->metric("smolvlm_prefix_cache_reused_tokens_total"), reused + prompt1);
  EXPECT_GT(cached_->metric("smolvlm_prefix_cache_bytes"), 0);

  const Json without = complete(*uncached_, turn2);
  EXPECT_EQ(uncached_->metric("smolvlm_prefix_cache_hits_total"), 0);
  EXPECT_EQ(with_reuse["choices"][0]["message"], without["choices"][0]["message"]);
  EXPECT_EQ(with_reuse["usage"], without["usage"]);

  GenerationOptions o;
  o.max_new_tokens = 16;
  const Conversation conversation = {
      {"user", {Content::image_item(fixtures_dir() + "/images/photo_320x240.jpg"),
                Content::text_item("Describe the picture.")}},
      {"assistant", {Content::text_item(answer1)}},
      {"user", {Content::text_item("And what colour is it?")}}};
  const GenerationResult expected = engine_->generate(conversation, o);
  EXPECT_EQ(with_reuse["choices"][0]["message"]["content"], expected.text);
  EXPECT_EQ(with_reuse["usage"]["completion_tokens"], expected.generated_ids.size());
}

TEST_F(PrefixReuse, AnotherImageInTheHistoryIsNotReused) {
  const Json settings = {{"max_tokens", 8}, {"temperature", 0}};
  const Json turn1 = chat_body("What is this?", {image_data_url("mid_384x384.png")}, settings);
  const Json first = complete(*cached_, turn1);
  // The same text around another image of the same size: same ids, other features.
  Json turn2 = chat_body("What is this?", {image_data_url("gray_180x180.png")}, settings);
  turn2["messages"].push_back({{"role", "assistant"}, {"content", first["choices"][0]["message"]["content"]}});
  turn2["messages"].push_back({{"role", "user"}, {"content", "Sure?"}});
  const double reused = cached_->metric("smolvlm_prefix_cache_reused_tokens_total");
  const Json answer = complete(*cached_, turn2);
  EXPECT_LT(cached_->metric("smolvlm_prefix_cache_reused_tokens_total") - reused,
            first["usage"]["prompt_tokens"].get<double>() / 2);
  EXPECT_EQ(answer["choices"][0]["message"], complete(*uncached_, turn2)["choices"][0]["message"]);
}

}  // namespace
}  // namespace smolvlm::testing
