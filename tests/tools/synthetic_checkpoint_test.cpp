// Synthetic checkpoints: every preset's configs load with the engine's own
// loaders and carry the SPEC §1.2 values; the tiny ones are written in full and
// match the fixture models' tensor layout; the tokenizer round-trips.
#include "model/synthetic_checkpoint.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/fixtures.h"
#include "core/error.h"
#include "core/json_file.h"
#include "io/model_config.h"
#include "io/safetensors.h"
#include "tokenizer/tokenizer.h"

namespace smolvlm {
namespace {

using testing::TempDir;

// SPEC §1.2 / §1.4 and fixtures/README.md "Models", written out independently
// of the writer's own table.
struct Expected {
  std::string like;
  Architecture arch;
  int64_t hidden, layers, heads, kv_heads, intermediate, vocab;
  bool tied;
  int64_t vision_hidden, vision_layers, image_size, patch_size, scale;
  int64_t image_token, eos, image_seq_len;
};

const std::vector<Expected>& expectations() {
  static const std::vector<Expected> e = {
      {"SmolVLM-256M-Instruct", Architecture::Idefics3, 576, 30, 9, 3, 1536, 49280, false, 768, 12, 512, 16, 4,
       49190, 49279, 64},
      {"SmolVLM-500M-Instruct", Architecture::Idefics3, 960, 32, 15, 5, 2560, 49280, false, 768, 12, 512, 16, 4,
       49190, 49279, 64},
      {"SmolVLM-Instruct", Architecture::Idefics3, 2048, 24, 32, 32, 8192, 49155, false, 1152, 27, 384, 14, 3, 49153,
       49154, 81},
      {"SmolVLM2-256M-Video-Instruct", Architecture::SmolVLM, 576, 30, 9, 3, 1536, 49280, false, 768, 12, 512, 16, 4,
       49190, 49279, 64},
      {"tiny-smolvlm-256m", Architecture::Idefics3, 64, 2, 4, 2, 128, 49280, false, 64, 2, 512, 16, 4, 49190, 49279,
       64},
      {"tiny-smolvlm", Architecture::Idefics3, 64, 2, 4, 2, 128, 49155, true, 144, 2, 384, 14, 3, 49153, 49154, 81},
      {"tiny-smolvlm2", Architecture::SmolVLM, 64, 2, 4, 2, 128, 49280, true, 64, 2, 512, 16, 4, 49190, 49279, 64},
  };
  return e;
}

int64_t numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(SyntheticCheckpoint, NamesAreThePresets) {
  std::vector<std::string> names;
  for (const Expected& e : expectations()) names.push_back(e.like);
  EXPECT_EQ(synthetic_checkpoint_names(), names);
}

TEST(SyntheticCheckpoint, UnknownNameIsAnError) {
  TempDir dir;
  EXPECT_THROW(write_synthetic_configs(dir.path(), "SmolVLM-9B"), Error);
}

TEST(SyntheticCheckpoint, ConfigsLoadWithSpecValues) {
  for (const Expected& e : expectations()) {
    SCOPED_TRACE(e.like);
    TempDir dir;
    write_synthetic_configs(dir.path(), e.like);
    for (const char* f : {"config.json", "generation_config.json", "preprocessor_config.json", "processor_config.json",
                          "chat_template.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"})
      EXPECT_TRUE(std::filesystem::exists(dir.file(f))) << f;

    const ModelConfig c = load_model_config(dir.path());
    EXPECT_EQ(c.architecture, e.arch);
    EXPECT_EQ(c.text.hidden_size, e.hidden);
    EXPECT_EQ(c.text.num_layers, e.layers);
    EXPECT_EQ(c.text.num_heads, e.heads);
    EXPECT_EQ(c.text.num_kv_heads, e.kv_heads);
    EXPECT_EQ(c.text.head_dim, e.hidden / e.heads);
    EXPECT_EQ(c.text.intermediate_size, e.intermediate);
    EXPECT_EQ(c.text.vocab_size, e.vocab);
    EXPECT_EQ(c.text.tie_word_embeddings, e.tied);
    ASSERT_TRUE(c.vision.has_value());
    EXPECT_EQ(c.vision->hidden_size, e.vision_hidden);
    EXPECT_EQ(c.vision->num_layers, e.vision_layers);
    EXPECT_EQ(c.vision->image_size, e.image_size);
    EXPECT_EQ(c.vision->patch_size, e.patch_size);
    EXPECT_EQ(c.scale_factor, e.scale);
    EXPECT_EQ(c.image_token_id, e.image_token);

    const GenerationConfig g = load_generation_config(dir.path());
    EXPECT_EQ(g.eos_token_ids, std::vector<int32_t>{static_cast<int32_t>(e.eos)});
    EXPECT_EQ(read_json_file(dir.file("processor_config.json"))["image_seq_len"], e.image_seq_len);
    const Json pre = read_json_file(dir.file("preprocessor_config.json"));
    EXPECT_EQ(pre["max_image_size"]["longest_edge"], e.image_size);
    EXPECT_EQ(pre["size"]["longest_edge"], 4 * e.image_size);
    EXPECT_EQ(pre["resample"], 1);
    EXPECT_EQ(read_json_file(dir.file("tokenizer_config.json"))["eos_token"], "<end_of_utterance>");
  }
}

TEST(SyntheticCheckpoint, PlanParameterCountsMatchTheModelNames) {
  // Totals of the real checkpoints: ~256M, ~507M, ~2.25B parameters.
  const std::vector<std::pair<std::string, std::pair<double, double>>> ranges = {
      {"SmolVLM-256M-Instruct", {0.24e9, 0.27e9}},
      {"SmolVLM-500M-Instruct", {0.49e9, 0.52e9}},
      {"SmolVLM-Instruct", {2.2e9, 2.3e9}},
      {"SmolVLM2-256M-Video-Instruct", {0.24e9, 0.27e9}}};
  for (const auto& [like, range] : ranges) {
    TempDir dir;
    write_synthetic_configs(dir.path(), like);
    double total = 0;
    for (const SyntheticWeight& w : synthetic_weight_plan(load_model_config(dir.path()))) total += numel(w.shape);
    EXPECT_GT(total, range.first) << like;
    EXPECT_LT(total, range.second) << like;
  }
}

TEST(SyntheticCheckpoint, TinyCheckpointsHaveTheFixtureLayout) {
  for (const std::string like : {"tiny-smolvlm-256m", "tiny-smolvlm", "tiny-smolvlm2"}) {
    SCOPED_TRACE(like);
    TempDir dir;
    const auto start = std::chrono::steady_clock::now();
    write_synthetic_checkpoint(dir.path(), like, 7);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 10.0);  // tiny shapes: a few MB, well under a second on a laptop

    const ModelConfig ours = load_model_config(dir.path());
    const std::string fixture_dir = testing::fixtures_dir() + "/models/" + like;
    const ModelConfig theirs = load_model_config(fixture_dir);
    EXPECT_EQ(ours.text.rope_theta, theirs.text.rope_theta);
    EXPECT_EQ(ours.text.max_position_embeddings, theirs.text.max_position_embeddings);
    EXPECT_EQ(ours.vision->intermediate_size, theirs.vision->intermediate_size);
    EXPECT_EQ(ours.vision->num_heads, theirs.vision->num_heads);
    EXPECT_EQ(read_json_table_file(dir.file("preprocessor_config.json")),
              read_json_table_file(fixture_dir + "/preprocessor_config.json"));
    EXPECT_EQ(read_json_table_file(dir.file("processor_config.json")), read_json_table_file(fixture_dir + "/processor_config.json"));
    EXPECT_EQ(read_json_table_file(dir.file("chat_template.json")), read_json_table_file(fixture_dir + "/chat_template.json"));

    // Same tensor names and shapes as the fixture model, all BF16.
    const TensorStore store = TensorStore::open_dir(dir.path());
    const TensorStore fixture = TensorStore::open_dir(fixture_dir);
    EXPECT_EQ(store.names(), fixture.names());
    for (const std::string& name : store.names()) {
      const TensorView& t = store.get(name);
      EXPECT_EQ(t.dtype, DType::BF16) << name;
      if (fixture.contains(name)) {
        EXPECT_EQ(t.shape, fixture.get(name).shape) << name;
      }
    }
    EXPECT_EQ(store.contains("lm_head.weight"), !ours.text.tie_word_embeddings);
  }
}

TEST(SyntheticCheckpoint, ShapesFollowTheConfig) {
  TempDir dir;
  write_synthetic_checkpoint(dir.path(), "tiny-smolvlm", 1);
  const ModelConfig c = load_model_config(dir.path());
  const TensorStore store = TensorStore::open_dir(dir.path());
  const int64_t H = c.text.hidden_size, d = c.text.head_dim, Hv = c.vision->hidden_size;
  const int64_t n = c.vision->image_size / c.vision->patch_size;  // 27 for 384/14
  const std::string t = c.text_prefix, v = "model.vision_model.";
  EXPECT_NO_THROW(store.get(t + "embed_tokens.weight", {c.text.vocab_size, H}));
  EXPECT_NO_THROW(store.get(t + "layers.1.self_attn.q_proj.weight", {c.text.num_heads * d, H}));
  EXPECT_NO_THROW(store.get(t + "layers.1.self_attn.k_proj.weight", {c.text.num_kv_heads * d, H}));
  EXPECT_NO_THROW(store.get(t + "layers.1.self_attn.o_proj.weight", {H, c.text.num_heads * d}));
  EXPECT_NO_THROW(store.get(t + "layers.1.mlp.down_proj.weight", {H, c.text.intermediate_size}));
  EXPECT_NO_THROW(store.get(t + "norm.weight", {H}));
  EXPECT_NO_THROW(store.get(v + "embeddings.patch_embedding.weight", {Hv, 3, c.vision->patch_size, c.vision->patch_size}));
  EXPECT_NO_THROW(store.get(v + "embeddings.position_embedding.weight", {n * n, Hv}));
  EXPECT_NO_THROW(store.get(v + "encoder.layers.1.mlp.fc1.weight", {c.vision->intermediate_size, Hv}));
  EXPECT_NO_THROW(store.get(v + "post_layernorm.bias", {Hv}));
  EXPECT_NO_THROW(store.get("model.connector.modality_projection.proj.weight", {H, Hv * 9}));
  EXPECT_FALSE(store.contains("lm_head.weight"));  // tied
  EXPECT_EQ(store.names().size(), 3u + 16 * 2 + 2 + 1 + 1 + 9 * 2 + 1);
}

TEST(SyntheticCheckpoint, ValuesFollowTheInitScheme) {
  TempDir dir;
  write_synthetic_checkpoint(dir.path(), "tiny-smolvlm-256m", 3);
  const TensorStore store = TensorStore::open_dir(dir.path());
  for (float x : to_f32(store.get("model.text_model.norm.weight"))) ASSERT_EQ(x, 1.0f);
  for (float x : to_f32(store.get("model.vision_model.encoder.layers.0.mlp.fc1.bias"))) ASSERT_EQ(x, 0.0f);
  const std::vector<float> w = to_f32(store.get("model.text_model.embed_tokens.weight"));
  double sum = 0, sq = 0;
  for (float x : w) {
    sum += x;
    sq += double(x) * x;
  }
  const double mean = sum / w.size(), sd = std::sqrt(sq / w.size() - mean * mean);
  EXPECT_NEAR(mean, 0.0, 1e-3);
  EXPECT_NEAR(sd, 0.02, 1e-3);
}

TEST(SyntheticCheckpoint, DeterministicForASeed) {
  TempDir a, b, c;
  write_synthetic_checkpoint(a.path(), "tiny-smolvlm2", 11);
  write_synthetic_checkpoint(b.path(), "tiny-smolvlm2", 11);
  write_synthetic_checkpoint(c.path(), "tiny-smolvlm2", 12);
  for (const char* f : {"model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json"})
    EXPECT_EQ(slurp(a.file(f)), slurp(b.file(f))) << f;
  EXPECT_NE(slurp(a.file("model.safetensors")), slurp(c.file("model.safetensors")));
}

TEST(SyntheticTokenizer, TokenizerConfigsEqualTheRealFiles) {
  // tiny-smolvlm-256m / tiny-smolvlm2 ship the real 256M tokenizer files; the
  // 2.2B-style set is the fixtures' cut-down variant (fixtures/README.md).
  const std::string f = testing::fixtures_dir();
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"tiny-smolvlm-256m", f + "/models/tiny-smolvlm-256m"},
      {"tiny-smolvlm2", f + "/models/tiny-smolvlm2"},
      {"tiny-smolvlm", f + "/tokenizers/smolvlm-2.2b-added-tokens"}};
  for (const auto& [like, real] : pairs) {
    SCOPED_TRACE(like);
    TempDir dir;
    write_synthetic_configs(dir.path(), like);
    for (const char* file : {"tokenizer_config.json", "special_tokens_map.json"})
      EXPECT_EQ(read_json_file(dir.file(file)), read_json_file(real + "/" + file)) << file;
  }
}

TEST(SyntheticTokenizer, LoadsAndRoundTrips) {
  for (const std::string like : {"tiny-smolvlm-256m", "tiny-smolvlm"}) {
    SCOPED_TRACE(like);
    TempDir dir;
    write_synthetic_configs(dir.path(), like);
    const ModelConfig c = load_model_config(dir.path());
    const Tokenizer tok = Tokenizer::from_dir(dir.path());
    EXPECT_EQ(static_cast<int64_t>(tok.vocab_size()), c.text.vocab_size);
    EXPECT_EQ(tok.token_to_id("<image>"), c.image_token_id);
    EXPECT_EQ(tok.token_to_id("<end_of_utterance>"), load_generation_config(dir.path()).eos_token_ids.at(0));
    EXPECT_EQ(tok.token_to_id("<|im_start|>"), 1);
    EXPECT_TRUE(tok.is_special(c.image_token_id));

    const std::string text =
        "<|im_start|>User:<image>Describe the harbour at 10:45, naïve café 😀.<end_of_utterance>\nAssistant:";
    const std::vector<int32_t> ids = tok.encode(text);
    EXPECT_EQ(tok.decode(ids, false), text);
    EXPECT_LT(ids.size(), text.size() / 2);  // merges learned from English actually merge
    EXPECT_EQ(ids.front(), 1);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), c.image_token_id), 1);
  }
}

TEST(SyntheticTokenizer, RowColumnMarkersAreAddedTokensOnlyFor256M) {
  TempDir small, big;
  write_synthetic_configs(small.path(), "SmolVLM-256M-Instruct");
  write_synthetic_configs(big.path(), "SmolVLM-Instruct");
  const Tokenizer t256 = Tokenizer::from_dir(small.path());
  const Tokenizer t2b = Tokenizer::from_dir(big.path());
  EXPECT_EQ(t256.token_to_id("<global-img>"), 49152);
  EXPECT_EQ(t256.token_to_id("<row_1_col_1>"), 49153);
  EXPECT_EQ(t256.token_to_id("<row_6_col_6>"), 49188);
  EXPECT_EQ(t256.token_to_id("<fake_token_around_image>"), 49189);
  EXPECT_EQ(t256.token_to_id("<|reserved_special_token_87|>"), 49278);
  EXPECT_EQ(t2b.token_to_id("<fake_token_around_image>"), 49152);
  EXPECT_FALSE(t2b.token_to_id("<global-img>").has_value());
  EXPECT_GT(t2b.encode("<row_1_col_2>").size(), 1u);  // plain text there (SPEC §1.4)
}

}  // namespace
}  // namespace smolvlm
