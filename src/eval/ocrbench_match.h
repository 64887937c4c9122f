// OCRBench per-sample hit (VLMEvalKit utils/ocrbench.py OCRBench_eval; README
// "ocrbench"): a ground truth contained in the prediction. Handwritten
// mathematical expressions drop spaces and newlines and keep case; every other
// category compares lower-cased, stripped text with newlines as spaces (so an
// empty ground truth always hits).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace smolvlm::eval {

inline constexpr std::string_view kOcrBenchFormulaCategory = "Handwritten Mathematical Expression Recognition";

struct OcrBenchMatch {
  std::string normalized_prediction;  // the prediction as compared, UTF-8
  double score = 0.0;                 // 1.0 if some ground truth is a substring
};
OcrBenchMatch score_ocrbench(const std::vector<std::string>& answers, std::string_view category,
                             std::string_view prediction);

}  // namespace smolvlm::eval
