// PEFT adapter folders: the fixture's adapter_init read against the tiny
// model, written back and read again bit for bit, and every unsupported or
// mismatched adapter refused with an error naming what is wrong.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/fixtures.h"
#include "core/error.h"
#include "core/json_file.h"
#include "io/safetensors.h"
#include "model/lora_io.h"

namespace smolvlm {
namespace {

std::string adapter_init_dir() { return testing::fixtures_dir() + "/training/lora-sft/adapter_init"; }
ModelConfig tiny_config() { return load_model_config(testing::fixtures_dir() + "/models/tiny-smolvlm-256m"); }

std::string load_error(const std::string& dir) {
  try {
    load_lora_adapter(dir, tiny_config());
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// A copy of adapter_init in `dir` whose config is edited by `edit_config`
// and whose tensors pass through `edit_tensors`.
void write_variant(const std::string& dir, const std::function<void(Json&)>& edit_config,
                   const std::function<void(std::vector<TensorToWrite>&)>& edit_tensors = {}) {
  std::filesystem::create_directories(dir);
  Json config = read_json_file(adapter_init_dir() + "/adapter_config.json");
  edit_config(config);
  std::ofstream(dir + "/adapter_config.json") << config.dump(1);
  const TensorStore init = TensorStore::open_file(adapter_init_dir() + "/adapter_model.safetensors");
  std::vector<TensorToWrite> tensors;
  for (const std::string& name : init.names()) {
    const TensorView& t = init.get(name);
    tensors.push_back({name, t.dtype, t.shape, std::vector<uint8_t>(t.data, t.data + t.size_bytes)});
  }
  if (edit_tensors) edit_tensors(tensors);
  write_safetensors(dir + "/adapter_model.safetensors", tensors);
}

TEST(LoraIo, ReadsAdapterInitInDecoderOrder) {
  const LoraAdapter a = load_lora_adapter(adapter_init_dir(), tiny_config());
  EXPECT_EQ(a.rank, 8);
  EXPECT_EQ(a.alpha, 16.0);
  EXPECT_EQ(a.scaling(), 2.0);
  EXPECT_TRUE(a.target_modules_is_regex);
  ASSERT_EQ(a.modules.size(), 14u);
  EXPECT_EQ(a.modules[0].name, "model.text_model.layers.0.self_attn.q_proj");
  EXPECT_EQ(a.modules[6].name, "model.text_model.layers.0.mlp.down_proj");
  EXPECT_EQ(a.modules[13].name, "model.text_model.layers.1.mlp.down_proj");
  EXPECT_EQ(a.modules[1].out_features, 32);  // k_proj: 2 kv heads x 16
  EXPECT_EQ(a.modules[6].in_features, 128);  // down_proj: intermediate
  const TensorStore file = TensorStore::open_file(adapter_init_dir() + "/adapter_model.safetensors");
  EXPECT_EQ(a.modules[3].b, to_f32(file.get(peft_tensor_name(a.modules[3].name, 'B'))));
}

TEST(LoraIo, SaveThenLoadIsBitIdentical) {
  const LoraAdapter a = load_lora_adapter(adapter_init_dir(), tiny_config());
  testing::TempDir dir;
  save_lora_adapter(a, dir.path());
  const LoraAdapter b = load_lora_adapter(dir.path(), tiny_config());
  ASSERT_EQ(b.modules.size(), a.modules.size());
  for (size_t i = 0; i < a.modules.size(); ++i) {
    EXPECT_EQ(b.modules[i].name, a.modules[i].name);
    EXPECT_EQ(b.modules[i].a, a.modules[i].a);
    EXPECT_EQ(b.modules[i].b, a.modules[i].b);
  }
  // Same names and bytes as the PEFT-written file, and the config PEFT reads back.
  const TensorStore original = TensorStore::open_file(adapter_init_dir() + "/adapter_model.safetensors");
  const TensorStore saved = TensorStore::open_file(dir.file("adapter_model.safetensors"));
  EXPECT_EQ(saved.names(), original.names());
  for (const std::string& name : original.names()) {
    const TensorView &x = original.get(name), &y = saved.get(name);
    EXPECT_EQ(y.dtype, DType::F32);
    EXPECT_EQ(y.shape, x.shape);
    EXPECT_EQ(std::vector<uint8_t>(y.data, y.data + y.size_bytes), std::vector<uint8_t>(x.data, x.data + x.size_bytes));
  }
  const Json want = read_json_file(adapter_init_dir() + "/adapter_config.json");
  const Json got = read_json_file(dir.file("adapter_config.json"));
  for (const char* key : {"peft_type", "r", "lora_alpha", "target_modules", "bias", "fan_in_fan_out", "use_rslora",
                          "use_dora", "lora_dropout", "modules_to_save", "task_type", "base_model_name_or_path"})
    EXPECT_EQ(got[key], want[key]) << key;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();  // no temp left behind
}

TEST(LoraIo, TargetMatchingFollowsPeft) {
  const std::vector<std::string> list = {"q_proj", "down_proj"};
  EXPECT_TRUE(lora_targets_module(list, false, "model.text_model.layers.0.self_attn.q_proj"));
  EXPECT_TRUE(lora_targets_module(list, false, "model.vision_model.encoder.layers.0.self_attn.q_proj"));
  EXPECT_FALSE(lora_targets_module(list, false, "model.text_model.layers.0.self_attn.k_proj"));
  EXPECT_FALSE(lora_targets_module(list, false, "model.text_model.layers.0.self_attn.xq_proj"));
  const std::string regex = text_decoder_target_regex(tiny_config(), {"q_proj", "k_proj", "v_proj", "o_proj",
                                                                      "gate_proj", "up_proj", "down_proj"});
  const Json fixture = read_json_file(adapter_init_dir() + "/adapter_config.json");
  EXPECT_EQ(regex, fixture["target_modules"].get<std::string>());
  EXPECT_TRUE(lora_targets_module({regex}, true, "model.text_model.layers.12.mlp.up_proj"));
  EXPECT_FALSE(lora_targets_module({regex}, true, "model.vision_model.encoder.layers.0.self_attn.q_proj"));
  EXPECT_FALSE(lora_targets_module({regex}, true, "model.text_model.layers.0.self_attn.q_proj.base"));  // fullmatch
  EXPECT_EQ(text_decoder_target_regex(tiny_config(), {"v_proj"}), "model\\.text_model\\.layers\\.\\d+\\.self_attn\\.(v_proj)");
  EXPECT_THROW(text_decoder_target_regex(tiny_config(), {"proj"}), Error);
}

TEST(LoraIo, PlainListOfProjectionsLoadsTheTextDecoderModules) {
  testing::TempDir dir;
  write_variant(dir.path(), [](Json& c) {
    c["target_modules"] = {"down_proj", "o_proj", "k_proj", "q_proj", "gate_proj", "up_proj", "v_proj"};
  });
  const LoraAdapter a = load_lora_adapter(dir.path(), tiny_config());
  EXPECT_FALSE(a.target_modules_is_regex);
  EXPECT_EQ(a.modules.size(), 14u);
}

TEST(LoraIo, WrongShapeNamesTheTensorAndModule) {
  testing::TempDir dir;
  write_variant(dir.path(), [](Json&) {}, [](std::vector<TensorToWrite>& tensors) {
    for (TensorToWrite& t : tensors)
      if (t.name == "base_model.model.model.text_model.layers.1.self_attn.k_proj.lora_B.weight") {
        t.shape = {64, 8};  // k_proj's out is 32
        t.bytes.resize(64 * 8 * 4);
      }
  });
  const std::string e = load_error(dir.path());
  EXPECT_NE(e.find("layers.1.self_attn.k_proj.lora_B.weight"), std::string::npos) << e;
  EXPECT_NE(e.find("[32, 8]"), std::string::npos) << e;
}

TEST(LoraIo, RankDifferentFromConfigIsRefused) {
  testing::TempDir dir;
  write_variant(dir.path(), [](Json& c) { c["r"] = 4; });
  EXPECT_NE(load_error(dir.path()).find("needs [4, 64]"), std::string::npos) << load_error(dir.path());
}

TEST(LoraIo, TargetsOutsideTheDecoderAreRefused) {
  testing::TempDir none, vision, missing;
  write_variant(none.path(), [](Json& c) { c["target_modules"] = {"fc1", "fc2"}; });
  EXPECT_NE(load_error(none.path()).find("selects no projection"), std::string::npos) << load_error(none.path());

  write_variant(vision.path(), [](Json&) {}, [](std::vector<TensorToWrite>& tensors) {
    tensors.push_back(tensor_from_f32("base_model.model.model.vision_model.encoder.layers.0.self_attn.q_proj.lora_A.weight",
                                      {8, 4}, std::vector<float>(32, 0.5f)));
  });
  EXPECT_NE(load_error(vision.path()).find("vision_model.encoder.layers.0.self_attn.q_proj.lora_A.weight"),
            std::string::npos)
      << load_error(vision.path());

  write_variant(missing.path(), [](Json&) {}, [](std::vector<TensorToWrite>& tensors) {
    std::erase_if(tensors, [](const TensorToWrite& t) { return t.name.find("layers.0.mlp.up_proj.lora_A") != std::string::npos; });
  });
  const std::string e = load_error(missing.path());
  EXPECT_NE(e.find("up_proj.lora_A.weight: missing"), std::string::npos) << e;
}

TEST(LoraIo, UnsupportedOptionsAreRefusedByName) {
  const std::vector<std::pair<std::string, Json>> cases = {
      {"bias", "all"},          {"fan_in_fan_out", true},        {"use_dora", true},
      {"modules_to_save", {"lm_head"}}, {"rank_pattern", {{"q_proj", 4}}}, {"peft_type", "IA3"},
      {"use_rslora", "yes"},    {"lora_alpha", "16"}};
  for (const auto& [key, value] : cases) {
    testing::TempDir dir;
    write_variant(dir.path(), [&, key = key, value = value](Json& c) { c[key] = value; });
    EXPECT_NE(load_error(dir.path()).find(key), std::string::npos) << key << ": " << load_error(dir.path());
  }
}

TEST(LoraIo, Bf16TensorsAreWidened) {
  testing::TempDir dir;
  write_variant(dir.path(), [](Json&) {}, [](std::vector<TensorToWrite>& tensors) {
    for (TensorToWrite& t : tensors) {
      const TensorView view{t.name, t.dtype, t.shape, t.bytes.data(), t.bytes.size()};
      t = tensor_from_f32(t.name, t.shape, to_f32(view), DType::BF16);
    }
  });
  const LoraAdapter a = load_lora_adapter(dir.path(), tiny_config());
  const LoraAdapter f = load_lora_adapter(adapter_init_dir(), tiny_config());
  EXPECT_EQ(a.modules[0].a[5], bf16_to_f32(f32_to_bf16(f.modules[0].a[5])));
}

}  // namespace
}  // namespace smolvlm
