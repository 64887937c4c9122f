// The open-ended scorers' quirks (expected values from VLMEvalKit e8e78f05f308
// vqa_eval.py / ocrbench.py run under CPython 3.11).
#include <gtest/gtest.h>

#include "core/error.h"
#include "eval/anls.h"
#include "eval/ocrbench_match.h"
#include "eval/python_text.h"
#include "eval/relaxed_accuracy.h"
#include "eval/scoring.h"
#include "eval/vqa_accuracy.h"
#include "eval/vqa_normalize.h"

namespace smolvlm::eval {
namespace {

std::string process_answer(const std::string& text) { return py::encode(vlmeval_process_answer(py::decode(text))); }

TEST(VqaNormalize, PunctuationIsDeletedOrSpacedByTheOriginalText) {
  EXPECT_EQ(process_answer("Hello, world!"), "hello world");
  EXPECT_EQ(process_answer("1,000 people; (approx)"), "1000 people approx");  // a digit,digit comma deletes all
  EXPECT_EQ(process_answer("x -y"), "x y");
  EXPECT_EQ(process_answer("x/y"), "x y");
  EXPECT_EQ(process_answer("a/b"), "b");  // "a b", then the article goes
  EXPECT_EQ(process_answer("\xD9\xA1,\xD9\xA2 a/b"), "\xD9\xA1\xD9\xA2 ab");  // Arabic-Indic digits are \d
  EXPECT_EQ(process_answer("3.5. "), "3.5.");                                   // a period by a digit stays
}

TEST(VqaNormalize, OnlyThirtyTwoPeriodsGo) {
  std::string forty;
  for (int i = 0; i < 40; ++i) forty += "a.";
  EXPECT_EQ(process_answer(forty), std::string(33, 'a') + ".a.a.a.a.a.a.a.");  // 8 of 40 periods stay
}

TEST(VqaNormalize, NumbersArticlesAndContractions) {
  EXPECT_EQ(process_answer("The TWO Dogs"), "2 dogs");
  EXPECT_EQ(process_answer("none"), "0");
  EXPECT_EQ(process_answer("Im dont Ive"), "im don't ive");  // the table's 'Im'/'Ive' keys never match
}

TEST(VqaAccuracy, TenChooseNineAveraging) {
  const std::vector<std::string> answers{"stop", "stop", "stop", "stop sign", "stop sign", "stop sign", "stop sign",
                                         "halt", "halt", "red"};
  const VqaAccuracy stop = score_vqa_accuracy(answers, "Stop.");
  EXPECT_NEAR(stop.score, (3 * (2.0 / 3) + 7 * 1.0) / 10, 1e-15);
  EXPECT_EQ(stop.normalized_prediction, "stop");
  EXPECT_NEAR(score_vqa_accuracy(answers, "halt").score, (2 * (1.0 / 3) + 8 * (2.0 / 3)) / 10, 1e-15);
  EXPECT_EQ(score_vqa_accuracy({"stop"}, "stop").score, 0.0);  // one answer: no "other" answers
  EXPECT_THROW(score_vqa_accuracy({}, "stop"), Error);
}

TEST(Anls, DenominatorUsesTheRawUpperCasedLengths) {
  EXPECT_NEAR(anls_distance("straße", "STRASSE"), 2.0 / 7.0, 1e-15);  // 'ß'.upper() is 2 characters
  EXPECT_EQ(anls_distance("  Hello   World ", "hello world"), 0.0);
  EXPECT_EQ(anls_distance("", ""), 0.0);
  EXPECT_EQ(anls_distance("ab", "abcd"), 0.5);
  EXPECT_EQ(score_anls({"ab"}, "abcd").score, 0.5);  // exactly 0.5 is kept
  EXPECT_EQ(score_anls({"ab"}, "abcde").score, 0.0);
  EXPECT_EQ(score_anls({"", "x"}, "").score, 1.0);
  EXPECT_EQ(m4_anls({"ab"}, "abcd"), 0.0);  // m4: 0.5 is not < 0.5
  EXPECT_EQ(m4_anls({""}, ""), 0.0);        // m4: an empty prediction scores 0
  EXPECT_EQ(m4_anls({"1/8/93"}, " 1/8/93. "), 1.0);
}

TEST(RelaxedAccuracy, FivePercentOfANonZeroTarget) {
  EXPECT_TRUE(relaxed_correctness("100", "105"));    // inclusive
  EXPECT_TRUE(relaxed_correctness("100", "95"));
  EXPECT_FALSE(relaxed_correctness("100", "94.99"));
  EXPECT_FALSE(relaxed_correctness("42", "44.1"));   // 2.1000000000000014 / 42 > 0.05
  EXPECT_TRUE(relaxed_correctness("100", "1e2"));
  EXPECT_TRUE(relaxed_correctness("42%", "0.42"));
  EXPECT_TRUE(relaxed_correctness("42%%", "0.42"));  // rstrip('%') takes them all
  EXPECT_FALSE(relaxed_correctness("50", "50%"));
  EXPECT_FALSE(relaxed_correctness("0", "0.0"));     // a zero target compares strings
  EXPECT_TRUE(relaxed_correctness("0", "0"));
  EXPECT_TRUE(relaxed_correctness("1,000", "1,000"));
  EXPECT_FALSE(relaxed_correctness("nan", "nan"));   // NaN is a truthy target; NaN <= 0.05 is false
  EXPECT_TRUE(relaxed_correctness("Yes", "yes"));
  EXPECT_EQ(score_relaxed_accuracy({"7", "42"}, " 43 \n").score, 1.0);
}

TEST(OcrBench, SubstringMatchPerCategory) {
  EXPECT_EQ(score_ocrbench({"hello"}, "Regular Text Recognition", "The word is \"Hello\".").score, 1.0);
  EXPECT_EQ(score_ocrbench({"no"}, "Scene Text-centric VQA", "nothing").score, 1.0);
  EXPECT_EQ(score_ocrbench({""}, "Scene Text-centric VQA", "anything").score, 1.0);
  EXPECT_EQ(score_ocrbench({"x^2 + 1"}, std::string(kOcrBenchFormulaCategory), "x^2+1").score, 1.0);
  EXPECT_EQ(score_ocrbench({"X^2"}, std::string(kOcrBenchFormulaCategory), "x^2").score, 0.0);  // case kept
}

TEST(ShortAnswerScore, ReadsTheAnswerColumn) {
  EvalRow row;
  row.index = "3";
  row.fields["answer"] = "['1/8/93']";
  EXPECT_EQ(score_prediction(Task::DocVQA, row, "1/8/93").score, 1.0);
  row.fields["answer"] = "1/8/93";  // not a list literal: one answer
  EXPECT_EQ(score_prediction(Task::InfoVQA, row, "1/8/93").score, 1.0);
  EXPECT_THROW(score_prediction(Task::OCRBench, row, "1/8/93"), Error);  // no category
  EXPECT_THROW(score_prediction(Task::TextVQA, EvalRow{}, "x"), Error);  // no answer
}

}  // namespace
}  // namespace smolvlm::eval
