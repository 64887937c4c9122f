// `smolvlm eval --parallel N`: samples decoding together in batched steps give
// the same samples.jsonl as one at a time (data order, same predictions), a
// bad row in the middle completes at once without reordering the file, and
// --resume continues a cut-off parallel run.
#include <gtest/gtest.h>

#include <fstream>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "core/mapped_file.h"
#include "engine/loaded_model.h"
#include "eval/batched_generation.h"
#include "smolvlm.h"

namespace smolvlm {
namespace {

using testing::shell_quote;

// The DocVQA fixture's three rows with a fourth between them whose image is
// not base64: it finishes (as an error) while earlier rows are still decoding.
std::string tsv_with_a_bad_row(const testing::TempDir& dir) {
  std::ifstream in(testing::fixtures_dir() + "/eval/tsv/docvqa_tiny.tsv");
  std::string header, line, tsv;
  std::getline(in, header);
  tsv = header + "\n";
  for (int row = 0; std::getline(in, line); ++row) {
    tsv += line + "\n";
    if (row == 0) tsv += "99\t" + std::string(100, '!') + line.substr(line.find('\t', line.find('\t') + 1)) + "\n";
  }
  std::ofstream(dir.file("docvqa.tsv")) << tsv;
  return dir.file("docvqa.tsv");
}

testing::CommandResult eval(const std::string& data, const std::string& out, const std::string& extra) {
  return testing::run_command(shell_quote(testing::cli_path()) + " eval --model " +
                              shell_quote(testing::fixtures_dir() + "/models/tiny-smolvlm") +
                              " --task docvqa --data " + shell_quote(data) + " --out " + shell_quote(out) +
                              " --max-new-tokens 6 --threads 2 " + extra);
}

std::vector<Json> samples(const std::string& out) {
  std::vector<Json> lines;
  std::ifstream in(out + "/samples.jsonl");
  for (std::string line; std::getline(in, line);) lines.push_back(parse_json(line, "samples.jsonl"));
  return lines;
}

// Every field but the wall time.
void expect_same_samples(const std::vector<Json>& a, const std::vector<Json>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    Json x = a[i], y = b[i];
    x.erase("ms");
    y.erase("ms");
    EXPECT_EQ(x.dump(), y.dump()) << "line " << i + 1;
  }
}

// Three prompts of different lengths sharing decode steps, one of them joining
// late, give generate_from_text's texts; with equal budgets they finish together.
TEST(EvalParallel, BatchedGenerationEqualsTheEngine) {
  const std::string dir = testing::fixtures_dir() + "/models/tiny-smolvlm";
  GenerationOptions options;
  options.max_new_tokens = 5;
  options.ignore_eos = true;  // equal lengths, so 0 and 1 finish in the same step
  const std::vector<std::string> prompts = {"<|im_start|>User: Hi<end_of_utterance>\nAssistant:",
                                            "<|im_start|>User: Count to ten, slowly.<end_of_utterance>\nAssistant:",
                                            "<|im_start|>User:?<end_of_utterance>\nAssistant:"};
  auto engine = Engine::load(dir);
  std::vector<std::string> expected;
  for (const std::string& p : prompts) expected.push_back(engine->generate_from_text(p, {}, options).text);

  LoadedModel model(dir, size_t{1} << 20, LoadOptions{});
  eval::BatchedGeneration batch(model, options, 3);
  batch.start(0, prompts[0], {});
  batch.start(1, prompts[1], {});
  std::vector<eval::BatchedGeneration::Finished> done = batch.next_finished();  // 0 and 1 after 4 shared steps
  ASSERT_EQ(done.size(), 2u);
  batch.start(2, prompts[2], {});
  EXPECT_FALSE(batch.idle());
  for (const auto& f : batch.next_finished()) done.push_back(f);
  EXPECT_TRUE(batch.idle());
  ASSERT_EQ(done.size(), 3u);
  for (const auto& f : done) {
    EXPECT_EQ(f.error, "");
    EXPECT_EQ(f.generated_tokens, 5);
    EXPECT_EQ(f.text, expected[f.tag]) << f.tag;
  }
}

TEST(EvalParallel, BatchedSamplesEqualOneAtATimeInDataOrder) {
  testing::TempDir dir;
  const std::string data = tsv_with_a_bad_row(dir);
  const testing::CommandResult one = eval(data, dir.file("one"), "--parallel 1");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const testing::CommandResult three = eval(data, dir.file("three"), "--parallel 3");
  ASSERT_EQ(three.exit_code, 0) << three.err;
  const std::vector<Json> serial = samples(dir.file("one")), batched = samples(dir.file("three"));
  ASSERT_EQ(serial.size(), 4u);
  EXPECT_EQ(serial[1]["id"], "99");
  EXPECT_NE(serial[1]["error"].get<std::string>().find("no valid base64"), std::string::npos);
  for (size_t i : {0, 2, 3}) EXPECT_GT(serial[i]["tokens"].get<int64_t>(), 0) << i;
  expect_same_samples(serial, batched);
  EXPECT_EQ(read_json_file(dir.file("three/summary.json"))["errors"], 1);
}

TEST(EvalParallel, ResumeContinuesACutOffParallelRun) {
  testing::TempDir dir;
  const std::string data = tsv_with_a_bad_row(dir);
  ASSERT_EQ(eval(data, dir.file("out"), "--parallel 2").exit_code, 0);
  const std::string path = dir.file("out/samples.jsonl");
  const std::vector<Json> complete = samples(dir.file("out"));
  const std::string text = read_text_file(path);
  const size_t two_lines = text.find('\n', text.find('\n') + 1) + 1;
  std::ofstream(path, std::ios::trunc) << text.substr(0, two_lines + 10);  // killed while writing line 3
  const testing::CommandResult resumed = eval(data, dir.file("out"), "--parallel 3 --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(read_text_file(path).substr(0, two_lines), text.substr(0, two_lines));
  expect_same_samples(samples(dir.file("out")), complete);
}

TEST(EvalParallel, ZeroIsRefused) {
  testing::TempDir dir;
  const testing::CommandResult r = eval(tsv_with_a_bad_row(dir), dir.file("out"), "--parallel 0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--parallel must be >= 1"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace smolvlm
