// The CLI against transformers' goldens: every text-only fixture case through
// `smolvlm run --messages ... --json --dump-tensors`, and tokenizer goldens
// through `smolvlm tokenize --json`.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "io/safetensors.h"

namespace smolvlm {
namespace {

namespace fs = std::filesystem;
using testing::shell_quote;

struct TextCase {
  std::string model_dir, case_dir, name;
};

std::vector<TextCase> text_cases() {
  std::vector<TextCase> cases;
  for (const auto& model : fs::directory_iterator(testing::fixtures_dir() + "/cases"))
    for (const auto& c : fs::directory_iterator(model.path())) {
      const Json input = read_json_file((c.path() / "input.json").string());
      if (input.value("kind", "") != "text_only") continue;
      cases.push_back({testing::fixtures_dir() + "/models/" + model.path().filename().string(), c.path().string(),
                       model.path().filename().string() + "/" + c.path().filename().string()});
    }
  std::sort(cases.begin(), cases.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return cases;
}

Json run_json(const TextCase& c, const testing::TempDir& dir, const std::string& extra) {
  const Json input = read_json_file(c.case_dir + "/input.json");
  std::ofstream(dir.file("messages.json")) << input["messages"].dump();
  const auto r = testing::run_command(shell_quote(testing::cli_path()) + " run --json --model " + shell_quote(c.model_dir) +
                                      " --messages " + shell_quote(dir.file("messages.json")) + " --max-new-tokens " +
                                      std::to_string(input["max_new_tokens"].get<int>()) + " " + extra);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return parse_json(r.out, "smolvlm run --json output");
}

TEST(CliParity, TextCasesMatchTransformers) {
  const auto cases = text_cases();
  ASSERT_GE(cases.size(), 4u);
  for (const TextCase& c : cases) {
    SCOPED_TRACE(c.name);
    testing::TempDir dir;
    const Json golden = read_json_file(c.case_dir + "/golden.json");
    const Json out = run_json(c, dir, "--dump-tensors " + shell_quote(dir.file("dump.safetensors")));
    EXPECT_EQ(out["rendered_prompt"], golden["rendered_prompt"]);
    EXPECT_EQ(out["input_ids"], golden["input_ids"]);
    EXPECT_EQ(out["generated_ids"], golden["greedy_ids"]);
    EXPECT_EQ(out["text"], golden["generated_text_skip_special"]);
    for (const char* key : {"load_ms", "prefill_ms", "decode_ms", "prompt_tokens", "generated_tokens", "kv_cache_bytes"})
      EXPECT_TRUE(out["timings"].contains(key)) << key;
    // A BF16 KV cache: half the bytes, the same greedy answer on these cases.
    const Json bf16_kv = run_json(c, dir, "--kv-dtype bf16");
    EXPECT_EQ(2 * bf16_kv["timings"]["kv_cache_bytes"].get<int64_t>(), out["timings"]["kv_cache_bytes"].get<int64_t>());
    EXPECT_EQ(bf16_kv["generated_ids"], golden["greedy_ids"]);

    const std::vector<float> ours = to_f32(TensorStore::open_file(dir.file("dump.safetensors")).get("logits_last"));
    const std::vector<float> theirs = to_f32(TensorStore::open_file(c.case_dir + "/golden.safetensors").get("logits_last"));
    ASSERT_EQ(ours.size(), theirs.size());
    double worst = 0;
    for (size_t i = 0; i < ours.size(); ++i) worst = std::max(worst, std::abs(double(ours[i]) - theirs[i]));
    EXPECT_LE(worst, 1e-4);
    std::cout << "[ parity ] " << c.name << ": logits_last max abs error " << worst << "\n";

    const Json ignore_eos = run_json(c, dir, "--ignore-eos");
    EXPECT_EQ(ignore_eos["generated_ids"], golden["greedy_ids_ignore_eos"]);
  }
}

TEST(CliParity, DumpAllLogitsWritesEveryPosition) {
  const TextCase c = text_cases().front();
  testing::TempDir dir;
  const Json out = run_json(c, dir, "--dump-tensors " + shell_quote(dir.file("d.safetensors")) + " --dump-all-logits");
  const TensorStore dump = TensorStore::open_file(dir.file("d.safetensors"));
  const int64_t seq = static_cast<int64_t>(out["input_ids"].size());
  EXPECT_EQ(dump.get("logits").shape[0], seq);
  const std::vector<float> all = to_f32(dump.get("logits")), last = to_f32(dump.get("logits_last"));
  EXPECT_TRUE(std::equal(last.begin(), last.end(), all.end() - static_cast<long>(last.size())));
}

TEST(CliParity, MaxNewTokensZeroRunsThePromptOnly) {
  const TextCase c = text_cases().front();
  testing::TempDir dir;
  std::ofstream(dir.file("m.json")) << read_json_file(c.case_dir + "/input.json")["messages"].dump();
  const auto r = testing::run_command(shell_quote(testing::cli_path()) + " run --json --max-new-tokens 0 --model " +
                                      shell_quote(c.model_dir) + " --messages " + shell_quote(dir.file("m.json")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(parse_json(r.out, "out")["generated_ids"].empty());
}

TEST(CliParity, TokenizeMatchesTokenizerGolden) {
  const std::string dir = testing::fixtures_dir() + "/tokenizers/smolvlm";
  const Json golden = read_json_file(dir + "/golden.json");
  int checked = 0;
  for (const Json& c : golden["cases"]) {
    if (checked >= 25) break;
    testing::TempDir tmp;
    std::ofstream(tmp.file("t.txt"), std::ios::binary) << c["text"].get<std::string>();
    const auto r = testing::run_command(shell_quote(testing::cli_path()) + " tokenize --json --model " + shell_quote(dir) +
                                        " --file " + shell_quote(tmp.file("t.txt")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Json out = parse_json(r.out, "tokenize output");
    EXPECT_EQ(out["ids"], c["ids"]) << c["text"];
    EXPECT_EQ(out["decoded"], c["decoded"]) << c["text"];
    EXPECT_EQ(out["decoded_skip_special"], c["decoded_skip_special"]) << c["text"];
    ++checked;
  }
}

}  // namespace
}  // namespace smolvlm

namespace smolvlm {
namespace {

TEST(CliLoadFlags, ThreadCountKeepsExactResultsAndBf16Runs) {
  const TextCase c = text_cases().front();
  testing::TempDir dir;
  const Json golden = read_json_file(c.case_dir + "/golden.json");
  for (const std::string flags : {"--threads 1", "--threads 3"}) {
    const Json out = run_json(c, dir, flags);
    EXPECT_EQ(out["generated_ids"], golden["greedy_ids"]) << flags;
  }
  const Json fast = run_json(c, dir, "--dtype bf16");
  EXPECT_EQ(fast["generated_ids"].size(), golden["greedy_ids"].size());
  EXPECT_EQ(fast["input_ids"], golden["input_ids"]);
}

}  // namespace
}  // namespace smolvlm
