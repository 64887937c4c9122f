// `smolvlm merge` and `smolvlm run --lora` end to end on the tiny model and
// the fixture adapter (fixtures/training/README.md "merge"): the unmerged run
// gives the merged f32 model's logits within 1e-4 and the same greedy
// tokens; bad adapters and outputs fail with one clear error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "io/safetensors.h"

namespace smolvlm {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::shell_quote;
using testing::TempDir;

std::string tiny() { return testing::fixtures_dir() + "/models/tiny-smolvlm-256m"; }
std::string adapter_init() { return testing::fixtures_dir() + "/training/lora-sft/adapter_init"; }

CommandResult smolvlm(const std::string& args) { return testing::run_command(shell_quote(testing::cli_path()) + " " + args); }

struct RunOutput {
  std::vector<int32_t> generated_ids;
  std::vector<float> logits_last;
};

// Greedy run of a fixed prompt; extra = model and adapter flags.
RunOutput run_greedy(const TempDir& dir, const std::string& extra, const std::string& dump_name) {
  const std::string dump = dir.file(dump_name);
  const CommandResult r = smolvlm("run " + extra + " --prompt " + shell_quote("Describe a cat.") +
                                  " --max-new-tokens 8 --ignore-eos --greedy --json --dump-tensors " + shell_quote(dump));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return {};
  const Json out = parse_json(r.out, "run --json output");
  const TensorStore tensors = TensorStore::open_file(dump);
  return {out["generated_ids"].get<std::vector<int32_t>>(), to_f32(tensors.get("logits_last"))};
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  float worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

TEST(CliLora, RunWithAdapterMatchesMergedF32Model) {
  TempDir dir;
  const CommandResult merge = smolvlm("merge --model " + shell_quote(tiny()) + " --lora " + shell_quote(adapter_init()) +
                                      " --out " + shell_quote(dir.file("merged")) + " --dtype f32");
  ASSERT_EQ(merge.exit_code, 0) << merge.err;
  const RunOutput merged = run_greedy(dir, "--model " + shell_quote(dir.file("merged")), "merged.safetensors");
  const RunOutput lora = run_greedy(dir, "--model " + shell_quote(tiny()) + " --lora " + shell_quote(adapter_init()),
                                    "lora.safetensors");
  const RunOutput base = run_greedy(dir, "--model " + shell_quote(tiny()), "base.safetensors");
  ASSERT_EQ(lora.logits_last.size(), merged.logits_last.size());
  const float diff = max_abs_diff(lora.logits_last, merged.logits_last);
  std::printf("[cli lora] max |run --lora - run merged_f32| on logits_last: %.3g\n", diff);
  EXPECT_LE(diff, 1e-4f);
  EXPECT_EQ(lora.generated_ids, merged.generated_ids);
  EXPECT_GT(max_abs_diff(base.logits_last, merged.logits_last), 1e-2f);  // the adapter matters
}

TEST(CliLora, ScaleZeroIsTheBaseAndTwoHalvesAreOne) {
  TempDir dir;
  const std::string model = "--model " + shell_quote(tiny());
  const RunOutput base = run_greedy(dir, model, "base.safetensors");
  const RunOutput zero = run_greedy(dir, model + " --lora " + shell_quote(adapter_init() + ":0"), "zero.safetensors");
  EXPECT_EQ(zero.logits_last, base.logits_last);
  const RunOutput one = run_greedy(dir, model + " --lora " + shell_quote(adapter_init()), "one.safetensors");
  const RunOutput halves = run_greedy(dir, model + " --lora " + shell_quote(adapter_init() + ":0.5") + " --lora " +
                                               shell_quote(adapter_init() + ":0.5"),
                                      "halves.safetensors");
  EXPECT_LE(max_abs_diff(one.logits_last, halves.logits_last), 1e-4f);
  EXPECT_EQ(one.generated_ids, halves.generated_ids);
}

void expect_one_error_line(const CommandResult& r, int exit_code, const std::string& expected) {
  EXPECT_EQ(r.exit_code, exit_code) << r.err;
  EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
}

TEST(CliLora, MismatchedAdapterIsOneClearError) {
  TempDir dir;
  // adapter_init's k_proj B with the q_proj shape: [64, 8] where the tiny model's k_proj needs [32, 8].
  const std::string bad = dir.file("bad_adapter");
  fs::create_directories(bad);
  fs::copy_file(adapter_init() + "/adapter_config.json", bad + "/adapter_config.json");
  const TensorStore init = TensorStore::open_file(adapter_init() + "/adapter_model.safetensors");
  std::vector<TensorToWrite> tensors;
  for (const std::string& name : init.names()) {
    std::vector<float> values = to_f32(init.get(name));
    std::vector<int64_t> shape = init.get(name).shape;
    if (name == "base_model.model.model.text_model.layers.0.self_attn.k_proj.lora_B.weight") {
      values.resize(64 * 8, 0.1f);
      shape = {64, 8};
    }
    tensors.push_back(tensor_from_f32(name, shape, values));
  }
  write_safetensors(bad + "/adapter_model.safetensors", tensors);
  const std::string expected = "layers.0.self_attn.k_proj.lora_B.weight: has shape [64, 8], module "
                               "model.text_model.layers.0.self_attn.k_proj needs [32, 8]";
  expect_one_error_line(smolvlm("run --model " + shell_quote(tiny()) + " --lora " + shell_quote(bad) +
                                " --prompt hi --max-new-tokens 1"),
                        1, expected);
  expect_one_error_line(smolvlm("merge --model " + shell_quote(tiny()) + " --lora " + shell_quote(bad) + " --out " +
                                shell_quote(dir.file("out"))),
                        1, expected);
  EXPECT_FALSE(fs::exists(dir.file("out")));
  expect_one_error_line(smolvlm("run --model " + shell_quote(tiny()) + " --lora " + shell_quote(dir.file("none")) +
                                " --prompt hi --max-new-tokens 1"),
                        1, "adapter_config.json");
}

TEST(CliLora, MergeRefusesBadOutputAndFlags) {
  TempDir dir;
  fs::create_directories(dir.file("taken"));
  std::ofstream(dir.file("taken/file")) << "x";
  const std::string base = "merge --model " + shell_quote(tiny()) + " --lora " + shell_quote(adapter_init());
  expect_one_error_line(smolvlm(base + " --out " + shell_quote(dir.file("taken"))), 1, "not an empty folder");
  expect_one_error_line(smolvlm(base + " --out " + shell_quote(dir.file("x")) + " --dtype f16"), 2, "--dtype");
  expect_one_error_line(smolvlm("merge --model " + shell_quote(tiny()) + " --out " + shell_quote(dir.file("x"))), 2,
                        "--lora");
  EXPECT_FALSE(fs::exists(dir.file("x")));
}

}  // namespace
}  // namespace smolvlm
