#include "eval/scoring.h"

#include "core/error.h"

namespace smolvlm::eval {

// TEMPORARY (E1 is writing the scorers behind this interface; removed before the deadline).
SampleScore score_prediction(Task task, const EvalRow& row, std::string_view prediction) {
  throw Error("scoring", "not implemented");
}

ScoringCase scoring_case_from_json(Task task, const Json& line) {
  throw Error("scoring", "not implemented");
}

std::vector<std::string> parse_answer_list(std::string_view answer_field) {
  throw Error("scoring", "not implemented");
}

std::string python_list_literal(const std::vector<std::string>& items) {
  throw Error("scoring", "not implemented");
}

}  // namespace smolvlm::eval
