// TextDecoder::forward runs long inputs a chunk of prefill_chunk_tokens() at a
// time so its activations are bounded by the chunk, not the prompt: the logits
// (every row, or the last) and the cache it leaves must be those of one pass,
// bit for bit, in the exact mode and in the fast one, with quantized weights
// too: every kernel computes a row independently of the rows beside it, and
// attention sums a query's keys in the same order whether they were cached
// by an earlier chunk or written by this one.
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/json_file.h"
#include "model/weight_packing.h"
#include "model/weight_quantization.h"
#include "model_test_util.h"

namespace smolvlm::testing {
namespace {

using kernels::ComputeMode;

struct Pass {
  std::vector<float> logits;
  KvCache cache;
};

// forward() of `ids` on an empty cache with the given chunk length.
Pass run(TextDecoder& d, const std::vector<int32_t>& ids, int64_t chunk_tokens, bool all_logits) {
  const int64_t T = static_cast<int64_t>(ids.size()), H = d.config().hidden_size, V = d.config().vocab_size;
  d.set_prefill_chunk_tokens(chunk_tokens);
  std::vector<float> emb(T * H);
  d.embed(ids, emb);
  Pass p{std::vector<float>((all_logits ? T : 1) * V), KvCache(d.config(), T + 1, d.kv_element())};
  d.forward(emb, T, p.cache, p.logits, all_logits);
  return p;
}

float max_cache_diff(const KvCache& a, const KvCache& b) {
  float worst = 0.0f;
  for (int64_t l = 0; l < a.num_layers(); ++l)
    worst = std::max({worst, max_abs_diff(a.keys(l), b.keys(l)), max_abs_diff(a.values(l), b.values(l))});
  return worst;
}

std::vector<int32_t> prompt_ids(const ModelConfig& config) {
  const Json golden = read_json_file(fixtures_dir() + "/cases/tiny-smolvlm-256m/text_long_300/golden.json");
  auto ids = golden.at("input_ids").get<std::vector<int32_t>>();
  for (int32_t& id : ids) id %= static_cast<int32_t>(config.text.vocab_size);
  return ids;
}

TEST(PrefillChunks, ExactModeEqualsOnePass) {
  LoadedModel m(fixtures_dir() + "/models/tiny-smolvlm-256m");
  const std::vector<int32_t> ids = prompt_ids(m.config);
  const auto T = static_cast<int64_t>(ids.size());
  ASSERT_GT(T, 100);
  const Pass one = run(m.decoder, ids, T, true);
  // 7 does not divide T, so the last chunk is shorter than the others.
  for (const int64_t chunk : {int64_t{1}, int64_t{7}, T / 2}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    const Pass all = run(m.decoder, ids, chunk, true);
    EXPECT_EQ(all.logits, one.logits);
    EXPECT_EQ(all.cache.size(), T);
    EXPECT_EQ(max_cache_diff(all.cache, one.cache), 0.0f);
    // Only the last row wanted: the same row as with every row.
    const Pass last = run(m.decoder, ids, chunk, false);
    EXPECT_EQ(last.logits, std::vector<float>(all.logits.end() - m.config.text.vocab_size, all.logits.end()));
  }
}

TEST(PrefillChunks, FastModeWithQuantizedWeightsEqualsOnePass) {
  const std::string dir = fixtures_dir() + "/models/tiny-smolvlm-256m";
  const ModelConfig config = load_model_config(dir);
  for (const DType dtype : {DType::BF16, DType::Q8_0, DType::Q4_0}) {
    SCOPED_TRACE(dtype_name(dtype));
    const WeightDtypes quantize{dtype == DType::BF16 ? std::nullopt : std::optional(dtype), std::nullopt,
                                std::nullopt};
    // As the engine loads a fast model: quantized, the rest packed for the BF16 kernels.
    const TensorStore store =
        pack_store_for_fast_matmul(quantize_store(TensorStore::open_dir(dir), config, quantize), config);
    TextDecoder d(store, config, ComputeMode::Fast);
    const std::vector<int32_t> ids = prompt_ids(config);
    const Pass one = run(d, ids, static_cast<int64_t>(ids.size()), true);
    const Pass chunked = run(d, ids, 64, true);
    EXPECT_EQ(chunked.logits, one.logits);
    EXPECT_EQ(max_cache_diff(chunked.cache, one.cache), 0.0f);
  }
}

TEST(PrefillChunks, DefaultIsBoundedAndZeroIsRefused) {
  LoadedModel m(fixtures_dir() + "/models/tiny-smolvlm-256m");
  EXPECT_EQ(m.decoder.prefill_chunk_tokens(), TextDecoder::kDefaultPrefillChunkTokens);
  EXPECT_THROW(m.decoder.set_prefill_chunk_tokens(0), Error);
}

}  // namespace
}  // namespace smolvlm::testing
