// The DPO golden as one `smolvlm dpo` command (fixtures/training/dpo): the
// first step's loss, TRL's rewards/* and logps/*, and the LoRA gradients of
// the DPO loss at adapter_init (README "Tolerances": losses rel 1e-5, summed
// log-probs abs 1e-4, gradients norm-relative 1e-4).
#include <gtest/gtest.h>

#include <cstdio>

#include "core/json_file.h"
#include "finetune_cli_goldens.h"
#include "model/lora_io.h"

namespace smolvlm::train {
namespace {

using namespace testing;
using smolvlm::testing::TempDir;

TEST(DpoCli, OneStepMatchesTorch) {
  TempDir dir;
  const CommandResult r = run_train_cli(
      "dpo", {"--data", data_file("dpo.jsonl"), "--config", golden_config("dpo"), "--lora",
              training_dir() + "/lora-sft/adapter_init", "--max-steps", "1", "--out", dir.file("out"),
              "--dump-tensors", dir.file("d")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json golden = read_json_file(training_dir() + "/dpo/golden.json");
  const TensorStore g = TensorStore::open_file(training_dir() + "/dpo/golden.safetensors");
  const Dump dump(dir.file("d"));
  EXPECT_LT(relative_error(dump.get("loss")[0], golden["loss"].get<double>()), 1e-5);
  for (const char* key : {"rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies"})
    EXPECT_NEAR(dump.get(key)[0], golden[key].get<double>(), 1e-5 * std::max(1.0, std::abs(golden[key].get<double>())))
        << key;
  for (const char* key : {"logps/chosen", "logps/rejected"})
    EXPECT_NEAR(dump.get(key)[0], golden[key].get<double>(), 1e-4) << key;
  EXPECT_NE(r.err.find("rewards/accuracies"), std::string::npos);
  double worst = 0;
  int n = 0;
  for (const std::string& key : g.names()) {
    if (key.rfind("grad.", 0) != 0) continue;
    const double err = norm_relative_error(dump.get(key), golden_tensor(g, key));
    EXPECT_LT(err, 1e-4) << key;
    worst = std::max(worst, err);
    ++n;
  }
  EXPECT_EQ(n, 28);
  std::printf("[dpo, 1 step] loss %.7f (golden %.7f), worst grad norm-relative error %.2e\n", dump.get("loss")[0],
              golden["loss"].get<double>(), worst);
}

// Three DPO steps on the three pairs: the loss falls and the reward margin grows.
TEST(DpoCli, StepsWidenTheRewardMargin) {
  TempDir dir;
  const CommandResult r = run_train_cli(
      "dpo", {"--data", data_file("dpo.jsonl"), "--config", golden_config("dpo"), "--lora",
              training_dir() + "/lora-sft/adapter_init", "--max-steps", "3", "--lr", "1e-3", "--lr-scheduler",
              "constant", "--out", dir.file("out"), "--dump-tensors", dir.file("d")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Dump dump(dir.file("d"));
  const std::vector<float> loss = dump.get("loss"), margins = dump.get("rewards/margins");
  ASSERT_EQ(loss.size(), 3u);
  for (int k = 1; k < 3; ++k) {
    EXPECT_LT(loss[k], loss[k - 1]) << k;
    EXPECT_GT(margins[k], margins[k - 1]) << k;
  }
  std::printf("[dpo, 3 steps] losses %.4f %.4f %.4f, margins %.4f %.4f %.4f\n", loss[0], loss[1], loss[2],
              margins[0], margins[1], margins[2]);
  EXPECT_EQ(load_lora_adapter(dir.file("out"), tiny_model().config).modules.size(), 14u);
}

}  // namespace
}  // namespace smolvlm::train
