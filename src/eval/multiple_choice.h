// Multiple-choice answer extraction (VLMEvalKit utils/matching_util.py can_infer,
// used with the `exact_matching` policy, i.e. no LLM judge; README "Multiple
// choice"), and the per-sample hit of ImageMCQDataset / mcq_vanilla_eval.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "eval/eval_row.h"

namespace smolvlm::eval {

struct Choice {
  std::string letter;  // "A".."Z"
  std::string text;
};
using Choices = std::vector<Choice>;  // in dict order (A, B, C, ...)

// Each returns the letter, "Z" where VLMEvalKit does, or "" for Python's False.
std::string can_infer_option(std::string_view answer, const Choices& choices);
std::string can_infer_text(std::string_view answer, const Choices& choices);
std::string can_infer(std::string_view answer, const Choices& choices);

// build_choices: the row's "A".."Z" fields that are present and not empty (NaN in pandas).
Choices choices_from_row(const EvalRow& row);

struct MultipleChoiceScore {
  std::string extracted;     // can_infer(...) or "Z" (extract_answer_from_item without a judge)
  std::string ground_truth;  // the letter compared against
  double score = 0.0;
};

// ImageMCQDataset (AI2D, MMStar, ScienceQA): extracted == the row's "answer".
MultipleChoiceScore score_multiple_choice(const EvalRow& row, std::string_view prediction);
// MMMU_DEV_VAL: MMMU_preproc first (an open question, with no option A, becomes
// A = its answer, B = "Other Answers"), and a ground truth that is not a single
// capital letter becomes "A".
MultipleChoiceScore score_mmmu(const EvalRow& row, std::string_view prediction);

}  // namespace smolvlm::eval
