// `smolvlm eval` end to end through the built CLI: the fixtures' tiny TSVs on
// the fixture checkpoints, --score-only on every scoring golden, --resume, and
// the clear errors for bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "core/mapped_file.h"

namespace smolvlm {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::shell_quote;

std::string model(const std::string& name) { return testing::fixtures_dir() + "/models/" + name; }
std::string tiny_tsv(const std::string& task) { return testing::fixtures_dir() + "/eval/tsv/" + task + "_tiny.tsv"; }

CommandResult eval(const std::string& args) {
  return testing::run_command(shell_quote(testing::cli_path()) + " eval " + args);
}

CommandResult run_task(const std::string& checkpoint, const std::string& task, const std::string& data,
                       const std::string& out, const std::string& extra = "") {
  return eval("--model " + shell_quote(model(checkpoint)) + " --task " + task + " --data " + shell_quote(data) +
              " --out " + shell_quote(out) + " --max-new-tokens 3 --threads 2 " + extra);
}

std::vector<Json> jsonl(const std::string& path) {
  std::vector<Json> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(parse_json(line, path));
  return lines;
}

TEST(EvalCli, TinyTsvsRunEndToEndAndWriteTheThreeFiles) {
  struct Run {
    std::string checkpoint, task, style;
  };
  for (const Run& run : {Run{"tiny-smolvlm", "docvqa", "smolvlm"}, Run{"tiny-smolvlm2", "textvqa", "smolvlm2"},
                         Run{"tiny-smolvlm-256m", "mmstar", "smolvlm"}}) {
    SCOPED_TRACE(run.task);
    testing::TempDir out;
    const CommandResult r = run_task(run.checkpoint, run.task, tiny_tsv(run.task), out.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("3/3"), std::string::npos) << r.err;  // the progress line
    const std::vector<Json> samples = jsonl(out.file("samples.jsonl"));
    ASSERT_EQ(samples.size(), 3u);
    for (const Json& s : samples) {
      EXPECT_TRUE(s["error"].is_null()) << s.dump();
      EXPECT_TRUE(s["score"].is_number()) << s.dump();
      EXPECT_GT(s["tokens"].get<int64_t>(), 0);
      EXPECT_NE(s["prompt"].get<std::string>().find("<|im_start|>User:<image>"), std::string::npos);
    }
    EXPECT_EQ(samples[1]["id"], "1");
    const Json summary = read_json_file(out.file("summary.json"));
    EXPECT_EQ(summary["task"], run.task);
    EXPECT_EQ(summary["samples"], 3);
    EXPECT_EQ(summary["scored"], 3);
    EXPECT_EQ(summary["prompt_style"], run.style);
    EXPECT_EQ(summary["dtype"], "f32");
    EXPECT_EQ(summary["images"], "TSV images re-saved as VLMEvalKit's JPEG");
    EXPECT_EQ(summary["lora"], Json::array());
    EXPECT_EQ(summary["sampling"]["max_new_tokens"], 3);
    EXPECT_EQ(summary["sampling"]["do_sample"], false);
    EXPECT_NE(read_text_file(out.file("summary.md")).find("| **overall** |"), std::string::npos);
  }
}

TEST(EvalCli, MultipleChoicePromptsEndWithAnswerAndCategoriesAreSummarised) {
  testing::TempDir out;
  const CommandResult r = run_task("tiny-smolvlm", "mmstar", tiny_tsv("mmstar"), out.path(), "--limit 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<Json> samples = jsonl(out.file("samples.jsonl"));
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0]["prompt"],
            "<|im_start|>User:<image>Question: How many bars are in the chart?\nChoices:\nA. 2\nB. 3\nC. 4\nD. "
            "5\nAnswer with the letter.<end_of_utterance>\nAssistant: Answer:");
  const Json summary = read_json_file(out.file("summary.json"));
  EXPECT_EQ(summary["per_category"].size(), 2u);
  EXPECT_EQ(summary["rows_in_file"], 3);
  EXPECT_DOUBLE_EQ(summary["published"]["score"].get<double>(), 42.1);
}

// The base64 JPEG of the fixture TSV's first row.
std::string fixture_image_base64() {
  std::ifstream in(tiny_tsv("textvqa"));
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  const size_t start = row.find('\t') + 1;
  return row.substr(start, row.find('\t', start) - start);
}

TEST(EvalCli, MmmuRowsWithSeveralImagesInterleaveThem) {
  testing::TempDir dir;
  const std::string image = fixture_image_base64();
  std::ofstream(dir.file("mmmu.tsv"))
      << "index\timage\tquestion\tA\tB\tC\tanswer\tcategory\n"
      << "7\t['" << image << "', '" << image << "']\tCompare <image 1> and <image 2>.\tfirst\tsecond\t\tB\tArt\n"
      << "8\t['" << image << "']\t\"Area of <image 1>\nin m^2?\"\t\t\t\t12\tMath\n";
  const CommandResult r = run_task("tiny-smolvlm", "mmmu", dir.file("mmmu.tsv"), dir.file("out"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<Json> samples = jsonl(dir.file("out/samples.jsonl"));
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_TRUE(samples[0]["error"].is_null()) << samples[0].dump();
  EXPECT_EQ(samples[0]["prompt"],
            "<|im_start|>User: Question: <image 1>:<image>\n<image 2>:<image>\nCompare <image 1> and <image 2> "
            ".\nChoices:\nA. first\nB. second\nAnswer with the letter.<end_of_utterance>\nAssistant: Answer:");
  EXPECT_TRUE(samples[1]["error"].is_null()) << samples[1].dump();
  EXPECT_EQ(samples[1]["prompt"],
            "<|im_start|>User: Question: <image 1>:<image>\nArea of <image 1> in m^2?<end_of_utterance>\nAssistant:");
  EXPECT_TRUE(samples[1]["score"].is_number());
}

TEST(EvalCli, ResumeContinuesACutOffRunAndAFullFolderIsNotOverwritten) {
  testing::TempDir out;
  ASSERT_EQ(run_task("tiny-smolvlm", "docvqa", tiny_tsv("docvqa"), out.path()).exit_code, 0);
  const std::string samples_path = out.file("samples.jsonl");
  const std::vector<Json> complete = jsonl(samples_path);
  const std::string text = read_text_file(samples_path);
  const size_t first_line_end = text.find('\n') + 1;
  std::ofstream(samples_path, std::ios::trunc) << text.substr(0, first_line_end + 20);  // killed in line 2
  const CommandResult again = run_task("tiny-smolvlm", "docvqa", tiny_tsv("docvqa"), out.path());
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already holds samples: pass --resume"), std::string::npos) << again.err;
  const CommandResult resumed = run_task("tiny-smolvlm", "docvqa", tiny_tsv("docvqa"), out.path(), "--resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const std::vector<Json> after = jsonl(samples_path);
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(read_text_file(samples_path).substr(0, first_line_end), text.substr(0, first_line_end));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(after[i]["id"], complete[i]["id"]);
    EXPECT_EQ(after[i]["prediction"], complete[i]["prediction"]);  // greedy: the same answers
  }
  EXPECT_EQ(read_json_file(out.file("summary.json"))["samples"], 3);
}

// The golden's score, except MathVista's: there the fixture holds
// bool(post_check(prefetch=True)), 1.0 for any prefetched multi_choice letter,
// while VLMEvalKit's MathVista_acc counts the letter only if it is answer_option
// (the scorer scores the hit; tests/eval/scoring_golden_test.cpp).
std::optional<double> expected_score(const std::string& task, const Json& golden) {
  if (golden["score"].is_null()) return std::nullopt;
  if (task == "mathvista" && golden["question_type"] == "multi_choice" && golden["prefetch"] != golden["answer_option"])
    return 0.0;
  return golden["score"].get<double>();
}

TEST(EvalCli, ScoreOnlyReproducesEveryScoringGolden) {
  size_t files = 0;
  for (const auto& file : fs::directory_iterator(testing::fixtures_dir() + "/eval/scoring")) {
    const std::string task = file.path().stem().string();
    SCOPED_TRACE(task);
    testing::TempDir out;
    const CommandResult r = eval("--task " + task + " --score-only " + shell_quote(file.path().string()) + " --out " +
                                 shell_quote(out.path()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::vector<Json> golden = jsonl(file.path().string());
    const std::vector<Json> samples = jsonl(out.file("samples.jsonl"));
    ASSERT_EQ(samples.size(), golden.size());
    double sum = 0;
    int64_t scored = 0;
    for (size_t i = 0; i < golden.size(); ++i) {
      SCOPED_TRACE("line " + std::to_string(i + 1));
      EXPECT_TRUE(samples[i]["error"].is_null()) << samples[i].dump();
      const std::optional<double> expected = expected_score(task, golden[i]);
      if (!expected) {
        EXPECT_TRUE(samples[i]["score"].is_null()) << samples[i].dump();
        continue;
      }
      ASSERT_TRUE(samples[i]["score"].is_number()) << samples[i].dump();
      EXPECT_NEAR(samples[i]["score"].get<double>(), *expected, 1e-9);
      sum += *expected;
      ++scored;
    }
    const Json summary = read_json_file(out.file("summary.json"));
    EXPECT_EQ(summary["scored"], scored);
    EXPECT_NEAR(summary["score"].get<double>(), sum / static_cast<double>(scored) * 100.0, 1e-9);
    EXPECT_TRUE(fs::exists(out.file("summary.md")));
    ++files;
  }
  EXPECT_EQ(files, 12u);
}

TEST(EvalCli, BadInputGivesOneClearError) {
  testing::TempDir out;
  CommandResult r = run_task("tiny-smolvlm", "mmstar", tiny_tsv("docvqa"), out.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no \"A\" column, which task mmstar needs"), std::string::npos) << r.err;
  r = run_task("tiny-smolvlm", "docvqa", tiny_tsv("mmstar"), out.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("multiple-choice file"), std::string::npos) << r.err;
  r = run_task("tiny-smolvlm", "cinepile", tiny_tsv("mmstar"), out.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no \"choices\" column, which task cinepile needs"), std::string::npos) << r.err;
  r = run_task("tiny-smolvlm", "chess", tiny_tsv("mmstar"), out.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown benchmark"), std::string::npos) << r.err;
  r = eval("--task docvqa --score-only x.jsonl --model " + shell_quote(model("tiny-smolvlm")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--model does not go with --score-only"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out.file("samples.jsonl")));
}

TEST(EvalCli, RowProblemsAreRecordedAndCountedNotFatal) {
  testing::TempDir dir;
  // The docvqa fixture with row 1's image replaced by bad base64 and row 2's answer removed.
  std::ifstream in(tiny_tsv("docvqa"));
  std::string header, line, tsv;
  std::getline(in, header);
  tsv = header + "\n";
  for (int row = 0; std::getline(in, line); ++row) {
    std::vector<std::string> cells;
    for (size_t start = 0;;) {
      const size_t tab = line.find('\t', start);
      cells.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    if (row == 1) cells[1] = std::string(100, '!');
    if (row == 2) cells[3] = "";
    for (size_t c = 0; c < cells.size(); ++c) tsv += (c ? "\t" : "") + cells[c];
    tsv += "\n";
  }
  std::ofstream(dir.file("broken.tsv")) << tsv;
  const CommandResult r = run_task("tiny-smolvlm", "docvqa", dir.file("broken.tsv"), dir.file("out"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<Json> samples = jsonl(dir.file("out/samples.jsonl"));
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_TRUE(samples[0]["error"].is_null());
  EXPECT_NE(samples[1]["error"].get<std::string>().find("no valid base64"), std::string::npos);
  EXPECT_EQ(samples[2]["error"], "the row has no answer");
  EXPECT_TRUE(samples[1]["score"].is_null());
  const Json summary = read_json_file(dir.file("out/summary.json"));
  EXPECT_EQ(summary["errors"], 2);
  EXPECT_EQ(summary["scored"], 1);
}

}  // namespace
}  // namespace smolvlm
