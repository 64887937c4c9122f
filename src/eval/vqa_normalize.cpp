#include "eval/vqa_normalize.h"

#include <map>
#include <vector>

#include "eval/python_text.h"

namespace smolvlm::eval {
namespace {

constexpr std::u32string_view kPunctuation = U";/[]\"{}()=+\\_-><@`,?!";

// re.sub's `count` argument; process_punctuation passes re.UNICODE (== 32) there.
constexpr size_t kPeriodStripCount = 32;

// re.search(r'(\d)(,)(\d)', text): a comma between two Unicode decimal digits.
bool has_digit_comma_digit(std::u32string_view text) {
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    if (text[i] == U',' && py::is_decimal_digit(text[i - 1]) && py::is_decimal_digit(text[i + 1])) return true;
  }
  return false;
}

}  // namespace

const std::map<std::u32string, std::u32string>& vqa_number_words() {
  static const std::map<std::u32string, std::u32string> table{
      {U"none", U"0"}, {U"zero", U"0"}, {U"one", U"1"}, {U"two", U"2"}, {U"three", U"3"}, {U"four", U"4"},
      {U"five", U"5"}, {U"six", U"6"},  {U"seven", U"7"}, {U"eight", U"8"}, {U"nine", U"9"}, {U"ten", U"10"},
  };
  return table;
}

// vqa_eval.py `contractions`, verbatim (including the keys that can never match).
const std::map<std::u32string, std::u32string>& vqa_contractions() {
  static const std::map<std::u32string, std::u32string> table{
#include "eval/vqa_contractions.inc"
  };
  return table;
}

std::u32string vlmeval_process_punctuation(std::u32string_view text, PeriodRule period_rule) {
  const bool digit_comma = has_digit_comma_digit(text);
  std::u32string spaced;
  spaced.reserve(text.size());
  for (char32_t c : text) {
    if (kPunctuation.find(c) == std::u32string_view::npos) {
      spaced += c;
      continue;
    }
    const std::u32string with_space_after{c, U' '};
    const std::u32string with_space_before{U' ', c};
    const bool remove = py::contains(text, with_space_after) || py::contains(text, with_space_before) || digit_comma;
    if (!remove) spaced += U' ';
  }
  // periodStrip, applied to the first kPeriodStripCount matches.
  std::u32string out;
  out.reserve(spaced.size());
  size_t removed = 0;
  for (size_t i = 0; i < spaced.size(); ++i) {
    const bool digit_before = i > 0 && py::is_decimal_digit(spaced[i - 1]);
    const bool digit_after = i + 1 < spaced.size() && py::is_decimal_digit(spaced[i + 1]);
    const bool lone_period =
        spaced[i] == U'.' && !digit_after && (period_rule == PeriodRule::NotFollowedByDigit || !digit_before);
    if (lone_period && removed < kPeriodStripCount) {
      ++removed;
      continue;
    }
    out += spaced[i];
  }
  return out;
}

std::u32string vlmeval_process_digit_article(std::u32string_view text) {
  std::vector<std::u32string> words;
  for (std::u32string& word : py::split(py::lower(text))) {
    if (const auto number = vqa_number_words().find(word); number != vqa_number_words().end()) word = number->second;
    if (word != U"a" && word != U"an" && word != U"the") words.push_back(std::move(word));
  }
  for (std::u32string& word : words) {
    if (const auto expanded = vqa_contractions().find(word); expanded != vqa_contractions().end()) word = expanded->second;
  }
  return py::join(U" ", words);
}

std::u32string vlmeval_process_answer(std::u32string_view text) {
  std::u32string answer = py::replace_all(py::replace_all(text, U"\n", U" "), U"\t", U" ");
  answer = py::strip(answer);
  return vlmeval_process_digit_article(vlmeval_process_punctuation(answer));
}

}  // namespace smolvlm::eval
