#include "train/python_strip.h"

#include <cstdint>

namespace smolvlm::train {
namespace {

// str.isspace(): Unicode White_Space plus the bidi classes B and S
// (U+001C..U+001F), as CPython's _PyUnicode_IsWhitespace lists them.
bool is_python_space(uint32_t c) {
  if (c <= 0x20) return c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

// The code point starting at text[i] and its length; invalid bytes count as
// one non-space unit, so they are never stripped.
uint32_t code_point_at(std::string_view text, size_t i, size_t& length) {
  const auto b = static_cast<unsigned char>(text[i]);
  length = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
  if (length == 0 || i + length > text.size()) {
    length = 1;
    return 0xFFFFFFFF;
  }
  uint32_t c = length == 1 ? b : b & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) {
    const auto cont = static_cast<unsigned char>(text[i + k]);
    if ((cont & 0xC0) != 0x80) {
      length = 1;
      return 0xFFFFFFFF;
    }
    c = (c << 6) | (cont & 0x3F);
  }
  return c;
}

// The start of the code point that ends at text[end - 1].
size_t previous_start(std::string_view text, size_t end) {
  size_t i = end - 1;
  while (i > 0 && end - i < 4 && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) --i;
  return i;
}

}  // namespace

StrippedRange python_strip_range(std::string_view text) {
  size_t begin = 0;
  size_t length = 0;
  while (begin < text.size() && is_python_space(code_point_at(text, begin, length))) begin += length;
  size_t end = text.size();
  while (end > begin) {
    const size_t start = previous_start(text, end);
    if (!is_python_space(code_point_at(text, start, length)) || start + length != end) break;
    end = start;
  }
  return {begin, end};
}

}  // namespace smolvlm::train
