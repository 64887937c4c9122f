// ANLS, the DocVQA / InfoVQA metric (VLMEvalKit vqa_eval.py anls_compute +
// hit_calculate; README "docvqa / infovqa").
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace smolvlm::eval {

// Levenshtein distance in code points.
size_t levenshtein_distance(std::u32string_view a, std::u32string_view b);

// anls_compute(gt, pred): the distance between the whitespace-collapsed lower-cased
// texts over max(len(gt.upper()), len(pred.upper())) of the RAW texts; 0 when both are empty.
double anls_distance(std::string_view ground_truth, std::string_view prediction);

struct AnlsScore {
  std::vector<double> per_gt_distance;
  std::string normalized_prediction;  // ' '.join(pred.strip().lower().split()), UTF-8
  double score = 0.0;  // 1 - min distance, or 0 when that is below 0.5 (exactly 0.5 is kept)
};
AnlsScore score_anls(const std::vector<std::string>& answers, std::string_view prediction);

// smollm m4 ANLS (doc_vqa_metrics.py): pred .strip().strip('.').lower(), gt .lower(), no
// whitespace collapsing, `1 - d if d < 0.5 else 0`, an empty prediction scores 0.
double m4_anls(const std::vector<std::string>& answers, std::string_view prediction);

}  // namespace smolvlm::eval
