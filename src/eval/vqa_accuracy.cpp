#include "eval/vqa_accuracy.h"

#include <algorithm>

#include "core/error.h"
#include "eval/numpy_mean.h"
#include "eval/python_text.h"
#include "eval/vqa_normalize.h"

namespace smolvlm::eval {

VqaAccuracy score_vqa_accuracy(const std::vector<std::string>& answers, std::string_view prediction) {
  if (answers.empty()) throw Error("answer", "the answer list is empty (VQA accuracy needs at least one answer)");
  std::vector<std::u32string> ground_truths;
  for (const std::string& answer : answers) ground_truths.push_back(vlmeval_process_answer(py::decode(answer)));
  const std::u32string pred = vlmeval_process_answer(py::decode(prediction));

  VqaAccuracy result;
  result.normalized_prediction = py::encode(pred);
  for (size_t current = 0; current < ground_truths.size(); ++current) {
    size_t matching_others = 0;
    for (size_t other = 0; other < ground_truths.size(); ++other) {
      if (other != current && ground_truths[other] == pred) ++matching_others;
    }
    result.per_gt_match.push_back(std::min(1.0, static_cast<double>(matching_others) / 3.0));
  }
  result.score = numpy_mean(result.per_gt_match);
  return result;
}

}  // namespace smolvlm::eval
