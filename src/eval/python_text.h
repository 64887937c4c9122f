// Python 3 `str` semantics the VLMEvalKit scorers rely on, on code-point strings
// (std::u32string, like Python's str: len() and indices count code points).
// Character properties and case mappings come from ICU, so `'ß'.upper()` is
// "SS", `'İ'.lower()` is two code points and `split()` breaks on every
// character Python's str.isspace() accepts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smolvlm::eval::py {

// UTF-8 <-> code points; ill-formed UTF-8 becomes U+FFFD (the text a Python
// reader would have had to decode with errors="replace").
std::u32string decode(std::string_view utf8);
std::string encode(std::u32string_view text);

// str.isspace(): general category Zs, or bidirectional class WS, B or S
// (so U+001C..U+001F and U+0085 are spaces, U+200B is not).
bool is_space(char32_t c);
// The value of a decimal digit (general category Nd: '7', '٧', '７'), else -1;
// what int(), float() and the regex class \d accept.
int decimal_digit_value(char32_t c);
bool is_decimal_digit(char32_t c);

std::u32string lower(std::u32string_view text);  // str.lower(): full mappings, final sigma
std::u32string upper(std::u32string_view text);  // str.upper(): full mappings ('ß' -> "SS")

std::u32string strip(std::u32string_view text);  // str.strip(): whitespace at both ends
std::u32string strip_chars(std::u32string_view text, std::u32string_view chars);   // str.strip(chars)
std::u32string rstrip_chars(std::u32string_view text, std::u32string_view chars);  // str.rstrip(chars)

std::vector<std::u32string> split(std::u32string_view text);  // str.split(): runs of whitespace
std::u32string join(std::u32string_view separator, const std::vector<std::u32string>& parts);
std::vector<std::u32string> split_on(std::u32string_view text, char32_t separator);  // str.split('\n')

// str.replace(old, new) for every occurrence, left to right (old non-empty).
std::u32string replace_all(std::u32string_view text, std::u32string_view old_text, std::u32string_view new_text);
bool contains(std::u32string_view haystack, std::u32string_view needle);  // `needle in haystack`

// int(text) in base 10: surrounding whitespace, one sign, Unicode decimal digits,
// single underscores between digits, leading zeros ("+014", "1_4", "١٤" are 14).
// Returns the value as canonical decimal text ("-12", "0"; no size limit), or
// nullopt where Python raises ValueError.
std::optional<std::string> parse_int(std::u32string_view text);

// float(text): as parse_int plus a fraction and exponent ("1e3", ".5", "5."),
// and "inf"/"infinity"/"nan" in any case with a sign; overflow gives inf.
std::optional<double> parse_float(std::u32string_view text);

}  // namespace smolvlm::eval::py
