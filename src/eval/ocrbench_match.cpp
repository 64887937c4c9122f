#include "eval/ocrbench_match.h"

#include "eval/python_text.h"

namespace smolvlm::eval {
namespace {

// x.strip().replace('\n', ' ').replace(' ', '')
std::u32string formula_text(std::u32string_view text) {
  return py::replace_all(py::replace_all(py::strip(text), U"\n", U" "), U" ", U"");
}

// x.lower().strip().replace('\n', ' ')
std::u32string plain_text(std::u32string_view text) {
  return py::replace_all(py::strip(py::lower(text)), U"\n", U" ");
}

}  // namespace

OcrBenchMatch score_ocrbench(const std::vector<std::string>& answers, std::string_view category,
                             std::string_view prediction) {
  const bool formula = category == kOcrBenchFormulaCategory;
  const auto normalize = formula ? formula_text : plain_text;
  const std::u32string predict = normalize(py::decode(prediction));
  OcrBenchMatch result;
  result.normalized_prediction = py::encode(predict);
  for (const std::string& answer : answers) {
    if (py::contains(predict, normalize(py::decode(answer)))) {
      result.score = 1.0;
      break;
    }
  }
  return result;
}

}  // namespace smolvlm::eval
