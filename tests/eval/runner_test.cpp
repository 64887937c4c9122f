// The pieces of `smolvlm eval` around the model: which wrapper a checkpoint
// gets, VLMEvalKit's generation defaults, resuming a cut-off samples.jsonl,
// and the summary's arithmetic.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/fixtures.h"
#include "core/mapped_file.h"
#include "eval/eval_report.h"
#include "eval/eval_runner.h"

namespace smolvlm::eval {
namespace {

TEST(EvalRunner, WrapperFollowsTheCheckpointFamily) {
  const std::string models = testing::fixtures_dir() + "/models/";
  EXPECT_EQ(prompt_style_for(models + "tiny-smolvlm"), PromptStyle::SmolVLM);
  EXPECT_EQ(prompt_style_for(models + "tiny-smolvlm-256m"), PromptStyle::SmolVLM);
  EXPECT_EQ(prompt_style_for(models + "tiny-smolvlm2"), PromptStyle::SmolVLM2);
}

TEST(EvalRunner, GenerationDefaultsAreVlmEvalKits) {
  const GenerationOptions d = eval_generation_options({});
  EXPECT_EQ(d.max_new_tokens, 2048);
  EXPECT_EQ(d.do_sample, false);
  GenerationOptions asked;
  asked.max_new_tokens = 7;
  asked.do_sample = true;
  const GenerationOptions kept = eval_generation_options(asked);
  EXPECT_EQ(kept.max_new_tokens, 7);
  EXPECT_EQ(kept.do_sample, true);
}

SampleRecord record(std::string id, std::optional<double> score, std::string category = "", std::string error = "") {
  SampleRecord r;
  r.id = std::move(id);
  r.score = score;
  r.category = std::move(category);
  r.error = std::move(error);
  return r;
}

TEST(EvalReport, ResumeDropsTheLineBeingWrittenAndCutsTheFile) {
  testing::TempDir dir;
  const std::string path = dir.file("samples.jsonl");
  {
    SampleWriter writer(path, false);
    writer.write(record("a", 1.0));
    writer.write(record("b", 0.0));
  }
  const std::string whole = read_text_file(path);
  std::ofstream(path, std::ios::app) << "{\"id\": \"c\", \"pred";  // killed mid-line
  const std::vector<SampleRecord> kept = read_samples_for_resume(path);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[1].id, "b");
  EXPECT_EQ(*kept[0].score, 1.0);
  EXPECT_EQ(read_text_file(path), whole);
  std::ofstream(path, std::ios::trunc) << "{\"id\": \"a\"}\nnot json\n{\"id\": \"b\"}\n";
  EXPECT_THROW(read_samples_for_resume(path), std::runtime_error);  // damage before the last line
  EXPECT_TRUE(read_samples_for_resume(dir.file("none.jsonl")).empty());
}

TEST(EvalReport, SummaryCountsScoredUnscoredAndErrorsPerCategory) {
  RunInfo info;
  info.task = Task::MathVista;
  const std::vector<SampleRecord> records = {record("0", 1.0, "geometry"), record("1", std::nullopt, "geometry"),
                                             record("2", 0.5, "algebra"), record("3", std::nullopt, "algebra", "bad image")};
  const Json s = summary_json(info, records);
  EXPECT_DOUBLE_EQ(s["score"].get<double>(), 75.0);
  EXPECT_DOUBLE_EQ(s["score_unscored_as_zero"].get<double>(), 37.5);
  EXPECT_EQ(s["scored"], 2);
  EXPECT_EQ(s["unscored"], 1);
  EXPECT_EQ(s["errors"], 1);
  EXPECT_DOUBLE_EQ(s["per_category"]["geometry"]["score"].get<double>(), 100.0);
  EXPECT_EQ(s["per_category"]["algebra"]["errors"], 1);
  EXPECT_DOUBLE_EQ(s["published"]["score"].get<double>(), 44.6);
  EXPECT_FALSE(s["commit"].get<std::string>().empty());
  const std::string md = summary_markdown(s);
  EXPECT_NE(md.find("| **overall** | 75.00 | 4 | 2 | 1 | 1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| geometry | 100.00 | 2 | 1 | 1 | 0 |"), std::string::npos) << md;
  EXPECT_NE(md.find("Published: 44.60"), std::string::npos) << md;
}

TEST(EvalReport, PublishedNumbersOfTheSeed) {
  EXPECT_DOUBLE_EQ(published_score(Task::MMMU)->score, 38.8);
  EXPECT_DOUBLE_EQ(published_score(Task::MMStar)->score, 42.1);
  EXPECT_DOUBLE_EQ(published_score(Task::DocVQA)->score, 81.6);
  EXPECT_DOUBLE_EQ(published_score(Task::TextVQA)->score, 72.7);
  EXPECT_DOUBLE_EQ(published_score(Task::CinePile)->score, 27.14);
  EXPECT_FALSE(published_score(Task::ChartQA).has_value());
}

}  // namespace
}  // namespace smolvlm::eval
