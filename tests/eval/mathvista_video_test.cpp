// MathVista's rule prefetch and Video-MME's letter extraction (expected values
// from VLMEvalKit e8e78f05f308 run under CPython 3.11).
#include <gtest/gtest.h>

#include "core/error.h"
#include "eval/mathvista_prefetch.h"
#include "eval/scoring.h"
#include "eval/videomme_extract.h"

namespace smolvlm::eval {
namespace {

EvalRow free_form(const std::string& answer, const std::string& answer_type) {
  EvalRow row;
  row.index = "mv";
  row.fields = {{"question_type", "free_form"}, {"answer_type", answer_type}, {"answer", answer}};
  return row;
}

EvalRow multi_choice(const std::string& answer_option) {
  EvalRow row;
  row.index = "mv";
  row.fields = {{"question_type", "multi_choice"}, {"answer_type", "text"}, {"answer", "8/11"},
                {"choices", "['3/11', '8/11', '6/11', '3/5']"}, {"answer_option", answer_option}};
  return row;
}

TEST(MathVista, NumbersArePrefetchedOnlyWhenEqualAndTruthy) {
  const SampleScore hit = score_prediction(Task::MathVista, free_form("14", "integer"), "+014");
  EXPECT_EQ(hit.score, 1.0);
  EXPECT_EQ(hit.extracted, "14");
  const SampleScore judged = score_prediction(Task::MathVista, free_form("14", "integer"), "15");
  EXPECT_FALSE(judged.score.has_value());
  EXPECT_EQ(judged.note, "needs LLM judge");
  // post_check returns int(0) / 0.0 on a match, which is falsy: the judge decides.
  EXPECT_FALSE(score_prediction(Task::MathVista, free_form("0", "integer"), "0").score.has_value());
  EXPECT_FALSE(score_prediction(Task::MathVista, free_form("0", "float"), "0.0").score.has_value());
  EXPECT_EQ(score_prediction(Task::MathVista, free_form("0.6", "float"), "6e-1").extracted, "0.6");
  EXPECT_EQ(score_prediction(Task::MathVista, free_form("10", "float"), "1e1").extracted, "10.0");
  EXPECT_FALSE(score_prediction(Task::MathVista, free_form("14", "integer"), "14.0").score.has_value());
}

TEST(MathVista, TextAnswersArePrefetchedOnlyForNone) {
  // post_check compares str(None) with the answer, whatever the prediction.
  EXPECT_EQ(score_prediction(Task::MathVista, free_form("None", "text"), "anything").score, 1.0);
  EXPECT_FALSE(score_prediction(Task::MathVista, free_form("blue", "text"), "blue").score.has_value());
  EXPECT_FALSE(score_prediction(Task::MathVista, free_form("[2007, 2008]", "list"), "[2007, 2008]").score.has_value());
}

TEST(MathVista, APrefetchedWrongLetterScoresZero) {
  EXPECT_EQ(score_prediction(Task::MathVista, multi_choice("B"), "(B) 8/11").score, 1.0);
  const SampleScore wrong = score_prediction(Task::MathVista, multi_choice("B"), "3/11");
  EXPECT_EQ(wrong.extracted, "A");
  EXPECT_EQ(wrong.score, 0.0);
  EXPECT_EQ(score_prediction(Task::MathVista, multi_choice("B"), "Z").score, 0.0);  // 'Z' is truthy
  EXPECT_FALSE(score_prediction(Task::MathVista, multi_choice("B"), "B or C").score.has_value());
  EvalRow no_choices = multi_choice("B");
  no_choices.fields.erase("choices");
  EXPECT_THROW(score_prediction(Task::MathVista, no_choices, "B"), Error);
}

TEST(VideoMme, RegexTakesTheFirstCapitalAToD) {
  EXPECT_EQ(videomme_regex_letter("Correct: B"), "C");
  EXPECT_EQ(videomme_regex_letter("Based on the video, B"), "B");
  EXPECT_EQ(videomme_regex_letter("The best option isThe correct option is B"), "B");
  EXPECT_EQ(videomme_regex_letter("Best answer:Best option: D"), "D");
  EXPECT_EQ(videomme_regex_letter("Best option: B"), "B");  // "Best option:" alone is no prefix; 'B' of Best
  EXPECT_EQ(videomme_regex_letter("the answer is (b)"), "");
}

TEST(VideoMme, FallsBackToTheOptionTexts) {
  EvalRow row;
  row.index = "v1";
  row.fields = {{"question", "What colour is the car?"},
                {"candidates", "['A. red', 'B. blue', 'C. green', 'D. yellow']"},
                {"answer", "B"}};
  const SampleScore blue = score_prediction(Task::VideoMME, row, "it is blue.");
  EXPECT_EQ(blue.extracted, "B");
  EXPECT_EQ(blue.score, 1.0);
  EXPECT_EQ(score_prediction(Task::VideoMME, row, "no idea").extracted, "Z");
  EXPECT_EQ(score_prediction(Task::VideoMME, row, "Definitely B").extracted, "D");
}

TEST(Tasks, NamesRoundTripAndUnknownNamesListTheValidOnes) {
  for (const char* name : {"docvqa", "infovqa", "textvqa", "vqav2", "chartqa", "ocrbench", "ai2d", "mmstar", "mmmu",
                           "mathvista", "scienceqa", "cinepile", "videomme"}) {
    EXPECT_EQ(task_name(parse_task(name)), name);
  }
  EXPECT_EQ(task_family(Task::ChartQA), TaskFamily::ShortAnswerVQA);
  EXPECT_EQ(task_family(Task::MMMU), TaskFamily::MultipleChoice);
  EXPECT_EQ(task_family(Task::MathVista), TaskFamily::MathVista);
  EXPECT_EQ(task_family(Task::CinePile), TaskFamily::VideoMultipleChoice);
  try {
    parse_task("DocVQA");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("docvqa, infovqa"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace smolvlm::eval
