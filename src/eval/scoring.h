// Per-sample scoring of a model's prediction with the official benchmark rules
// (VLMEvalKit e8e78f05f308; /work/shared/fixtures/eval/README.md lists every quirk
// copied). Dataset score = mean of the per-sample scores x 100.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json_file.h"
#include "eval/eval_row.h"
#include "eval/eval_task.h"

namespace smolvlm::eval {

struct SampleScore {
  std::optional<double> score;  // 0..1; nullopt = unscored (MathVista rows that need a GPT judge)
  // What was compared: the option letter (multiple choice, Video-MME; "Z" = none),
  // MathVista's prefetched answer ("" when unscored), the normalised prediction
  // (DocVQA/InfoVQA ' '.join(lower().split()), TextVQA/VQAv2 process_answer,
  // ChartQA strip(), OCRBench its normalised text).
  std::string extracted;
  // "needs LLM judge" (MathVista unscored), "prefetch" (MathVista scored by the rule
  // prefetch), "regex" / "option text" (which Video-MME rule found the letter),
  // CinePile's "no official scorer: ..."; empty otherwise.
  std::string note;
};

// Scores `prediction` (the model's text, as VLMEvalKit str()-s it) against `row`.
// Fields read per family:
//   ShortAnswerVQA: "answer" (a Python list literal or a plain string); OCRBench also "category".
//   MultipleChoice: "answer" (a letter), "A".."Z" option texts (missing or empty = no option);
//                   MMMU open questions (no A/B) follow MMMU_preproc.
//   MathVista: "answer", "question_type", "answer_type", "answer_option", "choices" (a Python list literal);
//                   a prefetched answer is scored as MathVista_acc does (a wrong prefetched letter is 0),
//                   anything else is unscored (see mathvista_prefetch.h).
//   VideoMME: "answer" (a letter), "question" and "candidates" (a Python list literal of "A. text"
//                   lines), read by the option-text fallback (see videomme_extract.h).
//   CinePile (no official scorer; scored as plain multiple choice with can_infer): "A".."Z", or else a
//                   "choices" (or "candidates") list literal lettered A, B, ...; "answer" is a letter or
//                   the exact text of one option.
// A row without the fields its task needs throws Error naming the row index and field.
SampleScore score_prediction(Task task, const EvalRow& row, std::string_view prediction);

// smollm's m4 metrics for the same sample, optional and only for comparison (the
// benchmark score is VLMEvalKit's): "m4_anls" (docvqa, infovqa); "m4_oe_vqa_accuracy",
// "m4_first_word_vqa_accuracy", "m4_gt_vision_lab_oe_vqa_accuracy",
// "m4_gt_vision_lab_first_word_vqa_accuracy" (textvqa, vqav2); "m4_relaxed" (chartqa);
// "m4_mmmu_style" (mmmu, mathvista). Empty for the other tasks.
std::vector<std::pair<std::string, double>> m4_scores(Task task, const EvalRow& row, std::string_view prediction);

// One line of the fixtures' scoring files (/work/shared/fixtures/eval/scoring/<task>.jsonl) as the row
// and prediction it describes: "answers" list -> the "answer" field as a Python list literal,
// "options" -> "A".."E", MathVista's "choices" -> a list literal, Video-MME "candidates" likewise;
// other string fields are copied. Shared by `smolvlm eval --score-only FILE` and the golden tests.
struct ScoringCase {
  EvalRow row;
  std::string prediction;
};
ScoringCase scoring_case_from_json(Task task, const Json& line);

// Parses a Python literal list/str as VLMEvalKit's `eval(answer)` does for answer columns
// ("['a', \"b\"]" -> {a, b}); a string that is not a list literal -> {itself}.
std::vector<std::string> parse_answer_list(std::string_view answer_field);

// Writes `items` as a Python list literal (repr of a list of str) that parse_answer_list reads back.
std::string python_list_literal(const std::vector<std::string>& items);

}  // namespace smolvlm::eval
