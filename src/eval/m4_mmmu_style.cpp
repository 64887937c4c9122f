#include "eval/m4_mmmu_style.h"

#include <unicode/uchar.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "eval/m4_relaxed_accuracy.h"
#include "eval/python_text.h"

namespace smolvlm::eval {
namespace {

// Python's round(x, 2): the correctly rounded decimal, which glibc's printf gives.
double python_round_2(double value) {
  if (!std::isfinite(value)) return value;
  char text[512];
  std::snprintf(text, sizeof text, "%.2f", value);
  return std::strtod(text, nullptr);
}

// re's \w for str patterns: str.isalnum() or '_'.
bool is_word_char(char32_t c) {
  if (c == U'_') return true;
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_UPPERCASE_LETTER: case U_LOWERCASE_LETTER: case U_TITLECASE_LETTER: case U_MODIFIER_LETTER:
    case U_OTHER_LETTER: case U_DECIMAL_DIGIT_NUMBER: case U_LETTER_NUMBER: case U_OTHER_NUMBER:
      return true;
    default:
      return false;
  }
}

bool is_boundary(std::u32string_view text, size_t pos) {
  const bool word_before = pos > 0 && is_word_char(text[pos - 1]);
  const bool word_after = pos < text.size() && is_word_char(text[pos]);
  return word_before != word_after;
}

bool digit_at(std::u32string_view text, size_t pos) { return pos < text.size() && py::is_decimal_digit(text[pos]); }

size_t digit_run(std::u32string_view text, size_t pos) {
  size_t end = pos;
  while (digit_at(text, end)) ++end;
  return end - pos;
}

// A matcher tries the pattern at `start` and returns the end of the match, or npos.
using Matcher = size_t (*)(std::u32string_view, size_t);

// -?\b\d{1,3}(?:,\d{3})+\b
size_t match_comma_grouped(std::u32string_view text, size_t start) {
  const size_t after_sign = start + (text[start] == U'-' ? 1 : 0);
  if (!is_boundary(text, after_sign)) return std::u32string_view::npos;
  const size_t lead = std::min<size_t>(3, digit_run(text, after_sign));
  for (size_t lead_digits = lead; lead_digits >= 1; --lead_digits) {
    std::vector<size_t> group_ends;
    size_t pos = after_sign + lead_digits;
    while (pos < text.size() && text[pos] == U',' && digit_run(text, pos + 1) >= 3) {
      pos += 4;
      group_ends.push_back(pos);
    }
    for (size_t groups = group_ends.size(); groups >= 1; --groups) {  // backtrack the + repetition
      if (is_boundary(text, group_ends[groups - 1])) return group_ends[groups - 1];
    }
  }
  return std::u32string_view::npos;
}

// -?\d+(?:\.\d+)?[eE][+-]?\d+ (only whole digit runs can be followed by what follows them)
size_t match_scientific(std::u32string_view text, size_t start) {
  size_t pos = start + (text[start] == U'-' ? 1 : 0);
  const size_t mantissa = digit_run(text, pos);
  if (mantissa == 0) return std::u32string_view::npos;
  pos += mantissa;
  if (pos < text.size() && text[pos] == U'.' && digit_run(text, pos + 1) > 0) pos += 1 + digit_run(text, pos + 1);
  if (pos >= text.size() || (text[pos] != U'e' && text[pos] != U'E')) return std::u32string_view::npos;
  ++pos;
  if (pos < text.size() && (text[pos] == U'+' || text[pos] == U'-') && digit_at(text, pos + 1)) ++pos;
  const size_t exponent = digit_run(text, pos);
  return exponent == 0 ? std::u32string_view::npos : pos + exponent;
}

// (?![eE][+-]?\d+)(?![,\d]) at `pos`.
bool simple_number_may_end(std::u32string_view text, size_t pos) {
  if (pos >= text.size()) return true;
  const char32_t c = text[pos];
  if (c == U',' || py::is_decimal_digit(c)) return false;
  if (c == U'e' || c == U'E') {
    const size_t sign = (pos + 1 < text.size() && (text[pos + 1] == U'+' || text[pos + 1] == U'-')) ? 1 : 0;
    if (digit_at(text, pos + 1 + sign)) return false;
  }
  return true;
}

// -?(?:\d+\.\d+|\.\d+|\d+\b)(?![eE][+-]?\d+)(?![,\d]); a shorter digit run would leave a
// digit next, which (?![,\d]) or \b rejects, so only whole runs can match.
size_t match_simple(std::u32string_view text, size_t start) {
  const size_t pos = start + (text[start] == U'-' ? 1 : 0);
  const size_t integer = digit_run(text, pos);
  if (integer > 0 && pos + integer < text.size() && text[pos + integer] == U'.') {
    const size_t fraction = digit_run(text, pos + integer + 1);
    const size_t end = pos + integer + 1 + fraction;
    if (fraction > 0 && simple_number_may_end(text, end)) return end;
  }
  if (pos < text.size() && text[pos] == U'.') {
    const size_t fraction = digit_run(text, pos + 1);
    if (fraction > 0 && simple_number_may_end(text, pos + 1 + fraction)) return pos + 1 + fraction;
  }
  if (integer > 0 && is_boundary(text, pos + integer) && simple_number_may_end(text, pos + integer)) {
    return pos + integer;
  }
  return std::u32string_view::npos;
}

void find_all(std::u32string_view text, Matcher matcher, std::vector<std::u32string>& found) {
  for (size_t start = 0; start < text.size();) {
    const size_t end = matcher(text, start);
    if (end == std::u32string_view::npos) {
      ++start;
    } else {
      found.emplace_back(text.substr(start, end - start));
      start = end;
    }
  }
}

// get_key_subresponses: per line, the shortest non-trivial tail after an indicator.
std::vector<std::u32string> key_subresponses(std::u32string_view text) {
  const std::u32string response = py::lower(py::strip_chars(py::strip(text), U"."));
  // re.split(r"\.\s(?=[A-Z])|\n", ...) on lower-cased text: [A-Z] never follows, so lines.
  const std::vector<std::u32string> lines = py::split_on(response, U'\n');
  std::vector<std::u32string_view> indicators{U"could be ", U"so ",    U"is ",    U"thus ",   U"therefore ",
                                              U"final ",    U"answer ", U"result ", U"answer: "};
  std::vector<std::u32string> keys;
  for (size_t index = 0; index < lines.size(); ++index) {
    if (index + 1 == lines.size()) indicators.push_back(U"=");  // an equation may end the last line
    std::u32string shortest;
    for (std::u32string_view indicator : indicators) {
      const size_t last = lines[index].rfind(indicator);
      if (last == std::u32string::npos) continue;
      std::u32string tail = py::strip(std::u32string_view(lines[index]).substr(last + indicator.size()));
      if (shortest.empty() || tail.size() < shortest.size()) shortest = std::move(tail);  // '' is falsy
    }
    static constexpr std::array<std::u32string_view, 7> kTrivial{U":", U",", U".", U"!", U"?", U";", U"'"};
    const std::u32string stripped = py::strip(shortest);
    bool trivial = false;
    for (std::u32string_view t : kTrivial) trivial = trivial || stripped == t;
    if (!shortest.empty() && !trivial) keys.push_back(shortest);
  }
  if (keys.empty()) return {response};
  return keys;
}

}  // namespace

MmmuValue m4_normalize_str_mmmu(std::u32string_view text) {
  std::u32string value = py::strip(text);
  if (value.rfind(U"Answer: ", 0) == 0) value = py::replace_all(value, U"Answer: ", U"");
  if (const std::optional<double> number = m4_convert_to_number(value)) return python_round_2(*number);
  return py::lower(value);
}

std::vector<std::u32string> m4_extract_numbers_mmmu(std::u32string_view text) {
  std::vector<std::u32string> numbers;
  find_all(text, match_comma_grouped, numbers);
  find_all(text, match_scientific, numbers);
  find_all(text, match_simple, numbers);
  return numbers;
}

std::vector<MmmuValue> m4_parse_open_response_mmmu(std::u32string_view response) {
  const std::vector<std::u32string> keys = key_subresponses(response);
  std::vector<std::u32string> predictions = keys;
  for (const std::u32string& key : keys) {
    for (std::u32string& number : m4_extract_numbers_mmmu(key)) predictions.push_back(std::move(number));
  }
  std::vector<MmmuValue> values;
  for (const std::u32string& prediction : predictions) values.push_back(m4_normalize_str_mmmu(prediction));
  return values;  // (the reference dedupes with set(); only membership matters)
}

double m4_mmmu_style_accuracy(const std::vector<std::string>& answers, std::string_view prediction, bool accept_mcq) {
  static constexpr std::u32string_view kMcqLetters = U"ABCDEFGHI";
  const std::u32string generated = py::decode(prediction);
  const std::u32string first_answer = answers.empty() ? U"" : py::decode(answers[0]);
  const bool is_mcq = accept_mcq && first_answer.size() == 1 && kMcqLetters.find(first_answer[0]) != std::u32string_view::npos;
  const std::vector<MmmuValue> candidates =
      is_mcq ? std::vector<MmmuValue>{m4_normalize_str_mmmu(generated)} : m4_parse_open_response_mmmu(generated);
  for (const std::string& answer_text : answers) {
    const MmmuValue answer = m4_normalize_str_mmmu(py::decode(answer_text));
    for (const MmmuValue& candidate : candidates) {
      if (std::holds_alternative<std::u32string>(answer) && std::holds_alternative<std::u32string>(candidate)) {
        const auto& answer_string = std::get<std::u32string>(answer);
        const auto& candidate_string = std::get<std::u32string>(candidate);
        // (the reference's `elif answer in candidate` runs for multiple choice too, so
        // containment decides either way)
        if ((is_mcq && candidate_string == answer_string) || py::contains(candidate_string, answer_string)) return 1.0;
      } else if (std::holds_alternative<double>(answer) && std::holds_alternative<double>(candidate) &&
                 std::get<double>(answer) == std::get<double>(candidate)) {
        return 1.0;
      }
    }
  }
  return 0.0;
}

}  // namespace smolvlm::eval
