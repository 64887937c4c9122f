// LoRA merge against the merge goldens (fixtures/training/README.md "merge"):
// adapter_init merged onto the tiny model gives merged_f32 within 1e-6 (in
// fact bit for bit) and merged_bf16 bit for bit, as a checkpoint folder that
// loads and runs; a refused --out leaves nothing behind.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/json_file.h"
#include "io/model_config.h"
#include "model/lora_io.h"
#include "smolvlm.h"
#include "train/lora_merge.h"
#include "train/train_golden_util.h"

namespace smolvlm::train {
namespace {

namespace fs = std::filesystem;
using testing::tiny_model_dir;
using testing::training_dir;

MergeOptions merge_of_adapter_init(const std::string& out_dir, DType dtype) {
  const ModelConfig config = load_model_config(tiny_model_dir());
  MergeOptions o;
  o.model_dir = tiny_model_dir();
  o.adapters.push_back({load_lora_adapter(training_dir() + "/lora-sft/adapter_init", config), 1.0});
  o.out_dir = out_dir;
  o.dtype = dtype;
  return o;
}

std::vector<uint8_t> raw(const TensorView& t) { return {t.data, t.data + t.size_bytes}; }

TEST(LoraMerge, F32MatchesGoldenAndKeepsOtherTensors) {
  testing::TempDir dir;
  merge_lora_checkpoint(merge_of_adapter_init(dir.file("merged"), DType::F32));
  const TensorStore merged = TensorStore::open_dir(dir.file("merged"));
  const TensorStore golden = TensorStore::open_file(training_dir() + "/merge/merged_f32.safetensors");
  const TensorStore base = TensorStore::open_dir(tiny_model_dir());
  EXPECT_EQ(merged.names(), base.names());
  double worst = 0;
  for (const std::string& name : golden.names()) {
    EXPECT_EQ(merged.get(name).dtype, DType::F32);
    const double err = testing::max_abs_diff(to_f32(merged.get(name)), to_f32(golden.get(name)));
    EXPECT_LE(err, 1e-6) << name;
    worst = std::max(worst, err);
  }
  std::printf("[merge f32] 14 tensors, max |merged - golden| %.3g\n", worst);
  for (const std::string& name : base.names()) {
    if (golden.contains(name)) continue;
    EXPECT_EQ(merged.get(name).dtype, DType::F32) << name;
    EXPECT_EQ(to_f32(merged.get(name)), to_f32(base.get(name))) << name;  // widened exactly
  }
}

TEST(LoraMerge, Bf16IsOneRoundingOfTheF32Result) {
  testing::TempDir dir;
  merge_lora_checkpoint(merge_of_adapter_init(dir.file("merged"), DType::BF16));
  const TensorStore merged = TensorStore::open_dir(dir.file("merged"));
  const TensorStore golden = TensorStore::open_file(training_dir() + "/merge/merged_bf16.safetensors");
  const TensorStore base = TensorStore::open_dir(tiny_model_dir());
  int64_t differing = 0;
  for (const std::string& name : golden.names()) {
    const std::vector<float> got = to_f32(merged.get(name)), want = to_f32(golden.get(name));
    for (size_t i = 0; i < got.size(); ++i) differing += got[i] != want[i];
    EXPECT_EQ(raw(merged.get(name)), raw(golden.get(name))) << name;
  }
  std::printf("[merge bf16] elements differing from merged_bf16: %lld\n", static_cast<long long>(differing));
  for (const std::string& name : base.names()) {
    if (golden.contains(name)) continue;
    EXPECT_EQ(raw(merged.get(name)), raw(base.get(name))) << name;  // copied as stored
  }
  // The base's side files and shard index came along.
  for (const char* file : {"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                           "chat_template.json", "preprocessor_config.json", "processor_config.json",
                           "special_tokens_map.json", "model.safetensors.index.json"})
    EXPECT_TRUE(fs::exists(dir.file("merged/") + file)) << file;
}

// An adapter written by us (save_lora_adapter) merges to the same bits as PEFT's file.
TEST(LoraMerge, AdapterSavedByUsMergesToTheGolden) {
  testing::TempDir dir;
  const ModelConfig config = load_model_config(tiny_model_dir());
  save_lora_adapter(load_lora_adapter(training_dir() + "/lora-sft/adapter_init", config), dir.file("saved"));
  MergeOptions o = merge_of_adapter_init(dir.file("merged"), DType::BF16);
  o.adapters[0].adapter = load_lora_adapter(dir.file("saved"), config);
  merge_lora_checkpoint(o);
  const TensorStore merged = TensorStore::open_dir(dir.file("merged"));
  const TensorStore golden = TensorStore::open_file(training_dir() + "/merge/merged_bf16.safetensors");
  for (const std::string& name : golden.names()) EXPECT_EQ(raw(merged.get(name)), raw(golden.get(name))) << name;
}

TEST(LoraMerge, MergedFolderLoadsAndGenerates) {
  testing::TempDir dir;
  merge_lora_checkpoint(merge_of_adapter_init(dir.file("merged"), DType::BF16));
  auto engine = Engine::load(dir.file("merged"));
  GenerationOptions options;
  options.max_new_tokens = 4;
  options.ignore_eos = true;
  const GenerationResult r = engine->generate({{"user", {Content::text_item("Hello")}}}, options);
  EXPECT_EQ(r.generated_ids.size(), 4u);
}

TEST(LoraMerge, ExistingOutputIsRefusedAndNothingIsLeftBehind) {
  testing::TempDir dir;
  fs::create_directories(dir.file("taken"));
  std::ofstream(dir.file("taken/keep.txt")) << "mine";
  EXPECT_THROW(merge_lora_checkpoint(merge_of_adapter_init(dir.file("taken"), DType::BF16)), Error);
  std::vector<std::string> entries;
  for (const auto& e : fs::directory_iterator(dir.path())) entries.push_back(e.path().filename().string());
  EXPECT_EQ(entries, std::vector<std::string>{"taken"});
  EXPECT_TRUE(fs::exists(dir.file("taken/keep.txt")));

  // An adapter targeting a weight the base lacks fails before the rename: no out, no temp.
  MergeOptions o = merge_of_adapter_init(dir.file("new"), DType::BF16);
  o.adapters[0].adapter.modules[0].name = "model.text_model.layers.9.self_attn.q_proj";
  EXPECT_THROW(merge_lora_checkpoint(o), Error);
  EXPECT_FALSE(fs::exists(dir.file("new")));
  entries.clear();
  for (const auto& e : fs::directory_iterator(dir.path())) entries.push_back(e.path().filename().string());
  EXPECT_EQ(entries, std::vector<std::string>{"taken"});
}

TEST(LoraMerge, ScalesAndSeveralAdaptersAddUp) {
  // The same adapter twice at scale 0.5 gives the bits of once at scale 1 (factors 1 + 1 = 2, all exact).
  const ModelConfig config = load_model_config(tiny_model_dir());
  const LoraAdapter a = load_lora_adapter(training_dir() + "/lora-sft/adapter_init", config);
  const LoraModule& m = a.modules[2];
  std::vector<float> once(m.out_features * m.in_features, 0.0f), twice = once;
  add_lora_delta(m, ScaledLora{a, 1.0}.factor(), once);
  add_lora_delta(m, ScaledLora{a, 0.5}.factor(), twice);
  add_lora_delta(m, ScaledLora{a, 0.5}.factor(), twice);
  EXPECT_EQ((ScaledLora{a, 0.5}.factor()), 1.0f);
  EXPECT_EQ(twice, once);  // d * 1 + d * 1 == d * 2 exactly
}

}  // namespace
}  // namespace smolvlm::train
