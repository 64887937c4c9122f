// TextDecoder contract: weight binding errors, lm_head tying, position and
// cache limits, and KV-cache reuse (chunked prefill, truncate for a new turn).
#include "model/text_decoder.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/error.h"
#include "core/json_file.h"
#include "model_test_util.h"
#include "synthetic_model.h"

namespace smolvlm::testing {
namespace {

// Logits of the last position for ids 0..n-1 (mod vocab) on an empty cache.
std::vector<float> last_logits(const TextDecoder& d, int64_t n) {
  std::vector<int32_t> ids(n);
  for (int64_t i = 0; i < n; ++i) ids[i] = static_cast<int32_t>((3 * i + 1) % d.config().vocab_size);
  KvCache cache(d.config(), n);
  return prefill(d, ids, cache);
}

TEST(TextDecoderWeights, WrongShapeNamesTheTensor) {
  TempDir dir;
  const ModelConfig config = tiny_model_config();
  auto tensors = tiny_model_tensors(config);
  const std::string name = "model.text_model.layers.1.self_attn.k_proj.weight";
  TensorToWrite& t = tensor_named(tensors, name);
  t.shape = {t.shape[0] / 2, t.shape[1] * 2};  // same bytes, wrong shape
  const TensorStore store = write_store(dir, tensors);
  const std::string what = error_of([&] { TextDecoder d(store, config); });
  EXPECT_TRUE(contains(what, name)) << what;
  EXPECT_TRUE(contains(what, "shape")) << what;
}

TEST(TextDecoderWeights, UnsupportedDtypeNamesTheTensor) {
  TempDir dir;
  const ModelConfig config = tiny_model_config();
  auto tensors = tiny_model_tensors(config);
  const std::string name = "model.text_model.norm.weight";
  tensor_named(tensors, name) = tensor_from_i32(name, {config.text.hidden_size}, std::vector<int32_t>(8, 1));
  const TensorStore store = write_store(dir, tensors);
  const std::string what = error_of([&] { TextDecoder d(store, config); });
  EXPECT_TRUE(contains(what, name) && contains(what, "I32")) << what;
}

TEST(TextDecoderWeights, MissingLayerTensorNamesIt) {
  TempDir dir;
  const ModelConfig config = tiny_model_config();
  auto tensors = tiny_model_tensors(config);
  const std::string name = "model.text_model.layers.0.mlp.down_proj.weight";
  erase_tensor(tensors, name);
  const TensorStore store = write_store(dir, tensors);
  const std::string what = error_of([&] { TextDecoder d(store, config); });
  EXPECT_TRUE(contains(what, name) && contains(what, "missing")) << what;
}

TEST(TextDecoderTying, MissingLmHeadWithoutTieIsAnError) {
  TempDir dir;
  const ModelConfig config = tiny_model_config();
  auto tensors = tiny_model_tensors(config);
  erase_tensor(tensors, "lm_head.weight");
  const TensorStore store = write_store(dir, tensors);
  const std::string what = error_of([&] { TextDecoder d(store, config); });
  EXPECT_TRUE(contains(what, "lm_head.weight") && contains(what, "missing")) << what;
}

TEST(TextDecoderTying, TiedModelWithoutLmHeadUsesTheEmbedding) {
  TempDir dir;
  ModelConfig tied = tiny_model_config();
  tied.text.tie_word_embeddings = true;
  auto tensors = tiny_model_tensors(tied);
  erase_tensor(tensors, "lm_head.weight");
  const TensorStore tied_store = write_store(dir, tensors, "tied.safetensors");
  // The same model with the embedding stored again as an explicit lm_head.
  TensorToWrite head = tensor_named(tensors, "model.text_model.embed_tokens.weight");
  head.name = "lm_head.weight";
  tensors.push_back(head);
  const ModelConfig untied = tiny_model_config();
  const TensorStore untied_store = write_store(dir, tensors, "untied.safetensors");
  EXPECT_EQ(last_logits(TextDecoder(tied_store, tied), 5), last_logits(TextDecoder(untied_store, untied), 5));
}

TEST(TextDecoderTying, StoredLmHeadWinsOverTheTieFlag) {
  TempDir dir;
  ModelConfig tied = tiny_model_config();
  tied.text.tie_word_embeddings = true;
  const TensorStore store = write_store(dir, tiny_model_tensors(tied));
  const auto with_flag = last_logits(TextDecoder(store, tied), 5);
  EXPECT_EQ(with_flag, last_logits(TextDecoder(store, tiny_model_config()), 5));
}

TEST(TextDecoderWeights, LlamaCheckpointUsesTheModelPrefix) {
  TempDir dir;
  ModelConfig llama = tiny_model_config();
  llama.architecture = Architecture::Llama;
  llama.architecture_name = "LlamaForCausalLM";
  llama.text_prefix = "model.";
  const TensorStore store = write_store(dir, tiny_model_tensors(llama));
  const TextDecoder d(store, llama);
  EXPECT_EQ(last_logits(d, 4).size(), static_cast<size_t>(llama.text.vocab_size));
}

class TinyDecoder : public ::testing::Test {
 protected:
  TinyDecoder() : store_(write_store(dir_, tiny_model_tensors(tiny_model_config()))), d_(store_, config_) {}
  std::vector<float> embeddings(int64_t n) const {
    std::vector<int32_t> ids(n, 2);
    std::vector<float> e(n * config_.text.hidden_size);
    d_.embed(ids, e);
    return e;
  }
  TempDir dir_;
  ModelConfig config_ = tiny_model_config();
  TensorStore store_;
  TextDecoder d_;
};

TEST_F(TinyDecoder, PromptLongerThanMaxPositionsIsAnError) {
  const int64_t MAX = config_.text.max_position_embeddings, V = config_.text.vocab_size;
  KvCache cache(config_.text, MAX + 4);
  std::vector<float> logits(V);
  const std::string what = error_of([&] { d_.forward(embeddings(MAX + 1), MAX + 1, cache, logits, false); });
  EXPECT_TRUE(contains(what, "max_position_embeddings") && contains(what, std::to_string(MAX + 1)) &&
              contains(what, std::to_string(MAX)))
      << what;
  EXPECT_EQ(cache.size(), 0);
  // Filling every position works; one more decode step does not.
  d_.forward(embeddings(MAX), MAX, cache, logits, false);
  EXPECT_THROW(d_.forward(embeddings(1), 1, cache, logits, false), Error);
  EXPECT_EQ(cache.size(), MAX);
}

TEST_F(TinyDecoder, PromptLongerThanTheCacheIsAnError) {
  KvCache cache(config_.text, 4);
  std::vector<float> logits(config_.text.vocab_size);
  const std::string what = error_of([&] { d_.forward(embeddings(5), 5, cache, logits, false); });
  EXPECT_TRUE(contains(what, "capacity") && contains(what, "4")) << what;
}

TEST_F(TinyDecoder, RejectsMismatchedBuffersAndCaches) {
  const int64_t V = config_.text.vocab_size;
  KvCache cache(config_.text, 8);
  std::vector<float> logits(V), all_logits(3 * V);
  EXPECT_THROW(d_.forward(embeddings(3), 2, cache, logits, false), Error);      // embeddings size
  EXPECT_THROW(d_.forward(embeddings(3), 3, cache, logits, true), Error);       // logits size
  EXPECT_THROW(d_.forward(embeddings(0), 0, cache, logits, false), Error);      // no tokens
  KvCache other(config_.text.num_layers + 1, config_.text.num_kv_heads, config_.text.head_dim, 8);
  EXPECT_THROW(d_.forward(embeddings(3), 3, other, all_logits, true), Error);  // another model's cache
  std::vector<float> e(config_.text.hidden_size);
  EXPECT_THROW(d_.embed(std::vector<int32_t>{static_cast<int32_t>(V)}, e), Error);
}

TEST_F(TinyDecoder, AllLogitsLastRowEqualsLastOnly) {
  const int64_t N = 6, V = config_.text.vocab_size;
  std::vector<float> all(N * V), last(V);
  KvCache a(config_.text, N), b(config_.text, N);
  d_.forward(embeddings(N), N, a, all, true);
  d_.forward(embeddings(N), N, b, last, false);
  EXPECT_EQ(std::vector<float>(all.end() - V, all.end()), last);
}

// Cache reuse on a fixture model: a prompt prefilled in two chunks, or rerun
// after truncating to a shared prefix (the next turn of a chat), gives the
// same logits as one prefill.
TEST(TextDecoderCache, ChunkedPrefillAndTruncateEqualOnePrefill) {
  const LoadedModel m(fixtures_dir() + "/models/tiny-smolvlm-256m");
  const TextDecoder& d = m.decoder;
  const Json golden = read_json_file(fixtures_dir() + "/cases/tiny-smolvlm-256m/text_system_multiturn/golden.json");
  const auto ids = golden.at("input_ids").get<std::vector<int32_t>>();
  const int64_t T = static_cast<int64_t>(ids.size()), SPLIT = T / 2, H = d.config().hidden_size;
  const int64_t V = d.config().vocab_size;
  KvCache one(d.config(), T);
  const std::vector<float> want = prefill(d, ids, one);

  std::vector<float> emb(T * H), logits(V);
  d.embed(ids, emb);
  KvCache two(d.config(), T);
  d.forward(std::span(emb).first(SPLIT * H), SPLIT, two, logits, false);
  d.forward(std::span(emb).subspan(SPLIT * H), T - SPLIT, two, logits, false);
  EXPECT_LE(max_abs_diff(logits, want), 1e-6f);
  EXPECT_EQ(two.size(), T);

  // Next turn: keep the first SPLIT positions, feed a different tail, then the original one.
  two.truncate(SPLIT);
  std::vector<float> other(3 * H);
  d.embed(std::vector<int32_t>{5, 6, 7}, other);
  d.forward(other, 3, two, logits, false);
  two.truncate(SPLIT);
  d.forward(std::span(emb).subspan(SPLIT * H), T - SPLIT, two, logits, false);
  EXPECT_LE(max_abs_diff(logits, want), 1e-6f);
}

}  // namespace
}  // namespace smolvlm::testing
