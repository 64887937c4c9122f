#include "eval/multiple_choice.h"

#include <unicode/uchar.h>

#include <array>

#include "core/error.h"
#include "eval/python_text.h"

namespace smolvlm::eval {
namespace {

constexpr std::array<std::u32string_view, 4> kRefusals{
    U"Sorry, I can't help with images of people yet.", U"I can't process this file.",
    U"I'm sorry, but without the image provided", U"Cannot determine the answer"};

constexpr std::u32string_view kSplitPunctuation = U".()[],:;!*#{}";

// One character of the pattern under re.IGNORECASE: Python's sre compares the
// simple lower case of the text character ('K' U+212A and 'İ' U+0130 match too),
// and also folds 'ı' (U+0131) with 'i' and 'ſ' (U+017F) with 's', which share
// their upper case.
bool matches_ignoring_case(char32_t text_char, char32_t pattern_lower) {
  if (static_cast<char32_t>(u_tolower(static_cast<UChar32>(text_char))) == pattern_lower) return true;
  return (text_char == 0x131 && pattern_lower == U'i') || (text_char == 0x17F && pattern_lower == U's');
}

bool match_word(std::u32string_view text, size_t& pos, std::u32string_view lower_word) {
  for (char32_t c : lower_word) {
    if (pos >= text.size() || !matches_ignoring_case(text[pos], c)) return false;
    ++pos;
  }
  return true;
}

bool match_spaces(std::u32string_view text, size_t& pos) {
  const size_t begin = pos;
  while (pos < text.size() && py::is_space(text[pos])) ++pos;
  return pos > begin;
}

// _VERBOSE_ANSWER_RE = (?i)(?:correct\s+)?answer\s+is\s+\**([ABCD])\**, searched:
// the letter of the leftmost match, upper-cased, or 0. (The optional "correct"
// prefix never changes which letter the leftmost match captures.)
char32_t verbose_answer_letter(std::u32string_view text) {
  for (size_t start = 0; start < text.size(); ++start) {
    size_t pos = start;
    if (!match_word(text, pos, U"answer") || !match_spaces(text, pos)) continue;
    if (!match_word(text, pos, U"is") || !match_spaces(text, pos)) continue;
    while (pos < text.size() && text[pos] == U'*') ++pos;
    if (pos < text.size()) {
      const char32_t c = text[pos];
      if (c >= U'A' && c <= U'D') return c;
      if (c >= U'a' && c <= U'd') return c - 32;
    }
  }
  return 0;
}

bool has_choice(const Choices& choices, std::u32string_view letter) {
  for (const Choice& choice : choices) {
    if (py::decode(choice.letter) == letter) return true;
  }
  return false;
}

long index_of(const std::vector<std::u32string>& tokens, std::u32string_view token) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i] == token) return static_cast<long>(i);
  }
  return -1;
}

}  // namespace

std::string can_infer_option(std::string_view answer_utf8, const Choices& choices) {
  const std::u32string answer = py::decode(answer_utf8);
  if (py::contains(answer, U"Failed to obtain answer via API")) return "";
  for (std::u32string_view refusal : kRefusals) {
    if (py::contains(answer, refusal)) return "Z";
  }
  std::u32string spaced = answer;
  for (char32_t& c : spaced) {
    if (kSplitPunctuation.find(c) != std::u32string_view::npos) c = U' ';
  }
  const std::vector<std::u32string> tokens = py::split(spaced);
  size_t count = 0;
  for (const Choice& choice : choices) count += index_of(tokens, py::decode(choice.letter)) >= 0 ? 1 : 0;

  if (count == 1) {
    // Only a letter among the last four tokens counts ("B because A is wrong" fails).
    for (const Choice& choice : choices) {
      const long index = index_of(tokens, py::decode(choice.letter));
      if (index >= 0 && index > static_cast<long>(tokens.size()) - 5) return choice.letter;
    }
  } else if (count == 0 && index_of(tokens, U"Z") >= 0) {
    return "Z";
  }
  const char32_t letter = verbose_answer_letter(answer);
  if (letter != 0 && has_choice(choices, std::u32string(1, letter))) return py::encode(std::u32string(1, letter));
  return "";
}

std::string can_infer_text(std::string_view answer_utf8, const Choices& choices) {
  const std::u32string answer = py::lower(py::decode(answer_utf8));
  size_t total_option_length = 0;  // len(str(v)) of the options before lower-casing
  for (const Choice& choice : choices) total_option_length += py::decode(choice.text).size();
  if (answer.size() > 2 * total_option_length) return "";
  std::string found;
  size_t candidates = 0;
  for (const Choice& choice : choices) {
    if (py::contains(answer, py::lower(py::decode(choice.text)))) {
      ++candidates;
      found = choice.letter;
    }
  }
  return candidates == 1 ? found : "";
}

std::string can_infer(std::string_view answer, const Choices& choices) {
  std::string letter = can_infer_option(answer, choices);
  return letter.empty() ? can_infer_text(answer, choices) : letter;
}

Choices choices_from_row(const EvalRow& row) {
  Choices choices;
  for (char letter = 'A'; letter <= 'Z'; ++letter) {
    const auto field = row.fields.find(std::string(1, letter));
    if (field != row.fields.end() && !field->second.empty()) choices.push_back({std::string(1, letter), field->second});
  }
  return choices;
}

namespace {

MultipleChoiceScore score_against(const Choices& choices, std::string ground_truth, std::string_view prediction) {
  MultipleChoiceScore result;
  result.extracted = can_infer(prediction, choices);
  if (result.extracted.empty()) result.extracted.push_back('Z');
  result.ground_truth = std::move(ground_truth);
  result.score = result.extracted == result.ground_truth ? 1.0 : 0.0;
  return result;
}

}  // namespace

MultipleChoiceScore score_multiple_choice(const EvalRow& row, std::string_view prediction) {
  return score_against(choices_from_row(row), required_row_field(row, "answer"), prediction);
}

MultipleChoiceScore score_mmmu(const EvalRow& row, std::string_view prediction) {
  const std::string& answer = required_row_field(row, "answer");
  EvalRow preprocessed = row;
  const auto option_a = row.fields.find("A");
  if (option_a == row.fields.end() || option_a->second.empty()) {
    preprocessed.fields["A"] = answer;
    preprocessed.fields["B"] = "Other Answers";
  }
  const bool letter_answer = answer.size() == 1 && answer[0] >= 'A' && answer[0] <= 'Z';
  return score_against(choices_from_row(preprocessed), letter_answer ? answer : "A", prediction);
}

}  // namespace smolvlm::eval
