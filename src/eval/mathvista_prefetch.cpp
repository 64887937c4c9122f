#include "eval/mathvista_prefetch.h"

#include "core/error.h"
#include "eval/multiple_choice.h"
#include "eval/python_literal.h"
#include "eval/python_text.h"

namespace smolvlm::eval {
namespace {

// list_to_dict(eval(line['choices'])): A, B, C, ... in list order.
Choices choices_from_list(const EvalRow& row) {
  const std::string& literal = required_row_field(row, "choices");
  const std::optional<std::vector<std::string>> items = parse_python_list(literal);
  if (!items) throw Error("row " + row.index, "'choices' is not a Python list literal: " + literal);
  if (items->size() > 26) throw Error("row " + row.index, "'choices' has more than 26 options");
  Choices choices;
  for (size_t i = 0; i < items->size(); ++i) choices.push_back({std::string(1, static_cast<char>('A' + i)), (*items)[i]});
  return choices;
}

MathVistaPrefetch multi_choice(const EvalRow& row, std::string_view prediction) {
  const Choices choices = choices_from_list(row);
  const std::string letter = can_infer(prediction, choices);
  if (letter.empty()) return {};
  // MathVista_acc: post_check(prefetch=False) runs can_infer again on the stored letter.
  const bool hit = can_infer(letter, choices) == required_row_field(row, "answer_option");
  return {letter, hit ? 1.0 : 0.0};
}

}  // namespace

MathVistaPrefetch mathvista_prefetch(const EvalRow& row, std::string_view prediction) {
  if (required_row_field(row, "question_type") == "multi_choice") return multi_choice(row, prediction);

  const std::string& answer_type = required_row_field(row, "answer_type");
  const std::string& answer = required_row_field(row, "answer");
  const std::u32string response = py::decode(prediction);
  if (answer_type == "integer") {
    // int(response) == int(answer); a ValueError on either side leaves them unequal.
    const std::optional<std::string> value = py::parse_int(response);
    const std::optional<std::string> expected = py::parse_int(py::decode(answer));
    if (!value || !expected || *value != *expected || *value == "0") return {};  // 0 is falsy: no prefetch
    return {*value, 1.0};
  }
  if (answer_type == "float") {
    const std::optional<double> value = py::parse_float(response);
    const std::optional<double> expected = py::parse_float(py::decode(answer));
    if (!value || !expected || *value != *expected || *value == 0.0) return {};  // NaN never equals; 0.0 is falsy
    return {python_float_repr(*value), 1.0};
  }
  // Text and list answers: post_check compares str(None) with the answer, so only
  // the literal answer "None" is ever prefetched.
  if (answer != "None") return {};
  return {std::string("None"), 1.0};
}

}  // namespace smolvlm::eval
