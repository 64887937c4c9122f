// smollm's m4 open-ended VQA metrics (vision/m4/evaluation/custom_metrics/
// open_ended_vqa_metrics.py _compute_vqa_accuracy, utils.py normalisers), kept
// beside the official VLMEvalKit score for comparison (README "textvqa": the
// `m4` keys). Optional metrics; `smolvlm eval` reports VLMEvalKit's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace smolvlm::eval {

// utils.py vqa_normalize_text: lower, m4's whitespace set -> ' ', '\n'/'\t' -> ' ',
// '-' removed, string.punctuation except "'" -> ' ', split on ' ', number words,
// contractions, articles dropped, joined, stripped.
std::u32string m4_vqa_normalize_text(std::u32string_view text);
// utils.py VQANormalizationGtVisionLab.vqa_normalize_text: VLMEvalKit's process_answer
// except that its period regex "(?!<=\d)(\.)(?!\d)" (a typo for a look-behind)
// removes every period not followed by a digit (still at most 32).
std::u32string m4_gt_vision_lab_normalize_text(std::u32string_view text);

struct M4VqaAccuracy {
  double oe_vqa_accuracy = 0.0;
  double first_word_vqa_accuracy = 0.0;
  double gt_vision_lab_oe_vqa_accuracy = 0.0;
  double gt_vision_lab_first_word_vqa_accuracy = 0.0;
};
// One answer: exact match; several: the mean over i of min(1, #{j != i matching}/3),
// summed left to right as Python's sum(). "First word" = the normalised text's
// split(" ")[0].
M4VqaAccuracy m4_vqa_accuracy(const std::vector<std::string>& answers, std::string_view prediction);

}  // namespace smolvlm::eval
