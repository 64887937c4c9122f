// VQA accuracy for TextVQA and VQAv2 (VLMEvalKit vqa_eval.py process_line
// method='vqa_score' + hit_calculate; README "textvqa"): each ground truth i
// scores min(1, #{j != i : gt_j == pred} / 3) and the sample is their mean,
// so a single ground-truth answer always scores 0.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace smolvlm::eval {

struct VqaAccuracy {
  std::vector<double> per_gt_match;
  std::string normalized_prediction;  // process_answer(prediction), UTF-8
  double score = 0.0;
};
VqaAccuracy score_vqa_accuracy(const std::vector<std::string>& answers, std::string_view prediction);

}  // namespace smolvlm::eval
