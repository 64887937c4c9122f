// `smolvlm finetune` end to end on small data: a 5-step LoRA run from PEFT's
// default init whose loss decreases, its adapter used by `smolvlm merge` and
// `smolvlm run --lora`; and the issue's bad input, each one clear error:
// malformed lines (by number, skip or stop), missing images, conversations
// without an assistant turn, an unwritable --out, a NaN loss (the last good
// checkpoint named). And QLoRA over a Q4_0 base.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/json_file.h"
#include "finetune_cli_goldens.h"
#include "model/lora_io.h"

namespace smolvlm::train {
namespace {

using namespace testing;
using smolvlm::testing::TempDir;

// Line 2 of data/sft.jsonl: a system prompt and two text-only turns (50 tokens).
std::string text_conversation() {
  std::ifstream in(data_file("sft.jsonl"));
  std::string line;
  std::getline(in, line);
  std::getline(in, line);
  return line;
}

std::string write_data(const TempDir& dir, const std::vector<std::string>& lines) {
  const std::string path = dir.file("data.jsonl");
  std::ofstream out(path);
  for (const std::string& l : lines) out << l << "\n";
  return path;
}

// One text-only example, one micro-batch per step.
std::vector<std::string> small_run(const std::string& data, const std::string& out, int steps,
                                   const std::string& lr = "1e-3") {
  return {"--data", data, "--out", out, "--max-steps", std::to_string(steps), "--per-device-batch", "1",
          "--grad-accumulation", "1", "--lr", lr, "--lr-scheduler", "constant", "--r", "4", "--lora_alpha", "8"};
}

TEST(FinetuneRun, FiveLoraStepsLowerTheLossAndTheAdapterIsUsable) {
  TempDir dir;
  const std::string data = write_data(dir, {text_conversation()});
  std::vector<std::string> args = small_run(data, dir.file("out"), 5);
  args.insert(args.end(), {"--dump-tensors", dir.file("d"), "--save-every", "2", "--eval-data", data});
  const CommandResult r = run_train_cli("finetune", args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("step 5/5"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("step 5 eval loss"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("tok/s"), std::string::npos);
  const std::vector<float> loss = Dump(dir.file("d")).get("loss");
  ASSERT_EQ(loss.size(), 5u);
  for (int k = 1; k < 5; ++k) EXPECT_LT(loss[k], loss[k - 1]) << k;
  std::printf("[5 LoRA steps] losses %.4f %.4f %.4f %.4f %.4f\n", loss[0], loss[1], loss[2], loss[3], loss[4]);
  EXPECT_TRUE(std::filesystem::exists(dir.file("out/checkpoint-2/optimizer.safetensors")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("out/checkpoint-4/adapter_model.safetensors")));

  // The adapter: PEFT's layout, the text decoder's layers only, rank 4.
  const Json config = read_json_file(dir.file("out/adapter_config.json"));
  ASSERT_TRUE(config["target_modules"].is_string());
  EXPECT_EQ(config["target_modules"].get<std::string>().rfind("model\\.text_model\\.layers\\.", 0), 0u);
  const LoraAdapter adapter = load_lora_adapter(dir.file("out"), tiny_model().config);
  EXPECT_EQ(adapter.rank, 4);
  EXPECT_EQ(adapter.modules.size(), 14u);

  // Merged, and applied unmerged: the same greedy answer.
  const CommandResult merged = run_command(shell_quote(cli_path()) + " merge --model " + shell_quote(tiny_model_dir()) +
                                           " --lora " + shell_quote(dir.file("out")) + " --dtype f32 --out " +
                                           shell_quote(dir.file("merged")));
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  const std::string prompt = " --prompt 'What is the capital of France?' --max-new-tokens 4 --json";
  const CommandResult with_lora = run_command(shell_quote(cli_path()) + " run --model " + shell_quote(tiny_model_dir()) +
                                              " --lora " + shell_quote(dir.file("out")) + prompt);
  const CommandResult from_merged = run_command(shell_quote(cli_path()) + " run --model " + shell_quote(dir.file("merged")) + prompt);
  const CommandResult base = run_command(shell_quote(cli_path()) + " run --model " + shell_quote(tiny_model_dir()) + prompt);
  ASSERT_EQ(with_lora.exit_code, 0) << with_lora.err;
  ASSERT_EQ(from_merged.exit_code, 0) << from_merged.err;
  const Json a = parse_json(with_lora.out, "run --lora"), b = parse_json(from_merged.out, "run merged");
  EXPECT_EQ(a["generated_ids"], b["generated_ids"]);
  EXPECT_EQ(a["input_ids"], parse_json(base.out, "run base")["input_ids"]);
}

// A full fine-tune's checkpoints hold f32 master copies: resuming gives the
// uninterrupted run's losses and weights bit for bit; the result is in the base's dtype.
TEST(FinetuneRun, FullFineTuneResumesExactly) {
  TempDir dir;
  const std::string data = write_data(dir, {text_conversation()});
  std::vector<std::string> args = small_run(data, dir.file("out"), 2);
  args.insert(args.end(), {"--method", "full", "--save-every", "1", "--dump-tensors", dir.file("d")});
  const CommandResult whole = run_train_cli("finetune", args);
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  args = small_run(data, dir.file("resumed"), 2);
  args.insert(args.end(), {"--method", "full", "--resume", dir.file("out/checkpoint-1"), "--dump-tensors",
                           dir.file("r")});
  const CommandResult resumed = run_train_cli("finetune", args);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const Dump a(dir.file("d")), b(dir.file("r"));
  ASSERT_EQ(b.get("loss").size(), 1u);
  EXPECT_EQ(b.get("loss")[0], a.get("loss")[1]);
  for (const char* name : {"model.text_model.layers.1.mlp.up_proj.weight", "model.text_model.embed_tokens.weight",
                           "lm_head.weight"})
    EXPECT_EQ(b.get(std::string("step2.") + name), a.get(std::string("step2.") + name)) << name;
  const TensorStore saved = TensorStore::open_dir(dir.file("resumed"));
  EXPECT_EQ(saved.get("lm_head.weight").dtype, TensorStore::open_dir(tiny_model_dir()).get("lm_head.weight").dtype);
}

TEST(FinetuneRun, MalformedLinesAreReportedByNumber) {
  TempDir dir;
  const std::string data = write_data(dir, {text_conversation(), "{\"messages\": [oops"});
  const CommandResult stop = run_train_cli("finetune", small_run(data, dir.file("out"), 1));
  EXPECT_EQ(stop.exit_code, 1);
  EXPECT_NE(stop.err.find("data.jsonl:2"), std::string::npos) << stop.err;
  std::vector<std::string> args = small_run(data, dir.file("out"), 1);
  args.insert(args.end(), {"--on-bad-line", "skip"});
  const CommandResult skip = run_train_cli("finetune", args);
  EXPECT_EQ(skip.exit_code, 0) << skip.err;
  EXPECT_NE(skip.err.find("skipped " + data + ":2"), std::string::npos) << skip.err;
  EXPECT_NE(skip.err.find("1 training conversation"), std::string::npos) << skip.err;
}

TEST(FinetuneRun, MissingImagesAndNoAssistantTurnAreLineErrors) {
  TempDir dir;
  const std::string missing_image =
      R"({"messages": [{"role": "user", "content": [{"type": "image", "path": "nowhere.png"}, {"type": "text", "text": "Hi"}]}, {"role": "assistant", "content": [{"type": "text", "text": "Hello."}]}]})";
  const std::string no_assistant =
      R"({"messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]})";
  for (const auto& [bad, word] : {std::pair{missing_image, std::string("nowhere.png")},
                                  std::pair{no_assistant, std::string("assistant")}}) {
    const std::string data = write_data(dir, {text_conversation(), text_conversation(), bad});
    const CommandResult r = run_train_cli("finetune", small_run(data, dir.file("out"), 1));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("data.jsonl:3"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(word), std::string::npos) << r.err;
  }
}

TEST(FinetuneRun, AnUnwritableOutIsRefusedBeforeTraining) {
  TempDir dir;
  const std::string data = write_data(dir, {text_conversation()});
  std::ofstream(dir.file("a-file")) << "x";
  const CommandResult r = run_train_cli("finetune", small_run(data, dir.file("a-file/out"), 1));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--out"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("step 1/"), std::string::npos) << r.err;
}

// lr 1e30 sends the adapter to infinity after step 1: step 2's loss is NaN.
TEST(FinetuneRun, ANanLossStopsAndNamesTheLastGoodCheckpoint) {
  TempDir dir;
  const std::string data = write_data(dir, {text_conversation()});
  std::vector<std::string> args = small_run(data, dir.file("out"), 3, "1e30");
  args.insert(args.end(), {"--save-every", "1"});
  const CommandResult r = run_train_cli("finetune", args);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("step 2: the loss is"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the last good checkpoint is " + dir.file("out/checkpoint-1")), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir.file("out/checkpoint-1/adapter_model.safetensors")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("out/checkpoint-2")));
}

TEST(FinetuneRun, TargetModulesChooseTheProjections) {
  TempDir dir;
  std::vector<std::string> args = small_run(write_data(dir, {text_conversation()}), dir.file("out"), 1);
  args.insert(args.end(), {"--target-modules", "q_proj,v_proj", "--save-every", "0"});
  const CommandResult r = run_train_cli("finetune", args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const LoraAdapter adapter = load_lora_adapter(dir.file("out"), tiny_model().config);
  ASSERT_EQ(adapter.modules.size(), 4u);  // 2 layers x {q, v}
  EXPECT_EQ(adapter.modules[0].name, "model.text_model.layers.0.self_attn.q_proj");
  EXPECT_EQ(adapter.modules[1].name, "model.text_model.layers.0.self_attn.v_proj");
  EXPECT_FALSE(std::filesystem::exists(dir.file("out/checkpoint-1")));

  args.insert(args.end(), {"--train-connector"});
  const CommandResult connector = run_train_cli("finetune", args);
  EXPECT_EQ(connector.exit_code, 1);
  EXPECT_NE(connector.err.find("--train-connector"), std::string::npos) << connector.err;
}

// QLoRA from the command line: the same data and init as LoRA over a Q4_0
// text decoder; the loss falls and the adapter is a PEFT folder like LoRA's.
// (qlora_test.cpp checks its gradients against LoRA over the dequantized weights.)
TEST(FinetuneRun, QloraStepsLowerTheLoss) {
  TempDir dir;
  const std::string data = write_data(dir, {text_conversation()});
  std::vector<std::string> args = small_run(data, dir.file("q"), 3);
  args.insert(args.end(), {"--method", "qlora", "--dump-tensors", dir.file("dq")});
  const CommandResult q = run_train_cli("finetune", args);
  ASSERT_EQ(q.exit_code, 0) << q.err;
  args = small_run(data, dir.file("l"), 1);
  args.insert(args.end(), {"--dump-tensors", dir.file("dl")});
  const CommandResult l = run_train_cli("finetune", args);
  ASSERT_EQ(l.exit_code, 0) << l.err;
  const std::vector<float> loss = Dump(dir.file("dq")).get("loss");
  ASSERT_EQ(loss.size(), 3u);
  EXPECT_LT(loss[1], loss[0]);
  EXPECT_LT(loss[2], loss[1]);
  const double lora_loss = Dump(dir.file("dl")).get("loss")[0];
  EXPECT_NE(loss[0], lora_loss);                          // the base really is quantized
  EXPECT_LT(std::abs(loss[0] - lora_loss), 0.01 * lora_loss);  // and close to it
  std::printf("[qlora, 3 steps] losses %.4f %.4f %.4f (LoRA over the bf16 base: %.4f)\n", loss[0], loss[1], loss[2],
              lora_loss);
  EXPECT_EQ(load_lora_adapter(dir.file("q"), tiny_model().config).modules.size(), 14u);
}

}  // namespace
}  // namespace smolvlm::train
