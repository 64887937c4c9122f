// scoring_case_from_json: one line of /work/shared/fixtures/eval/scoring/<task>.jsonl
// as the TSV row it stands for.
#include <set>

#include "core/error.h"
#include "eval/python_literal.h"
#include "eval/scoring.h"

namespace smolvlm::eval {
namespace {

// Keys that hold the reference scorer's outputs, not the sample.
const std::set<std::string>& output_keys() {
  static const std::set<std::string> keys{"prediction", "score",     "extracted",    "per_gt_distance", "per_gt_match",
                                          "norm_pred",  "regex",     "prefetch",     "open_question",   "m4"};
  return keys;
}

std::vector<std::string> string_list(const Json& value, const std::string& key) {
  if (!value.is_array()) throw Error("scoring case: " + key, "is not a list");
  std::vector<std::string> items;
  for (const Json& item : value) {
    if (!item.is_string()) throw Error("scoring case: " + key, "holds a non-string item");
    items.push_back(item.get<std::string>());
  }
  return items;
}

// A JSON scalar as the TSV cell text it came from; null = an empty (NaN) cell.
std::string cell_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

}  // namespace

ScoringCase scoring_case_from_json(Task task, const Json& line) {
  if (!line.is_object()) throw Error("scoring case", "is not a JSON object");
  if (!line.contains("prediction") || !line["prediction"].is_string()) {
    throw Error("scoring case", "has no string 'prediction'");
  }
  ScoringCase scoring_case;
  scoring_case.prediction = line["prediction"].get<std::string>();
  EvalRow& row = scoring_case.row;
  const bool mmmu_open_question = task == Task::MMMU && line.value("open_question", false);
  for (const auto& [key, value] : line.items()) {
    if (output_keys().count(key) || key.rfind("m4", 0) == 0) continue;
    if (key == "index") {
      row.index = cell_text(value);
    } else if (key == "answers") {
      row.fields["answer"] = python_list_literal(string_list(value, key));
    } else if (key == "choices" || key == "candidates") {
      if (!value.is_null()) row.fields[key] = python_list_literal(string_list(value, key));
    } else if (key == "options") {
      if (!value.is_object()) throw Error("scoring case: options", "is not an object");
      // An MMMU open question has no options in the TSV; MMMU_preproc makes them.
      if (mmmu_open_question) continue;
      for (const auto& [letter, text] : value.items()) row.fields[letter] = cell_text(text);
    } else if (value.is_null()) {
      continue;  // a NaN cell
    } else {
      row.fields[key] = cell_text(value);
    }
  }
  return scoring_case;
}

}  // namespace smolvlm::eval
