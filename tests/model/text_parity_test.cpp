// Parity of the text decoder with transformers 4.51.3 (f32) on every
// text_only fixture case: logits of the last prompt position, per-position
// top-k ids, and the 24 greedy ids through the KV cache (fixtures README,
// "Tolerances").
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "core/json_file.h"
#include "model_test_util.h"

namespace smolvlm::testing {
namespace {

namespace fs = std::filesystem;

constexpr float kLogitTolerance = 1e-4f;  // max abs, f32 exact mode
constexpr int64_t kTopK = 8;              // compared ranks; golden tables hold 9 (the 9th settles ties)

struct TextCase {
  std::string model;  // folder under models/
  std::string name;   // folder under cases/<model>/
  std::string dir() const { return fixtures_dir() + "/cases/" + model + "/" + name; }
  std::string model_dir() const { return fixtures_dir() + "/models/" + model; }
};

std::vector<TextCase> text_cases() {
  std::vector<TextCase> cases;
  const fs::path root = fs::path(fixtures_dir()) / "cases";
  if (!fs::is_directory(root)) return cases;
  for (const auto& model : fs::directory_iterator(root))
    for (const auto& c : fs::directory_iterator(model.path())) {
      const fs::path input = c.path() / "input.json";
      if (fs::exists(input) && read_json_file(input.string()).value("kind", "") == "text_only")
        cases.push_back({model.path().filename().string(), c.path().filename().string()});
    }
  std::sort(cases.begin(), cases.end(), [](const TextCase& a, const TextCase& b) {
    return std::tie(a.model, a.name) < std::tie(b.model, b.name);
  });
  return cases;
}

std::string case_label(const ::testing::TestParamInfo<TextCase>& info) {
  std::string s = info.param.model + "__" + info.param.name;
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

// The k best ids at one position, ties broken towards the lower id.
std::vector<int32_t> top_ids(std::span<const float> logits, int64_t k) {
  std::vector<int32_t> ids(logits.size());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>(i);
  std::partial_sort(ids.begin(), ids.begin() + k, ids.end(),
                    [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); });
  ids.resize(k);
  return ids;
}

// Per position, our top-8 ids must equal the golden ones except inside a
// near-tie (adjacent golden logits closer than the tolerance). Returns the
// worst |our logit - golden logit| at the golden top-8 ids.
float check_top_k(std::span<const float> logits, int64_t T, int64_t V, const TensorStore& golden) {
  const std::vector<int32_t> gold_ids = read_i32(golden.get("topk_ids", {T, kTopK + 1}));
  const std::vector<float> gold_logits = to_f32(golden.get("topk_logits", {T, kTopK + 1}));
  float worst = 0.0f;
  for (int64_t t = 0; t < T; ++t) {
    const std::span<const float> row = logits.subspan(t * V, V);
    const std::vector<int32_t> mine = top_ids(row, kTopK);
    const int32_t* gi = gold_ids.data() + t * (kTopK + 1);
    const float* gl = gold_logits.data() + t * (kTopK + 1);
    for (int64_t k = 0; k < kTopK; ++k) {
      worst = std::max(worst, std::abs(row[gi[k]] - gl[k]));
      const bool near_tie = gl[k] - gl[k + 1] < kLogitTolerance || (k > 0 && gl[k - 1] - gl[k] < kLogitTolerance);
      if (mine[k] != gi[k] && !near_tie)
        ADD_FAILURE() << "position " << t << " rank " << k << ": id " << mine[k] << ", golden " << gi[k];
    }
  }
  return worst;
}

class TextParity : public ::testing::TestWithParam<TextCase> {
 protected:
  void SetUp() override {
    model_ = std::make_unique<LoadedModel>(GetParam().model_dir());
    golden_json_ = read_json_file(GetParam().dir() + "/golden.json");
    golden_ = std::make_unique<TensorStore>(TensorStore::open_file(GetParam().dir() + "/golden.safetensors"));
    prompt_ = golden_json_.at("input_ids").get<std::vector<int32_t>>();
  }
  const TextDecoder& decoder() const { return model_->decoder; }

  std::unique_ptr<LoadedModel> model_;
  Json golden_json_;
  std::unique_ptr<TensorStore> golden_;
  std::vector<int32_t> prompt_;
};

TEST_P(TextParity, LogitsLastAndTopKIds) {
  const int64_t T = static_cast<int64_t>(prompt_.size()), V = decoder().config().vocab_size;
  const int64_t H = decoder().config().hidden_size;
  std::vector<float> emb(T * H), logits(T * V);
  KvCache cache(decoder().config(), T);
  decoder().embed(prompt_, emb);
  decoder().forward(emb, T, cache, logits, true);

  const std::vector<float> want_last = to_f32(golden_->get("logits_last", {V}));
  const float worst = max_abs_diff(std::span(logits).subspan((T - 1) * V, V), want_last);
  std::cout << "[parity] " << GetParam().model << "/" << GetParam().name << ": logits_last max abs error " << worst
            << " (" << T << " prompt ids)\n";
  RecordProperty("logits_last_max_abs_error", std::to_string(worst));
  EXPECT_LE(worst, kLogitTolerance);

  const float worst_topk_value = check_top_k(logits, T, V, *golden_);
  std::cout << "[parity]   top-" << kTopK << " logits at golden ids, all positions: max abs error "
            << worst_topk_value << "\n";
  EXPECT_LE(worst_topk_value, kLogitTolerance);
}

TEST_P(TextParity, GreedyIdsAndIncrementalEqualsFullRecompute) {
  constexpr int64_t kNewTokens = 24;
  const std::vector<int32_t> eos = load_generation_config(GetParam().model_dir()).eos_token_ids;
  ASSERT_FALSE(eos.empty());
  const GreedyRun stopped = greedy(decoder(), prompt_, kNewTokens, eos);
  EXPECT_EQ(stopped.ids, golden_json_.at("greedy_ids").get<std::vector<int32_t>>());
  const GreedyRun free_run = greedy(decoder(), prompt_, kNewTokens, {});
  EXPECT_EQ(free_run.ids, golden_json_.at("greedy_ids_ignore_eos").get<std::vector<int32_t>>());

  // One forward over prompt + generated ids must give, at every step, the
  // logits the cached decode picked from.
  std::vector<int32_t> all = prompt_;
  all.insert(all.end(), free_run.ids.begin(), free_run.ids.end() - 1);
  const int64_t T = static_cast<int64_t>(all.size()), P = static_cast<int64_t>(prompt_.size());
  const int64_t V = decoder().config().vocab_size, H = decoder().config().hidden_size;
  std::vector<float> emb(T * H), logits(T * V);
  KvCache cache(decoder().config(), T);
  decoder().embed(all, emb);
  decoder().forward(emb, T, cache, logits, true);
  float worst = 0.0f;
  for (int64_t i = 0; i < kNewTokens; ++i)
    worst = std::max(worst, max_abs_diff(free_run.logits[i], std::span(logits).subspan((P - 1 + i) * V, V)));
  std::cout << "[parity] " << GetParam().model << "/" << GetParam().name
            << ": incremental vs full recompute, max abs logit difference " << worst << "\n";
  RecordProperty("incremental_vs_full_max_abs", std::to_string(worst));
  EXPECT_LE(worst, 1e-5f);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TextParity, ::testing::ValuesIn(text_cases()), case_label);

TEST(TextParityCases, AllTextOnlyCasesAreFound) {
  // Guards against a fixtures path that silently yields no parity cases.
  EXPECT_GE(text_cases().size(), 6u) << "fixtures: " << fixtures_dir();
}

}  // namespace
}  // namespace smolvlm::testing
