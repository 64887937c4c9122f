// smollm m4 metric variants (expected values from smollm a041759883ec
// custom_metrics/utils.py and open_ended_vqa_metrics.py under CPython 3.11).
#include <gtest/gtest.h>

#include "eval/anls.h"
#include "eval/m4_mmmu_style.h"
#include "eval/m4_relaxed_accuracy.h"
#include "eval/m4_vqa_accuracy.h"
#include "eval/python_text.h"
#include "eval/scoring.h"

namespace smolvlm::eval {
namespace {

std::vector<std::string> numbers(const std::string& text) {
  std::vector<std::string> found;
  for (const std::u32string& number : m4_extract_numbers_mmmu(py::decode(text))) found.push_back(py::encode(number));
  return found;
}

TEST(M4MmmuStyle, NumberPatternsFollowPythonRe) {
  EXPECT_EQ(numbers("1.5e3 costs -1,234,567 or 3.14, .5 and 7x 8"),
            (std::vector<std::string>{"-1,234,567", "1.5e3", "1", "3", "567", "3", ".5", "8"}));
  EXPECT_EQ(numbers("1,2345 and 12,345,67"), (std::vector<std::string>{"12,345", "2345", "67"}));
}

TEST(M4MmmuStyle, NormalisationRoundsNumbersToTwoDecimals) {
  EXPECT_EQ(std::get<double>(m4_normalize_str_mmmu(U"Answer: 2.675")), 2.67);  // the binary value is below 2.675
  EXPECT_EQ(std::get<double>(m4_normalize_str_mmmu(U"0.125")), 0.12);          // ties go to even
  EXPECT_EQ(std::get<std::u32string>(m4_normalize_str_mmmu(U"  Hello ")), U"hello");
  const std::vector<MmmuValue> parsed = m4_parse_open_response_mmmu(U"First, x = 3.\nSo the answer is 42.");
  ASSERT_FALSE(parsed.empty());
  for (const MmmuValue& value : parsed) EXPECT_EQ(std::get<double>(value), 42.0);
}

TEST(M4MmmuStyle, MultipleChoiceAnswersAreContainedNotEqual) {
  // accept_mcq takes the whole prediction, and `answer in candidate` still applies.
  EXPECT_EQ(m4_mmmu_style_accuracy({"B"}, "Based on the image, the answer is C.", true), 1.0);
  EXPECT_EQ(m4_mmmu_style_accuracy({"B"}, "Based on the image, the answer is C.", false), 0.0);
  EXPECT_EQ(m4_mmmu_style_accuracy({"0.6"}, ".6", true), 0.0);  // strip('.') turns ".6" into "6"
  EXPECT_EQ(m4_mmmu_style_accuracy({"14"}, "The answer is 14", true), 1.0);
}

TEST(M4Relaxed, Quirks) {
  EXPECT_EQ(m4_relaxed_accuracy({"-5"}, "5"), 1.0);    // divides by the signed answer
  EXPECT_EQ(m4_relaxed_accuracy({"100"}, "105"), 0.0); // strict < 0.05
  EXPECT_EQ(m4_relaxed_accuracy({"Two"}, "2"), 1.0);
  EXPECT_EQ(m4_relaxed_accuracy({"No"}, "No."), 1.0);
  EXPECT_EQ(m4_relaxed_accuracy({"yes"}, "Yes"), 0.0); // case-sensitive
  EXPECT_EQ(m4_relaxed_accuracy({"someone"}, "someone"), 1.0);  // "some1" is no number, the texts match
}

TEST(M4Vqa, NormalisersDiffer) {
  const M4VqaAccuracy coca = m4_vqa_accuracy({"coca cola", "coca cola", "coca cola"}, "coca-cola");
  EXPECT_EQ(coca.oe_vqa_accuracy, 0.0);  // m4 removes '-': "cocacola"
  EXPECT_NEAR(coca.gt_vision_lab_oe_vqa_accuracy, 2.0 / 3.0, 1e-15);
  const M4VqaAccuracy decimal = m4_vqa_accuracy({"3.5", "3.5", "3.5"}, "3.5.");
  EXPECT_NEAR(decimal.oe_vqa_accuracy, 2.0 / 3.0, 1e-15);
  EXPECT_EQ(decimal.first_word_vqa_accuracy, 0.0);  // "3 5": '.' is punctuation to m4
  EXPECT_NEAR(decimal.gt_vision_lab_first_word_vqa_accuracy, 2.0 / 3.0, 1e-15);  // its period rule drops the last '.'
}

TEST(M4Scores, PerTask) {
  EvalRow row;
  row.index = "1";
  row.fields["answer"] = "['42']";
  EXPECT_EQ(m4_scores(Task::DocVQA, row, "42").size(), 1u);
  EXPECT_EQ(m4_scores(Task::TextVQA, row, "42").size(), 4u);
  EXPECT_EQ(m4_scores(Task::ChartQA, row, "42")[0].first, "m4_relaxed");
  EXPECT_TRUE(m4_scores(Task::OCRBench, row, "42").empty());
  EXPECT_TRUE(m4_scores(Task::VideoMME, row, "42").empty());
}

}  // namespace
}  // namespace smolvlm::eval
