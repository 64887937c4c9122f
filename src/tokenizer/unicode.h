// UTF-8 stepping and the Unicode character classes the tokenizer's regexes
// use, with the same meaning as in Rust's `regex` / Oniguruma (\s, \w,
// \p{L}, \p{N}), taken from ICU so they follow the Unicode tables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smolvlm::tok {

struct Utf8Step {
  char32_t code_point;  // U+FFFD when !valid
  size_t length;        // bytes consumed; for invalid input, the maximal invalid subpart (>= 1)
  bool valid;
};

// Decodes the sequence starting at `pos` (< text.size()).
Utf8Step step_utf8(std::string_view text, size_t pos);

// Byte offset of the first ill-formed sequence, or nullopt when `text` is valid UTF-8.
std::optional<size_t> find_invalid_utf8(std::string_view text);

void append_utf8(std::string& out, char32_t code_point);

// Replaces each maximal invalid subpart with U+FFFD, exactly like Rust's
// String::from_utf8_lossy (which is what HF decoders return).
std::string utf8_lossy(std::string_view bytes);

bool is_letter(char32_t c);      // \p{L}
bool is_number(char32_t c);      // \p{N}; also Rust's char::is_numeric
bool is_whitespace(char32_t c);  // \s: the White_Space property
bool is_word_char(char32_t c);   // \w: Alphabetic, marks, Nd, Pc, Join_Control

}  // namespace smolvlm::tok
