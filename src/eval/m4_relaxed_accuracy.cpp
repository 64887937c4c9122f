#include "eval/m4_relaxed_accuracy.h"

#include <array>
#include <cmath>
#include <utility>

#include "eval/python_text.h"

namespace smolvlm::eval {

std::optional<double> m4_convert_to_number(std::u32string_view text) {
  // NUMBER_WORD_TO_NUMBER_INT, in its dict order ("ten" is not there).
  static constexpr std::array<std::pair<std::u32string_view, std::u32string_view>, 10> kNumberWords{{
      {U"one", U"1"}, {U"two", U"2"}, {U"three", U"3"}, {U"four", U"4"}, {U"five", U"5"},
      {U"six", U"6"}, {U"seven", U"7"}, {U"eight", U"8"}, {U"nine", U"9"}, {U"zero", U"0"},
  }};
  std::u32string number = py::lower(text);
  for (const auto& [word, digit] : kNumberWords) number = py::replace_all(number, word, digit);
  return py::parse_float(py::replace_all(number, U",", U""));
}

double m4_relaxed_accuracy(const std::vector<std::string>& answers, std::string_view prediction) {
  const std::u32string generated = py::strip_chars(py::decode(prediction), U".");
  const std::optional<double> generated_value = m4_convert_to_number(generated);
  bool correct = false;
  for (const std::string& answer_text : answers) {
    const std::u32string answer = py::strip_chars(py::decode(answer_text), U".");
    const std::optional<double> answer_value = m4_convert_to_number(answer);
    if (answer_value) {
      if (generated_value) {
        if (*answer_value != 0.0) {
          correct = std::fabs(*generated_value - *answer_value) / *answer_value < 0.05 || correct;
        } else {
          correct = *generated_value == *answer_value;
        }
        break;
      }
    } else if (generated == answer) {
      correct = true;
    }
  }
  return correct ? 1.0 : 0.0;
}

}  // namespace smolvlm::eval
