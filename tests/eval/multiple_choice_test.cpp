// can_infer and the MCQ / MMMU / CinePile per-sample rules (expected values from
// VLMEvalKit e8e78f05f308 matching_util.py run under CPython 3.11).
#include <gtest/gtest.h>

#include "core/error.h"
#include "eval/multiple_choice.h"
#include "eval/scoring.h"

namespace smolvlm::eval {
namespace {

const Choices kAnimals{{"A", "cat"}, {"B", "dog"}, {"C", "birds"}, {"D", "fish"}};

TEST(CanInfer, LetterTokensCountOnlyAmongTheLastFive) {
  EXPECT_EQ(can_infer("(B)", kAnimals), "B");
  EXPECT_EQ(can_infer("A dog is shown, so B", kAnimals), "B");  // two letters: the regex and text rules decide
  EXPECT_EQ(can_infer("B because A is wrong", kAnimals), "");
  EXPECT_EQ(can_infer("I think it is B because the animal barks", kAnimals), "");  // B is 6th from the end
  EXPECT_EQ(can_infer("B, C", kAnimals), "");
  EXPECT_EQ(can_infer("b", kAnimals), "");  // letters are case-sensitive tokens
}

TEST(CanInfer, RefusalsAndZ) {
  EXPECT_EQ(can_infer("Z", kAnimals), "Z");
  EXPECT_EQ(can_infer("Cannot determine the answer B", kAnimals), "Z");
  // The API-failure marker only disables the letter rules; the text rule still runs.
  EXPECT_EQ(can_infer_option("Failed to obtain answer via API: B", kAnimals), "");
  EXPECT_EQ(can_infer("Failed to obtain answer via API: B", kAnimals), "");
}

TEST(CanInfer, VerboseAnswerRegexIsCaseInsensitiveLikePythonRe) {
  EXPECT_EQ(can_infer("the correct answer is d.", kAnimals), "D");
  EXPECT_EQ(can_infer("The AN\xC5\xBFWER IS **c**", kAnimals), "C");  // 'ſ' folds with 's' under re.IGNORECASE
  // The letter is too early for the token rule; the regex then takes only A-D.
  EXPECT_EQ(can_infer_option("The answer is D and more words here", {{"A", "x"}, {"D", "y"}}), "D");
  EXPECT_EQ(can_infer_option("The answer is E and more words here", {{"A", "x"}, {"E", "y"}}), "");
}

TEST(CanInfer, OptionTextMustBeUniqueAndThePredictionShort) {
  EXPECT_EQ(can_infer("I see birds", kAnimals), "C");
  EXPECT_EQ(can_infer("It is a cat", kAnimals), "A");
  EXPECT_EQ(can_infer("cat or dog", kAnimals), "");
  const Choices short_options{{"A", "abcde"}, {"B", "fghij"}};
  EXPECT_EQ(can_infer("xx abcde", short_options), "A");
  EXPECT_EQ(can_infer("xxxxxxxxxxxxxxxxabcde", short_options), "");  // 21 > 2 * 10 characters
  EXPECT_EQ(can_infer("", kAnimals), "");
}

EvalRow mcq_row(std::map<std::string, std::string> fields) { return EvalRow{"mcq-7", std::move(fields)}; }

TEST(MultipleChoiceScore, UnextractableIsZAndNeverRight) {
  const EvalRow row = mcq_row({{"A", "cat"}, {"B", "dog"}, {"C", ""}, {"answer", "B"}});
  EXPECT_EQ(score_prediction(Task::AI2D, row, "dog").score, 1.0);
  const SampleScore wrong = score_prediction(Task::MMStar, row, "I don't know");
  EXPECT_EQ(wrong.extracted, "Z");
  EXPECT_EQ(wrong.score, 0.0);
  EXPECT_EQ(score_prediction(Task::ScienceQA, row, "C").extracted, "Z");  // an empty option is no option
  EXPECT_THROW(score_prediction(Task::AI2D, mcq_row({{"A", "cat"}}), "A"), Error);
}

TEST(MultipleChoiceScore, MmmuOpenQuestionsBecomeAnswerOrOther) {
  const EvalRow open = mcq_row({{"A", ""}, {"B", ""}, {"answer", "42"}});
  EXPECT_EQ(score_prediction(Task::MMMU, open, "The answer is 42").score, 1.0);
  EXPECT_EQ(score_prediction(Task::MMMU, open, "A").score, 1.0);  // the ground truth becomes 'A'
  EXPECT_EQ(score_prediction(Task::MMMU, open, "Other Answers").extracted, "B");
  EXPECT_EQ(score_prediction(Task::MMMU, open, "41").score, 0.0);
  const EvalRow closed = mcq_row({{"A", "cat"}, {"B", "dog"}, {"answer", "B"}});
  EXPECT_EQ(score_prediction(Task::MMMU, closed, "B").score, 1.0);
}

TEST(CinePile, ScoredAsMultipleChoiceFromLettersOrAChoiceList) {
  const EvalRow lettered = mcq_row({{"A", "red"}, {"B", "blue"}, {"answer", "B"}});
  EXPECT_EQ(score_prediction(Task::CinePile, lettered, "(B) blue").score, 1.0);
  EXPECT_EQ(score_prediction(Task::CinePile, lettered, "red").score, 0.0);
  const EvalRow listed = mcq_row({{"choices", "['red', 'blue', 'green']"}, {"answer", "green"}});
  const SampleScore by_text = score_prediction(Task::CinePile, listed, "It was green");
  EXPECT_EQ(by_text.extracted, "C");
  EXPECT_EQ(by_text.score, 1.0);
  EXPECT_EQ(score_prediction(Task::CinePile, listed, "C").score, 1.0);
  EXPECT_THROW(score_prediction(Task::CinePile, mcq_row({{"choices", "['red']"}, {"answer", "pink"}}), "A"), Error);
}

}  // namespace
}  // namespace smolvlm::eval
