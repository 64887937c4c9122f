#include "eval/python_text.h"

#include <unicode/uchar.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <cerrno>
#include <cmath>
#include <clocale>
#include <cstdlib>
#include <locale.h>

#include "tokenizer/unicode.h"

namespace smolvlm::eval::py {
namespace {

icu::UnicodeString to_icu(std::u32string_view text) {
  return icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(text.data()),
                                       static_cast<int32_t>(text.size()));
}

std::u32string from_icu(const icu::UnicodeString& text) {
  std::u32string out;
  out.reserve(static_cast<size_t>(text.length()));
  for (int32_t i = 0; i < text.length();) {
    const UChar32 c = text.char32At(i);
    out.push_back(static_cast<char32_t>(c));
    i += U16_LENGTH(c);
  }
  return out;
}

char32_t ascii_lower(char32_t c) { return (c >= U'A' && c <= U'Z') ? c + 32 : c; }

bool equals_ignoring_ascii_case(std::u32string_view text, std::u32string_view lower_word) {
  if (text.size() != lower_word.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (ascii_lower(text[i]) != lower_word[i]) return false;
  }
  return true;
}

// The spaces int() and float() skip around a number: CPython's
// _PyUnicode_TransformDecimalAndSpaceToASCII turns non-ASCII whitespace into ' '
// but copies ASCII as is, and the parser then skips only " \t\n\v\f\r" (so
// U+001C..U+001F, spaces to str.split(), make the number invalid).
bool is_number_space(char32_t c) {
  if (c < 0x7F) return c == U' ' || (c >= U'\t' && c <= U'\r');
  return is_space(c);
}

// The rest of that transform: decimal digits of any script become ASCII; any
// other non-ASCII character makes the number invalid.
std::optional<std::string> to_ascii_number_text(std::u32string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && is_number_space(text[begin])) ++begin;
  while (end > begin && is_number_space(text[end - 1])) --end;
  const std::u32string_view stripped = text.substr(begin, end - begin);
  std::string ascii;
  ascii.reserve(stripped.size());
  for (char32_t c : stripped) {
    if (c < 0x80) {
      ascii += static_cast<char>(c);
    } else if (const int digit = decimal_digit_value(c); digit >= 0) {
      ascii += static_cast<char>('0' + digit);
    } else {
      return std::nullopt;
    }
  }
  return ascii;
}

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

// Consumes `digit (["_"] digit)*` at `pos`; appends the digits to `digits`.
// Returns false if there is no digit at `pos` or an underscore is not between digits.
bool consume_digit_part(const std::string& text, size_t& pos, std::string& digits) {
  if (pos >= text.size() || !is_ascii_digit(text[pos])) return false;
  while (pos < text.size()) {
    if (is_ascii_digit(text[pos])) {
      digits += text[pos++];
    } else if (text[pos] == '_' && pos + 1 < text.size() && is_ascii_digit(text[pos + 1])) {
      ++pos;
    } else {
      break;
    }
  }
  return true;
}

locale_t c_numeric_locale() {
  static const locale_t locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
  return locale;
}

}  // namespace

std::u32string decode(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  for (size_t pos = 0; pos < utf8.size();) {
    const tok::Utf8Step step = tok::step_utf8(utf8, pos);
    out.push_back(step.code_point);
    pos += step.length;
  }
  return out;
}

std::string encode(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) tok::append_utf8(out, c);
  return out;
}

bool is_space(char32_t c) {
  if (u_charType(static_cast<UChar32>(c)) == U_SPACE_SEPARATOR) return true;
  const UCharDirection direction = u_charDirection(static_cast<UChar32>(c));
  return direction == U_WHITE_SPACE_NEUTRAL || direction == U_BLOCK_SEPARATOR ||
         direction == U_SEGMENT_SEPARATOR;
}

int decimal_digit_value(char32_t c) {
  if (c >= U'0' && c <= U'9') return static_cast<int>(c - U'0');
  if (u_charType(static_cast<UChar32>(c)) != U_DECIMAL_DIGIT_NUMBER) return -1;
  return u_charDigitValue(static_cast<UChar32>(c));
}

bool is_decimal_digit(char32_t c) { return decimal_digit_value(c) >= 0; }

std::u32string lower(std::u32string_view text) {
  bool ascii = true;
  for (char32_t c : text) ascii = ascii && c < 0x80;
  if (ascii) {
    std::u32string out(text);
    for (char32_t& c : out) c = ascii_lower(c);
    return out;
  }
  icu::UnicodeString icu_text = to_icu(text);
  icu_text.toLower(icu::Locale::getRoot());
  return from_icu(icu_text);
}

std::u32string upper(std::u32string_view text) {
  icu::UnicodeString icu_text = to_icu(text);
  icu_text.toUpper(icu::Locale::getRoot());
  return from_icu(icu_text);
}

std::u32string strip(std::u32string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;
  return std::u32string(text.substr(begin, end - begin));
}

std::u32string strip_chars(std::u32string_view text, std::u32string_view chars) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && chars.find(text[begin]) != std::u32string_view::npos) ++begin;
  while (end > begin && chars.find(text[end - 1]) != std::u32string_view::npos) --end;
  return std::u32string(text.substr(begin, end - begin));
}

std::u32string rstrip_chars(std::u32string_view text, std::u32string_view chars) {
  size_t end = text.size();
  while (end > 0 && chars.find(text[end - 1]) != std::u32string_view::npos) --end;
  return std::u32string(text.substr(0, end));
}

std::vector<std::u32string> split(std::u32string_view text) {
  std::vector<std::u32string> parts;
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && is_space(text[pos])) ++pos;
    const size_t begin = pos;
    while (pos < text.size() && !is_space(text[pos])) ++pos;
    if (pos > begin) parts.emplace_back(text.substr(begin, pos - begin));
  }
  return parts;
}

std::u32string join(std::u32string_view separator, const std::vector<std::u32string>& parts) {
  std::u32string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

std::vector<std::u32string> split_on(std::u32string_view text, char32_t separator) {
  std::vector<std::u32string> parts;
  size_t begin = 0;
  for (size_t pos = 0; pos <= text.size(); ++pos) {
    if (pos == text.size() || text[pos] == separator) {
      parts.emplace_back(text.substr(begin, pos - begin));
      begin = pos + 1;
    }
  }
  return parts;
}

std::u32string replace_all(std::u32string_view text, std::u32string_view old_text,
                           std::u32string_view new_text) {
  std::u32string out;
  size_t pos = 0;
  while (true) {
    const size_t found = text.find(old_text, pos);
    if (found == std::u32string_view::npos || old_text.empty()) break;
    out += text.substr(pos, found - pos);
    out += new_text;
    pos = found + old_text.size();
  }
  out += text.substr(pos);
  return out;
}

bool contains(std::u32string_view haystack, std::u32string_view needle) {
  return haystack.find(needle) != std::u32string_view::npos;
}

std::optional<std::string> parse_int(std::u32string_view text) {
  const std::optional<std::string> ascii = to_ascii_number_text(text);
  if (!ascii) return std::nullopt;
  size_t pos = 0;
  bool negative = false;
  if (pos < ascii->size() && ((*ascii)[pos] == '+' || (*ascii)[pos] == '-')) negative = (*ascii)[pos++] == '-';
  std::string digits;
  if (!consume_digit_part(*ascii, pos, digits) || pos != ascii->size()) return std::nullopt;
  const size_t first_nonzero = digits.find_first_not_of('0');
  if (first_nonzero == std::string::npos) return std::string("0");
  std::string value = negative ? "-" : "";
  value.append(digits, first_nonzero);
  return value;
}

std::optional<double> parse_float(std::u32string_view text) {
  const std::optional<std::string> ascii = to_ascii_number_text(text);
  if (!ascii) return std::nullopt;
  size_t pos = 0;
  bool negative = false;
  if (pos < ascii->size() && ((*ascii)[pos] == '+' || (*ascii)[pos] == '-')) negative = (*ascii)[pos++] == '-';
  const std::u32string rest = decode(std::string_view(*ascii).substr(pos));
  if (equals_ignoring_ascii_case(rest, U"inf") || equals_ignoring_ascii_case(rest, U"infinity")) {
    return negative ? -HUGE_VAL : HUGE_VAL;
  }
  if (equals_ignoring_ascii_case(rest, U"nan")) return negative ? -NAN : NAN;

  std::string number = negative ? "-" : "";
  const bool has_integer_part = consume_digit_part(*ascii, pos, number);
  bool has_fraction_digits = false;
  if (pos < ascii->size() && (*ascii)[pos] == '.') {
    number += '.';
    ++pos;
    has_fraction_digits = consume_digit_part(*ascii, pos, number);
  }
  if (!has_integer_part && !has_fraction_digits) return std::nullopt;
  if (pos < ascii->size() && ((*ascii)[pos] == 'e' || (*ascii)[pos] == 'E')) {
    number += 'e';
    ++pos;
    if (pos < ascii->size() && ((*ascii)[pos] == '+' || (*ascii)[pos] == '-')) number += (*ascii)[pos++];
    if (!consume_digit_part(*ascii, pos, number)) return std::nullopt;
  }
  if (pos != ascii->size()) return std::nullopt;
  // The grammar is checked above; strtod_l in the "C" locale rounds correctly and
  // gives +-inf on overflow and 0 on underflow, as Python's float() does.
  return strtod_l(number.c_str(), nullptr, c_numeric_locale());
}

}  // namespace smolvlm::eval::py
