// ChartQA relaxed accuracy (VLMEvalKit vqa_eval.py relaxed_correctness, from
// pix2struct; README "chartqa"): numbers within 5% (inclusive) of a non-zero
// target, otherwise case-insensitive string equality; the sample takes the
// best ground truth.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace smolvlm::eval {

// relaxed_correctness(target, prediction) with Python's float() rules.
bool relaxed_correctness(std::string_view target, std::string_view prediction);

struct RelaxedAccuracy {
  std::vector<double> per_gt_match;  // 1.0 / 0.0 per ground truth
  std::string stripped_prediction;   // prediction.strip(), what was compared
  double score = 0.0;                // max over ground truths
};
// `prediction` is stripped first, as process_line(method='relaxed_accuracy') does.
RelaxedAccuracy score_relaxed_accuracy(const std::vector<std::string>& answers, std::string_view prediction);

}  // namespace smolvlm::eval
