#include "eval/relaxed_accuracy.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/error.h"
#include "eval/python_text.h"

namespace smolvlm::eval {
namespace {

constexpr double kMaxRelativeChange = 0.05;

// _to_float: "12%" is 0.12 (rstrip('%') takes every trailing '%'), else float(text).
std::optional<double> to_float(std::u32string_view text) {
  if (!text.empty() && text.back() == U'%') {
    const std::optional<double> percent = py::parse_float(py::rstrip_chars(text, U"%"));
    if (!percent) return std::nullopt;
    return *percent / 100.0;
  }
  return py::parse_float(text);
}

}  // namespace

bool relaxed_correctness(std::string_view target, std::string_view prediction) {
  const std::u32string target_text = py::decode(target);
  const std::u32string prediction_text = py::decode(prediction);
  const std::optional<double> prediction_value = to_float(prediction_text);
  const std::optional<double> target_value = to_float(target_text);
  // `if prediction_float is not None and target_float:` -- a zero target is falsy
  // (and falls through to the string comparison); NaN is truthy.
  if (prediction_value && target_value && *target_value != 0.0) {
    const double relative_change = std::fabs(*prediction_value - *target_value) / std::fabs(*target_value);
    return relative_change <= kMaxRelativeChange;
  }
  return py::lower(prediction_text) == py::lower(target_text);
}

RelaxedAccuracy score_relaxed_accuracy(const std::vector<std::string>& answers, std::string_view prediction) {
  if (answers.empty()) throw Error("answer", "the answer list is empty (relaxed accuracy needs at least one answer)");
  RelaxedAccuracy result;
  result.stripped_prediction = py::encode(py::strip(py::decode(prediction)));
  for (const std::string& answer : answers) {
    result.per_gt_match.push_back(relaxed_correctness(answer, result.stripped_prediction) ? 1.0 : 0.0);
  }
  result.score = *std::max_element(result.per_gt_match.begin(), result.per_gt_match.end());
  return result;
}

}  // namespace smolvlm::eval
