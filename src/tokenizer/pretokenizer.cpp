#include "tokenizer/pretokenizer.h"

#include "tokenizer/unicode.h"

namespace smolvlm::tok {

namespace {

enum class CharClass { kLetter, kNumber, kWhitespace, kOther };

CharClass classify(char32_t c) {
  if (is_letter(c)) return CharClass::kLetter;
  if (is_number(c)) return CharClass::kNumber;
  if (is_whitespace(c)) return CharClass::kWhitespace;
  return CharClass::kOther;
}

struct DecodedText {
  std::vector<char32_t> code_points;
  std::vector<CharClass> classes;
  std::vector<size_t> offsets;  // byte offset of each code point, plus the end
};

DecodedText decode(std::string_view text) {
  DecodedText decoded;
  decoded.code_points.reserve(text.size());
  decoded.classes.reserve(text.size());
  decoded.offsets.reserve(text.size() + 1);
  for (size_t pos = 0; pos < text.size();) {
    const Utf8Step step = step_utf8(text, pos);
    decoded.code_points.push_back(step.code_point);
    decoded.classes.push_back(classify(step.code_point));
    decoded.offsets.push_back(pos);
    pos += step.length;
  }
  decoded.offsets.push_back(text.size());
  return decoded;
}

size_t contraction_length(const std::vector<char32_t>& cps, size_t i) {
  const size_t n = cps.size();
  if (cps[i] != U'\'' || i + 1 >= n) return 0;
  const char32_t first = cps[i + 1];
  if (first == U's' || first == U't' || first == U'm' || first == U'd') return 2;
  if (i + 2 >= n) return 0;
  const char32_t second = cps[i + 2];
  if ((first == U'r' || first == U'v') && second == U'e') return 3;
  if (first == U'l' && second == U'l') return 3;
  return 0;
}

// Length in code points of the pattern's match starting at `i`. The
// alternatives are tried in order, as a backtracking engine does; the
// letter/number/other classes are disjoint, so the first non-space character
// decides which of the ` ?X+` branches can match.
size_t gpt2_match_length(const DecodedText& text, size_t i) {
  const auto& cps = text.code_points;
  const auto& classes = text.classes;
  const size_t n = cps.size();
  if (const size_t length = contraction_length(cps, i)) return length;

  size_t run_start = i;
  if (cps[i] == U' ' && i + 1 < n && classes[i + 1] != CharClass::kWhitespace) run_start = i + 1;
  const CharClass run_class = classes[run_start];
  if (run_class != CharClass::kWhitespace) {
    size_t end = run_start + 1;
    while (end < n && classes[end] == run_class) ++end;
    return end - i;
  }

  size_t end = i + 1;
  while (end < n && classes[end] == CharClass::kWhitespace) ++end;
  // `\s+(?!\S)` backs off one character so the last space can prefix the
  // next word; a lone space before a word falls through to `\s+`.
  if (end == n) return end - i;
  return end - i >= 2 ? end - i - 1 : 1;
}

}  // namespace

std::vector<std::string_view> split_gpt2_words(std::string_view text) {
  const DecodedText decoded = decode(text);
  std::vector<std::string_view> words;
  for (size_t i = 0; i < decoded.code_points.size();) {
    const size_t length = gpt2_match_length(decoded, i);
    const size_t begin = decoded.offsets[i];
    words.push_back(text.substr(begin, decoded.offsets[i + length] - begin));
    i += length;
  }
  return words;
}

std::vector<std::string_view> split_numbers(std::string_view text, bool individual_digits) {
  std::vector<std::string_view> words;
  size_t word_start = 0;
  bool word_is_number = false;
  for (size_t pos = 0; pos < text.size();) {
    const Utf8Step step = step_utf8(text, pos);
    const bool numeric = is_number(step.code_point);
    const bool boundary = pos > word_start && (numeric != word_is_number || (numeric && individual_digits));
    if (boundary) {
      words.push_back(text.substr(word_start, pos - word_start));
      word_start = pos;
    }
    word_is_number = numeric;
    pos += step.length;
  }
  if (word_start < text.size()) words.push_back(text.substr(word_start));
  return words;
}

std::vector<std::string> PreTokenizer::split(std::string_view text) const {
  std::vector<std::string> words;
  if (text.empty()) return words;
  words.emplace_back(text);
  for (const PreTokenizerStep& step : steps_) {
    std::vector<std::string> next;
    next.reserve(words.size());
    for (std::string& word : words) {
      std::vector<std::string_view> parts;
      if (const auto* digits = std::get_if<DigitsStep>(&step)) {
        parts = split_numbers(word, digits->individual_digits);
      } else {
        const auto& byte_level = std::get<ByteLevelStep>(step);
        if (byte_level.add_prefix_space && !word.starts_with(' ')) word.insert(word.begin(), ' ');
        if (byte_level.use_regex) {
          parts = split_gpt2_words(word);
        } else {
          parts.push_back(word);
        }
      }
      for (std::string_view part : parts) next.emplace_back(part);
    }
    words = std::move(next);
  }
  return words;
}

}  // namespace smolvlm::tok
