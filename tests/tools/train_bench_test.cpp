// smolvlm bench --train through the CLI on the tiny shape (a benchmark: only
// the figures' consistency is checked, not their values): every key of the
// JSON object, the step split adding up, each method, and bad flags.
#include <gtest/gtest.h>

#include "common/fixtures.h"
#include "core/json_file.h"

namespace smolvlm {
namespace {

using testing::CommandResult;
using testing::shell_quote;

CommandResult smolvlm(const std::string& args) {
  return testing::run_command(shell_quote(testing::cli_path()) + " " + args);
}

JsonTable train_bench(const std::string& method, int64_t seq, const std::string& extra = "") {
  const CommandResult r = smolvlm("bench --train --like tiny-smolvlm-256m --method " + method + " --seq " +
                                  std::to_string(seq) + " --reps 2 --warmup 0 --threads 1 --json" + extra);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return JsonTable::parse(r.out);
}

double median(const JsonTable& j, const std::string& key) {
  EXPECT_LE(j[key]["min"].get<double>(), j[key]["median"].get<double>()) << key;
  EXPECT_LE(j[key]["median"].get<double>(), j[key]["max"].get<double>()) << key;
  EXPECT_GT(j[key]["min"].get<double>(), 0) << key;
  return j[key]["median"].get<double>();
}

void expect_train_report(const JsonTable& j, const std::string& method, int64_t seq) {
  SCOPED_TRACE(method);
  EXPECT_EQ(j["benchmark"], "train");
  EXPECT_EQ(j["model"], "tiny-smolvlm-256m");
  EXPECT_EQ(j["method"], method);
  EXPECT_EQ(j["seq_tokens"], seq);
  EXPECT_EQ(j["image_tokens"], 64);  // one 512-px tile, 4x4 pixel shuffle
  EXPECT_EQ(j["threads"], 1);
  EXPECT_EQ(j["reps"], 2);
  const double step = median(j, "train_step_s");
  const double parts = median(j, "forward_s") + median(j, "backward_s") + median(j, "optimizer_s");
  EXPECT_NEAR(parts, step, 0.5 * step);  // medians of parts need not add up exactly
  EXPECT_NEAR(j["train_tok_s"].get<double>(), seq / step, 1e-6 * seq / step);
  EXPECT_GT(j["train_peak_rss_mb"].get<double>(), 1);
  EXPECT_GT(j["vision_encode_s"].get<double>(), 0);
  EXPECT_GT(j["backward_gemm_gflops"].get<double>(), 0);
  EXPECT_GT(j["trainable_params"].get<int64_t>(), 0);
  if (j["bf16_peak_gflops"].is_null()) {
    EXPECT_TRUE(j["backward_gemm_fraction_of_bf16_peak"].is_null());
  } else {
    EXPECT_NEAR(j["backward_gemm_fraction_of_bf16_peak"].get<double>(),
                j["backward_gemm_gflops"].get<double>() / j["bf16_peak_gflops"].get<double>(), 1e-9);
  }
  EXPECT_TRUE(j["load_average_1m"].contains("before"));
}

TEST(CliTrainBench, LoraAndFullOnTheTinyShapePrintValidJson) {
  const JsonTable lora = train_bench("lora", 100), full = train_bench("full", 100);
  expect_train_report(lora, "lora", 100);
  expect_train_report(full, "full", 100);
  // Tiny: 2 layers x 7 Linears of rank 8 ... and every text tensor for full.
  EXPECT_EQ(lora["trainable_params"], 16384);
  EXPECT_GT(full["trainable_params"].get<int64_t>(), 100 * lora["trainable_params"].get<int64_t>());
}

TEST(CliTrainBench, QloraRunsOverQuantizedWeights) {
  expect_train_report(train_bench("qlora", 80), "qlora", 80);
}

TEST(CliTrainBench, Bf16TrainingModeIsReported) {
  const JsonTable exact = train_bench("lora", 80), bf16 = train_bench("lora", 80, " --dtype bf16");
  expect_train_report(bf16, "lora", 80);
  EXPECT_EQ(exact["arithmetic"], "exact f32");
  EXPECT_EQ(bf16["arithmetic"], "bf16 forward products, f32 backward");
}

TEST(CliTrainBench, BadFlagsAreUsageErrors) {
  for (const std::string& args :
       {"--train --like tiny-smolvlm-256m --method sgd", "--train --like tiny-smolvlm-256m --seq 10",
        "--train --like tiny-smolvlm-256m --dtype q4_0", "--like tiny-smolvlm-256m --method lora",
        "--train --reps 1"}) {
    const CommandResult r = smolvlm("bench " + args + " --json");
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_FALSE(r.err.empty()) << args;
  }
}

}  // namespace
}  // namespace smolvlm
