#include "train/finetune_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "common/fixtures.h"
#include "core/error.h"

namespace smolvlm::train {
namespace {

using testing::fixtures_dir;
using testing::TempDir;

std::string training_dir() { return fixtures_dir() + "/training"; }

TEST(FinetuneConfig, ReadsTheLoraGoldenConfig) {
  FinetuneConfig c;
  const std::vector<std::string> ignored = apply_config_file(c, training_dir() + "/lora-sft/config.json");
  EXPECT_EQ(c.r, 8);
  EXPECT_EQ(c.lora_alpha, 16);
  EXPECT_EQ(c.lora_scaling(), 2.0);
  EXPECT_EQ(c.lr, 1e-3);
  EXPECT_EQ(c.lr_scheduler, "constant");
  EXPECT_EQ(c.beta2, 0.999);
  EXPECT_EQ(c.max_grad_norm, 1.0);
  EXPECT_EQ(c.per_device_batch, 2);
  EXPECT_EQ(c.grad_accumulation, 2);
  EXPECT_EQ(c.micro_batches, (std::vector<std::vector<int64_t>>{{0, 1}, {2, 3}}));
  EXPECT_EQ(c.masking, LabelMasking::Notebook);
  EXPECT_EQ(c.target_modules.size(), 7u);
  // adapter_init is relative to the config's folder.
  EXPECT_EQ(c.adapter_init, training_dir() + "/lora-sft/adapter_init");
  EXPECT_NE(std::find(ignored.begin(), ignored.end(), "attention"), ignored.end());
}

TEST(FinetuneConfig, NullKeepsTheDefault) {
  FinetuneConfig c;
  c.method = TrainMethod::Full;
  apply_config_file(c, training_dir() + "/full-sft/config.json");
  EXPECT_EQ(c.r, FinetuneConfig{}.r);
  EXPECT_TRUE(c.adapter_init.empty());
  EXPECT_EQ(c.lr, 1e-3);
}

TEST(FinetuneConfig, ReadsTheDpoGoldenConfig) {
  FinetuneConfig c;
  apply_config_file(c, training_dir() + "/dpo/config.json");
  EXPECT_EQ(c.beta, 0.1);
  EXPECT_EQ(c.per_device_batch, 3);  // TRL's "batch"
  EXPECT_EQ(c.grad_accumulation, 1);
  EXPECT_EQ(c.max_length, 1024);
}

std::string error_of_config(const std::string& json) {
  TempDir dir;
  const std::string path = dir.path() + "/config.json";
  std::ofstream(path) << json;
  FinetuneConfig c;
  try {
    apply_config_file(c, path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(FinetuneConfig, BadValuesNameTheKey) {
  EXPECT_NE(error_of_config(R"({"lr": "fast"})").find("lr: expected a number"), std::string::npos);
  EXPECT_NE(error_of_config(R"({"r": 0})").find("r: must be positive"), std::string::npos);
  EXPECT_NE(error_of_config(R"({"r": 2.5})").find("r: expected an integer"), std::string::npos);
  EXPECT_NE(error_of_config(R"({"lr_scheduler": "step"})").find("is not one of constant, linear, cosine"),
            std::string::npos);
  EXPECT_NE(error_of_config(R"({"micro_batches": [[0], []]})").find("non-empty"), std::string::npos);
  EXPECT_NE(error_of_config(R"({"lr_warmup": 3})").find("unknown setting"), std::string::npos);
  EXPECT_NE(error_of_config(R"({"r": 8, "lora_alpha": 16, "scaling": 1.0})").find("scaling"), std::string::npos);
  EXPECT_NE(error_of_config(R"({"loss_type": "ipo"})").find("sigmoid"), std::string::npos);
  EXPECT_NE(error_of_config("[1, 2]").find("expected a JSON object"), std::string::npos);
  EXPECT_NE(error_of_config("{").find("config.json"), std::string::npos);
}

TEST(FinetuneConfig, FlagsSetTheSameFields) {
  FinetuneConfig c;
  set_config_field(c, "lr", Json(5e-4), "--lr");
  set_config_field(c, "masking", Json("assistant_only"), "--masking");
  EXPECT_EQ(c.lr, 5e-4);
  EXPECT_EQ(c.masking, LabelMasking::AssistantOnly);
  EXPECT_THROW(set_config_field(c, "nonsense", Json(1), "--nonsense"), Error);
}

TEST(FinetuneConfig, RoundTripsThroughJson) {
  FinetuneConfig c;
  c.method = TrainMethod::Full;
  c.micro_batches = {{1, 0}};
  c.lr_scheduler = "cosine";
  TempDir dir;
  const std::string path = dir.path() + "/config.json";
  std::ofstream(path) << config_to_json(c).dump();
  FinetuneConfig back;
  apply_config_file(back, path);
  EXPECT_EQ(config_to_json(back), config_to_json(c));
}

}  // namespace
}  // namespace smolvlm::train
