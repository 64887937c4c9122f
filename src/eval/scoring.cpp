#include "eval/scoring.h"

#include "core/error.h"
#include "eval/anls.h"
#include "eval/mathvista_prefetch.h"
#include "eval/multiple_choice.h"
#include "eval/ocrbench_match.h"
#include "eval/python_literal.h"
#include "eval/relaxed_accuracy.h"
#include "eval/videomme_extract.h"
#include "eval/vqa_accuracy.h"

namespace smolvlm::eval {
namespace {

SampleScore short_answer(Task task, const EvalRow& row, std::string_view prediction) {
  const std::vector<std::string> answers = parse_answer_list(required_row_field(row, "answer"));
  switch (task) {
    case Task::DocVQA:
    case Task::InfoVQA:
    {
      AnlsScore anls = score_anls(answers, prediction);
      return {anls.score, std::move(anls.normalized_prediction), ""};
    }
    case Task::ChartQA: {
      RelaxedAccuracy relaxed = score_relaxed_accuracy(answers, prediction);
      return {relaxed.score, std::move(relaxed.stripped_prediction), ""};
    }
    case Task::OCRBench: {
      OcrBenchMatch match = score_ocrbench(answers, required_row_field(row, "category"), prediction);
      return {match.score, std::move(match.normalized_prediction), ""};
    }
    default: {  // TextVQA, and VQAv2 through VLMEvalKit's default vqa_score branch
      VqaAccuracy accuracy = score_vqa_accuracy(answers, prediction);
      return {accuracy.score, std::move(accuracy.normalized_prediction), ""};
    }
  }
}

// CinePile has no official scorer (neither VLMEvalKit nor smollm m4 has one): it is
// scored as plain multiple choice with can_infer, like the image MCQ benchmarks.
// Options come from the "A".."Z" fields, else from a "choices" (or "candidates")
// list literal lettered A, B, ...; the answer is a letter or one option's exact text.
MultipleChoiceScore score_cinepile(const EvalRow& row, std::string_view prediction) {
  Choices choices = choices_from_row(row);
  if (choices.empty()) {
    std::string list_field = row.fields.count("choices") ? "choices" : "candidates";
    const std::string& literal = required_row_field(row, list_field);
    const std::optional<std::vector<std::string>> items = parse_python_list(literal);
    if (!items || items->size() > 26) {
      throw Error("row " + row.index, "'" + list_field + "' is not a Python list literal of up to 26 options");
    }
    for (size_t i = 0; i < items->size(); ++i) choices.push_back({std::string(1, static_cast<char>('A' + i)), (*items)[i]});
  }
  std::string ground_truth = required_row_field(row, "answer");
  bool known = false;
  for (const Choice& choice : choices) known = known || choice.letter == ground_truth;
  if (!known) {
    for (const Choice& choice : choices) {
      if (choice.text == ground_truth) {
        ground_truth = choice.letter;
        known = true;
        break;
      }
    }
  }
  if (!known) throw Error("row " + row.index, "answer '" + ground_truth + "' is neither an option letter nor an option");
  EvalRow lettered;
  lettered.index = row.index;
  for (const Choice& choice : choices) lettered.fields[choice.letter] = choice.text;
  lettered.fields["answer"] = ground_truth;
  return score_multiple_choice(lettered, prediction);
}

}  // namespace

SampleScore score_prediction(Task task, const EvalRow& row, std::string_view prediction) {
  switch (task_family(task)) {
    case TaskFamily::ShortAnswerVQA:
      return short_answer(task, row, prediction);
    case TaskFamily::MultipleChoice: {
      MultipleChoiceScore mcq = task == Task::MMMU ? score_mmmu(row, prediction) : score_multiple_choice(row, prediction);
      return {mcq.score, std::move(mcq.extracted), ""};
    }
    case TaskFamily::MathVista: {
      MathVistaPrefetch prefetch = mathvista_prefetch(row, prediction);
      if (!prefetch.prefetched) return {std::nullopt, "", "needs LLM judge"};
      return {prefetch.score, std::move(*prefetch.prefetched), "prefetch"};
    }
    case TaskFamily::VideoMultipleChoice: {
      if (task == Task::CinePile) {
        MultipleChoiceScore mcq = score_cinepile(row, prediction);
        return {mcq.score, std::move(mcq.extracted), "no official scorer: multiple choice (can_infer)"};
      }
      VideoMmeScore video = score_videomme(row, prediction);
      return {video.score, std::move(video.extracted), video.regex_letter.empty() ? "option text" : "regex"};
    }
  }
  throw Error("task " + std::string(task_name(task)), "has no scorer");
}

}  // namespace smolvlm::eval
