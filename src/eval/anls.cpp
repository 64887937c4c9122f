#include "eval/anls.h"

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "eval/python_text.h"

namespace smolvlm::eval {
namespace {

// ' '.join(text.strip().lower().split())
std::u32string collapse_lower(std::u32string_view text) {
  return py::join(U" ", py::split(py::lower(py::strip(text))));
}

}  // namespace

size_t levenshtein_distance(std::u32string_view a, std::u32string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  std::vector<size_t> distances(a.size() + 1);
  for (size_t i = 0; i <= a.size(); ++i) distances[i] = i;
  std::vector<size_t> next(a.size() + 1);
  for (size_t j = 0; j < b.size(); ++j) {
    next[0] = j + 1;
    for (size_t i = 0; i < a.size(); ++i) {
      next[i + 1] = a[i] == b[j] ? distances[i] : 1 + std::min({distances[i], distances[i + 1], next[i]});
    }
    std::swap(distances, next);
  }
  return distances[a.size()];
}

double anls_distance(std::string_view ground_truth, std::string_view prediction) {
  const std::u32string gt = py::decode(ground_truth);
  const std::u32string pred = py::decode(prediction);
  const size_t distance = levenshtein_distance(collapse_lower(gt), collapse_lower(pred));
  const size_t length = std::max(py::upper(gt).size(), py::upper(pred).size());
  return length == 0 ? 0.0 : static_cast<double>(distance) / static_cast<double>(length);
}

AnlsScore score_anls(const std::vector<std::string>& answers, std::string_view prediction) {
  if (answers.empty()) throw Error("answer", "the answer list is empty (ANLS needs at least one answer)");
  AnlsScore result;
  result.normalized_prediction = py::encode(collapse_lower(py::decode(prediction)));
  for (const std::string& answer : answers) result.per_gt_distance.push_back(anls_distance(answer, prediction));
  const double similarity = 1.0 - *std::min_element(result.per_gt_distance.begin(), result.per_gt_distance.end());
  result.score = similarity < 0.5 ? 0.0 : similarity;
  return result;
}

double m4_anls(const std::vector<std::string>& answers, std::string_view prediction) {
  const std::u32string pred = py::lower(py::strip_chars(py::strip(py::decode(prediction)), U"."));
  if (pred.empty()) return 0.0;
  double best = 0.0;
  for (const std::string& answer : answers) {
    const std::u32string gt = py::lower(py::decode(answer));
    const size_t length = std::max(gt.size(), pred.size());
    const double normalized = static_cast<double>(levenshtein_distance(gt, pred)) / static_cast<double>(length);
    best = std::max(best, normalized < 0.5 ? 1.0 - normalized : 0.0);
  }
  return best;
}

}  // namespace smolvlm::eval
