// Every case of /work/shared/fixtures/eval/scoring/<task>.jsonl: the reference
// scorer's per-sample `score` (VLMEvalKit e8e78f05f308, run by the fixture
// generator) and the intermediate values it recorded, reproduced by our scorers.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "eval/anls.h"
#include "eval/mathvista_prefetch.h"
#include "eval/multiple_choice.h"
#include "eval/relaxed_accuracy.h"
#include "eval/scoring.h"
#include "eval/videomme_extract.h"
#include "eval/vqa_accuracy.h"

namespace smolvlm::eval {
namespace {

constexpr double kTolerance = 1e-9;

struct GoldenLine {
  int line_number;
  Json json;
};

std::vector<GoldenLine> read_golden(const std::string& task) {
  const std::string path = testing::fixtures_dir() + "/eval/scoring/" + task + ".jsonl";
  std::ifstream file(path);
  EXPECT_TRUE(file) << "cannot open " << path;
  std::vector<GoldenLine> lines;
  std::string text;
  for (int number = 1; std::getline(file, text); ++number) {
    if (text.empty()) continue;
    lines.push_back({number, parse_json(text, path + ":" + std::to_string(number))});
  }
  EXPECT_FALSE(lines.empty()) << path << " has no cases";
  return lines;
}

std::vector<double> doubles(const Json& list) {
  std::vector<double> values;
  for (const Json& value : list) values.push_back(value.is_boolean() ? (value.get<bool>() ? 1.0 : 0.0) : value.get<double>());
  return values;
}

void expect_close_lists(const std::vector<double>& actual, const Json& expected, const std::string& what) {
  const std::vector<double> wanted = doubles(expected);
  ASSERT_EQ(actual.size(), wanted.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i) EXPECT_NEAR(actual[i], wanted[i], kTolerance) << what << "[" << i << "]";
}

// The fixture's MathVista `score` is bool(post_check(prefetch=True)): 1.0 whenever the
// prefetch returned something. For multi_choice that is the extracted letter, right or
// wrong; MathVista_acc then counts a hit only if post_check(prefetch=False) on that
// letter matches answer_option. We score the hit, so a wrong prefetched letter is 0.
std::optional<double> mathvista_expected_score(const Json& line) {
  if (line["score"].is_null()) return std::nullopt;
  const double fixture_score = line["score"].get<double>();
  if (line["question_type"] == "multi_choice" && line["prefetch"] != line["answer_option"]) return 0.0;
  return fixture_score;
}

void check_intermediates(Task task, const ScoringCase& scoring_case, const SampleScore& result, const Json& line) {
  const EvalRow& row = scoring_case.row;
  const std::string& prediction = scoring_case.prediction;
  if (line.contains("per_gt_distance")) {
    const std::vector<std::string> answers = parse_answer_list(row.fields.at("answer"));
    expect_close_lists(score_anls(answers, prediction).per_gt_distance, line["per_gt_distance"], "per_gt_distance");
  }
  if (line.contains("per_gt_match")) {
    const std::vector<std::string> answers = parse_answer_list(row.fields.at("answer"));
    if (task == Task::ChartQA) {
      expect_close_lists(score_relaxed_accuracy(answers, prediction).per_gt_match, line["per_gt_match"], "per_gt_match");
    } else {
      const VqaAccuracy accuracy = score_vqa_accuracy(answers, prediction);
      expect_close_lists(accuracy.per_gt_match, line["per_gt_match"], "per_gt_match");
      EXPECT_EQ(accuracy.normalized_prediction, line.at("norm_pred").get<std::string>()) << "norm_pred";
      EXPECT_EQ(result.extracted, line.at("norm_pred").get<std::string>()) << "extracted";
    }
  }
  // smollm m4 variants (optional metrics, compared with the official one): every m4
  // value the fixture holds, as m4_scores computes it for the task.
  size_t m4_checked = 0;
  for (const auto& [key, value] : m4_scores(task, row, prediction)) {
    const Json* expected = nullptr;
    if (line.contains(key)) {
      expected = &line[key];
    } else if (line.contains("m4") && line["m4"].contains(key.substr(3))) {  // textvqa/vqav2: "m4": {...}
      expected = &line["m4"][key.substr(3)];
    }
    ASSERT_NE(expected, nullptr) << "the fixture has no " << key;
    EXPECT_NEAR(value, expected->get<double>(), kTolerance) << key;
    ++m4_checked;
  }
  size_t m4_in_fixture = line.contains("m4") ? line["m4"].size() : 0;
  for (const auto& [key, value] : line.items()) m4_in_fixture += (key.rfind("m4_", 0) == 0) ? 1 : 0;
  EXPECT_EQ(m4_checked, m4_in_fixture) << "m4 values in the fixture that m4_scores does not give";
  if (line.contains("extracted")) {
    EXPECT_EQ(result.extracted, line["extracted"].get<std::string>()) << "extracted";
  }
  if (line.contains("regex")) {
    EXPECT_EQ(videomme_regex_letter(prediction), line["regex"].get<std::string>()) << "regex";
  }
  if (line.contains("prefetch")) {
    const Json& prefetch = line["prefetch"];
    if (prefetch.is_boolean()) {
      ASSERT_FALSE(prefetch.get<bool>()) << "a prefetch is a value or false";
      EXPECT_EQ(result.extracted, "") << "prefetch";
      EXPECT_EQ(result.note, "needs LLM judge");
    } else {
      EXPECT_EQ(result.extracted, prefetch.get<std::string>()) << "prefetch";
    }
  }
  if (line.value("open_question", false)) {
    // The fixture shows the options after MMMU_preproc; the row leaves them out as the TSV does.
    EXPECT_FALSE(row.fields.count("A"));
    EXPECT_EQ(line["options"]["A"], line["answer"]);
    EXPECT_EQ(line["options"]["B"], "Other Answers");
  }
}

void check_golden_file(Task task) {
  int scored = 0;
  for (const GoldenLine& golden : read_golden(std::string(task_name(task)))) {
    SCOPED_TRACE(std::string(task_name(task)) + ".jsonl line " + std::to_string(golden.line_number) + ": " +
                 golden.json.dump());
    const ScoringCase scoring_case = scoring_case_from_json(task, golden.json);
    const SampleScore result = score_prediction(task, scoring_case.row, scoring_case.prediction);
    const std::optional<double> expected = task == Task::MathVista
                                               ? mathvista_expected_score(golden.json)
                                               : std::optional<double>(golden.json.at("score").get<double>());
    if (expected) {
      ASSERT_TRUE(result.score.has_value()) << "unscored, expected " << *expected;
      EXPECT_NEAR(*result.score, *expected, kTolerance);
      ++scored;
    } else {
      EXPECT_FALSE(result.score.has_value()) << "scored " << result.score.value_or(NAN) << ", expected unscored";
    }
    check_intermediates(task, scoring_case, result, golden.json);
  }
  EXPECT_GT(scored, 0);
}

TEST(ScoringGolden, DocVQA) { check_golden_file(Task::DocVQA); }
TEST(ScoringGolden, InfoVQA) { check_golden_file(Task::InfoVQA); }
TEST(ScoringGolden, TextVQA) { check_golden_file(Task::TextVQA); }
TEST(ScoringGolden, VQAv2) { check_golden_file(Task::VQAv2); }
TEST(ScoringGolden, ChartQA) { check_golden_file(Task::ChartQA); }
TEST(ScoringGolden, OCRBench) { check_golden_file(Task::OCRBench); }
TEST(ScoringGolden, AI2D) { check_golden_file(Task::AI2D); }
TEST(ScoringGolden, MMStar) { check_golden_file(Task::MMStar); }
TEST(ScoringGolden, ScienceQA) { check_golden_file(Task::ScienceQA); }
TEST(ScoringGolden, MMMU) { check_golden_file(Task::MMMU); }
TEST(ScoringGolden, MathVista) { check_golden_file(Task::MathVista); }
TEST(ScoringGolden, VideoMME) { check_golden_file(Task::VideoMME); }

}  // namespace
}  // namespace smolvlm::eval
