#include "eval/videomme_extract.h"

#include <array>
#include <vector>

#include "core/error.h"
#include "eval/multiple_choice.h"
#include "eval/python_literal.h"
#include "eval/python_text.h"

namespace smolvlm::eval {
namespace {

// utils/videomme.py answer_prefixes, with the implicit concatenations of the
// two missing commas spelled out.
constexpr std::array<std::u32string_view, 8> kAnswerPrefixes{
    U"The best answer is",
    U"The correct answer is",
    U"The answer is",
    U"The answer",
    U"The best option isThe correct option is",
    U"Best answer:Best option:",
    U"Answer:",
    U"Option:",
};

bool is_abcd(char32_t c) { return c >= U'A' && c <= U'D'; }

// extract_option: options from question lines 2.., the k-th line giving letter
// 'A' + k when it contains "<letter>." (its text is what follows, .strip('. \n')).
Choices options_from_question(std::u32string_view question) {
  std::vector<std::u32string> lines = py::split_on(question, U'\n');
  Choices choices;
  for (size_t id = 1; id < lines.size() && id - 1 < 26; ++id) {
    const char letter = static_cast<char>('A' + (id - 1));
    const std::u32string option_id = {static_cast<char32_t>(letter), U'.'};
    const size_t found = lines[id].find(option_id);
    if (found == std::u32string::npos) continue;
    const std::u32string text = py::strip_chars(std::u32string_view(lines[id]).substr(found + option_id.size()), U". \n");
    // build_choices drops NaN only; an empty option text stays a choice.
    choices.push_back({std::string(1, letter), py::encode(text)});
  }
  return choices;
}

std::u32string question_as_prompted(const EvalRow& row) {
  const auto question = row.fields.find("question");
  std::u32string text = question == row.fields.end() ? U"" : py::decode(question->second);
  const auto candidates = row.fields.find("candidates");
  if (candidates == row.fields.end()) return text;
  const std::optional<std::vector<std::string>> items = parse_python_list(candidates->second);
  if (!items) throw Error("row " + row.index, "'candidates' is not a Python list literal: " + candidates->second);
  for (const std::string& item : *items) {
    text += U'\n';
    text += py::decode(item);
  }
  return text;
}

}  // namespace

std::string videomme_regex_letter(std::string_view prediction) {
  std::u32string text = py::strip(py::decode(prediction));
  for (std::u32string_view prefix : kAnswerPrefixes) text = py::replace_all(text, prefix, U"");
  for (char32_t c : text) {
    if (is_abcd(c)) return std::string(1, static_cast<char>(c));
  }
  return "";  // no capital A-D at all (the >10 words rule also gives '' then)
}

VideoMmeScore score_videomme(const EvalRow& row, std::string_view prediction) {
  const std::string& answer = required_row_field(row, "answer");
  VideoMmeScore result;
  result.regex_letter = videomme_regex_letter(prediction);
  if (!result.regex_letter.empty()) {
    result.extracted = result.regex_letter;
  } else {
    // extract_answer_from_item(model=None): can_infer, else 'Z'.
    result.extracted = can_infer(prediction, options_from_question(question_as_prompted(row)));
    if (result.extracted.empty()) result.extracted.push_back('Z');
  }
  result.score = result.extracted == answer ? 1.0 : 0.0;
  return result;
}

}  // namespace smolvlm::eval
