// forward_batch gives every row the bits the single-sequence forward gives it,
// whoever its neighbours are, and chunked prefill gives the bits of a whole
// prefill: the server's continuous batching relies on both for parity with
// `smolvlm run`.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "common/fixtures.h"
#include "core/error.h"
#include "io/model_config.h"
#include "io/safetensors.h"
#include "model/kv_cache.h"
#include "model/text_decoder.h"

namespace smolvlm {
namespace {

struct Fixture {
  std::string dir = testing::fixtures_dir() + "/models/tiny-smolvlm-256m";
  ModelConfig config = load_model_config(dir);
  TensorStore weights = TensorStore::open_dir(dir);
  TextDecoder decoder{weights, config};
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

std::vector<int32_t> random_ids(int64_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> dist(0, 49000);
  std::vector<int32_t> ids(n);
  for (int32_t& id : ids) id = dist(rng);
  return ids;
}

std::vector<float> embed(const TextDecoder& d, const std::vector<int32_t>& ids) {
  std::vector<float> e(ids.size() * d.config().hidden_size);
  d.embed(ids, e);
  return e;
}

TEST(BatchedDecode, RowsEqualSingleSequenceDecodeBitForBit) {
  const TextDecoder& d = fixture().decoder;
  const int64_t V = d.config().vocab_size, H = d.config().hidden_size;
  const std::vector<int64_t> prompt_lengths = {1, 7, 30, 12};
  const int64_t B = static_cast<int64_t>(prompt_lengths.size()), STEPS = 5;
  std::vector<KvCache> batched, single;
  std::vector<float> logits(V);
  for (int64_t b = 0; b < B; ++b) {
    batched.emplace_back(d.config(), 64);
    single.emplace_back(d.config(), 64);
    const std::vector<float> prompt = embed(d, random_ids(prompt_lengths[b], 10 + b));
    d.forward(prompt, prompt_lengths[b], batched[b], logits, false);
    d.forward(prompt, prompt_lengths[b], single[b], logits, false);
  }
  std::vector<KvCache*> caches;
  for (KvCache& c : batched) caches.push_back(&c);
  for (int64_t step = 0; step < STEPS; ++step) {
    const std::vector<int32_t> next = random_ids(B, 100 + step);
    const std::vector<float> rows = embed(d, next);
    std::vector<float> batch_logits(B * V);
    d.forward_batch(rows, caches, batch_logits);
    for (int64_t b = 0; b < B; ++b) {
      d.forward(std::span(rows).subspan(b * H, H), 1, single[b], logits, false);
      ASSERT_EQ(0, std::memcmp(logits.data(), batch_logits.data() + b * V, V * sizeof(float)))
          << "row " << b << " step " << step;
      EXPECT_EQ(batched[b].size(), single[b].size());
    }
  }
}

TEST(BatchedDecode, ChunkedPrefillEqualsWholePrefillBitForBit) {
  const TextDecoder& d = fixture().decoder;
  const int64_t V = d.config().vocab_size, N = 45;
  const std::vector<float> prompt = embed(d, random_ids(N, 7));
  KvCache whole(d.config(), N), chunked(d.config(), N);
  std::vector<float> expected(V), got(V);
  d.forward(prompt, N, whole, expected, false);
  const int64_t H = d.config().hidden_size;
  for (int64_t first = 0; first < N; first += 16) {
    const int64_t n = std::min<int64_t>(16, N - first);
    d.forward(std::span(prompt).subspan(first * H, n * H), n, chunked, got, false);
  }
  EXPECT_EQ(0, std::memcmp(expected.data(), got.data(), V * sizeof(float)));
}

TEST(BatchedDecode, RejectsFullCachesAndMismatchedBuffers) {
  const TextDecoder& d = fixture().decoder;
  const int64_t V = d.config().vocab_size, H = d.config().hidden_size;
  KvCache full(d.config(), 1), fine(d.config(), 4);
  full.advance(1);
  std::vector<float> rows(2 * H), logits(2 * V);
  std::vector<KvCache*> caches = {&fine, &full};
  EXPECT_THROW(d.forward_batch(rows, caches, logits), Error);
  EXPECT_EQ(fine.size(), 0);  // nothing was computed
  std::vector<KvCache*> twice = {&fine, &fine};
  EXPECT_THROW(d.forward_batch(rows, twice, logits), Error);
  std::vector<float> short_logits(V);
  std::vector<KvCache*> one = {&fine};
  EXPECT_THROW(d.forward_batch(std::span(rows).subspan(0, H), one, std::span(short_logits).subspan(0, 1)), Error);
}

}  // namespace
}  // namespace smolvlm
