#include "eval/python_literal.h"

#include <unicode/uchar.h>

#include <charconv>
#include <cmath>
#include <cstdio>

#include "eval/python_text.h"
#include "eval/scoring.h"

namespace smolvlm::eval {
namespace {

// A hand-written reader for the subset of Python expressions that answer columns
// hold: one list display of literals. Works on code points.
class LiteralReader {
 public:
  explicit LiteralReader(std::u32string_view text) : text_(text) {}

  // nullopt = not a list literal (eval would fail or return a non-list).
  std::optional<std::vector<std::string>> read_list() {
    skip_blanks();
    if (!consume(U'[')) return std::nullopt;
    std::vector<std::string> items;
    skip_blanks();
    if (consume(U']')) return finish(items);
    while (true) {
      std::optional<std::string> item = read_item();
      if (!item) return std::nullopt;
      items.push_back(std::move(*item));
      skip_blanks();
      if (consume(U']')) return finish(items);
      if (!consume(U',')) return std::nullopt;
      skip_blanks();
      if (consume(U']')) return finish(items);  // trailing comma
    }
  }

 private:
  std::optional<std::vector<std::string>> finish(std::vector<std::string>& items) {
    skip_blanks();
    if (pos_ != text_.size()) return std::nullopt;
    return std::move(items);
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char32_t peek(size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : 0; }
  bool consume(char32_t c) {
    if (peek() != c || at_end()) return false;
    ++pos_;
    return true;
  }
  // Spaces, tabs, form feeds, newlines and line continuations between tokens
  // (inside brackets Python joins lines); comments run to the end of the line.
  void skip_blanks() {
    while (!at_end()) {
      const char32_t c = peek();
      if (c == U' ' || c == U'\t' || c == U'\f' || c == U'\n' || c == U'\r') {
        ++pos_;
      } else if (c == U'\\' && (peek(1) == U'\n')) {
        pos_ += 2;
      } else if (c == U'#') {
        while (!at_end() && peek() != U'\n') ++pos_;
      } else {
        break;
      }
    }
  }

  std::optional<std::string> read_item() {
    const char32_t c = peek();
    if (is_string_start()) return read_string_concatenation();
    if (c == U'-' || c == U'+' || (c >= U'0' && c <= U'9') || (c == U'.' && peek(1) >= U'0' && peek(1) <= U'9')) {
      return read_number();
    }
    for (const std::u32string_view name : {U"None", U"True", U"False"}) {
      if (text_.substr(pos_, name.size()) == name && !is_name_char(peek(name.size()))) {
        pos_ += name.size();
        return py::encode(name);
      }
    }
    return std::nullopt;  // nested containers, names, ... are outside the subset
  }

  static bool is_name_char(char32_t c) {
    return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9') || c == U'_';
  }

  // A str literal starts with an optional r/u prefix (any case) and a quote
  // (bytes and f-strings are outside the subset).
  bool is_string_start() const {
    const char32_t first = peek();
    const size_t ahead = (first == U'r' || first == U'R' || first == U'u' || first == U'U') ? 1 : 0;
    const char32_t quote = peek(ahead);
    return quote == U'\'' || quote == U'"';
  }

  // Adjacent literals concatenate: 'a' "b" == 'ab'.
  std::optional<std::string> read_string_concatenation() {
    std::u32string value;
    do {
      if (!read_string(value)) return std::nullopt;
      skip_blanks();
    } while (is_string_start());
    return py::encode(value);
  }

  bool read_string(std::u32string& value) {
    bool raw = false;
    if (peek() == U'r' || peek() == U'R') {
      raw = true;
      ++pos_;
    } else if (peek() == U'u' || peek() == U'U') {
      ++pos_;
    }
    const char32_t quote = peek();
    const bool triple = peek(1) == quote && peek(2) == quote;
    pos_ += triple ? 3 : 1;
    while (true) {
      if (at_end()) return false;
      const char32_t c = peek();
      if (c == quote && (!triple || (peek(1) == quote && peek(2) == quote))) {
        pos_ += triple ? 3 : 1;
        return true;
      }
      if (c == U'\n' && !triple) return false;
      if (c == U'\\') {
        if (pos_ + 1 >= text_.size()) return false;
        if (raw) {
          value += c;
          value += peek(1);
          pos_ += 2;
          continue;
        }
        if (!read_escape(value)) return false;
        continue;
      }
      value += c;
      ++pos_;
    }
  }

  bool read_hex(size_t digits, char32_t& code_point) {
    code_point = 0;
    for (size_t i = 0; i < digits; ++i) {
      const char32_t c = peek();
      int nibble = -1;
      if (c >= U'0' && c <= U'9') nibble = static_cast<int>(c - U'0');
      if (c >= U'a' && c <= U'f') nibble = static_cast<int>(c - U'a') + 10;
      if (c >= U'A' && c <= U'F') nibble = static_cast<int>(c - U'A') + 10;
      if (nibble < 0) return false;
      code_point = code_point * 16 + static_cast<char32_t>(nibble);
      ++pos_;
    }
    return code_point <= 0x10FFFF;
  }

  bool read_escape(std::u32string& value) {
    ++pos_;  // the backslash
    const char32_t c = peek();
    ++pos_;
    switch (c) {
      case U'\n': return true;
      case U'\\': value += U'\\'; return true;
      case U'\'': value += U'\''; return true;
      case U'"': value += U'"'; return true;
      case U'a': value += U'\a'; return true;
      case U'b': value += U'\b'; return true;
      case U'f': value += U'\f'; return true;
      case U'n': value += U'\n'; return true;
      case U'r': value += U'\r'; return true;
      case U't': value += U'\t'; return true;
      case U'v': value += U'\v'; return true;
      case U'x': case U'u': case U'U': {
        char32_t code_point = 0;
        if (!read_hex(c == U'x' ? 2 : (c == U'u' ? 4 : 8), code_point)) return false;
        value += code_point;
        return true;
      }
      case U'N':
        return false;  // \N{name} escapes are outside the subset
      default:
        if (c >= U'0' && c <= U'7') {
          char32_t code_point = c - U'0';
          for (int i = 0; i < 2 && peek() >= U'0' && peek() <= U'7'; ++i) {
            code_point = code_point * 8 + (peek() - U'0');
            ++pos_;
          }
          value += code_point;
          return true;
        }
        value += U'\\';  // an unknown escape keeps its backslash
        value += c;
        return true;
    }
  }

  // int and float literals (with an optional unary sign), as str() shows them.
  std::optional<std::string> read_number() {
    bool negative = false;
    while (peek() == U'-' || peek() == U'+') {
      if (peek() == U'-') negative = !negative;
      ++pos_;
      skip_blanks();
    }
    const size_t begin = pos_;
    while (!at_end() && (is_name_char(peek()) || peek() == U'.' ||
                         ((peek() == U'+' || peek() == U'-') && (text_[pos_ - 1] == U'e' || text_[pos_ - 1] == U'E')))) {
      ++pos_;
    }
    const std::u32string token(text_.substr(begin, pos_ - begin));
    // (hexadecimal, octal and binary literals are outside the subset: they fail below)
    const bool is_float = token.find_first_of(U".eE") != std::u32string::npos;
    if (!is_float) {
      // Python 3 int literals: no leading zeros except for zero itself.
      if (token.size() > 1 && token[0] == U'0' && token.find_first_not_of(U"0_") != std::u32string::npos) return std::nullopt;
      const std::optional<std::string> value = py::parse_int(token);
      if (!value) return std::nullopt;
      return (negative && *value != "0") ? std::string("-").append(*value) : *value;
    }
    const std::optional<double> value = py::parse_float(token);
    if (!value || token.find_first_of(U"iInN") != std::u32string::npos) return std::nullopt;
    return python_float_repr(negative ? -*value : *value);
  }

 private:
  std::u32string_view text_;
  size_t pos_ = 0;
};

// str.isprintable() for one character: not in categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs (space excepted).
bool is_printable(char32_t c) {
  if (c == U' ') return true;
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_CONTROL_CHAR: case U_FORMAT_CHAR: case U_SURROGATE: case U_PRIVATE_USE_CHAR:
    case U_UNASSIGNED: case U_LINE_SEPARATOR: case U_PARAGRAPH_SEPARATOR: case U_SPACE_SEPARATOR:
      return false;
    default:
      return true;
  }
}

}  // namespace

std::optional<std::vector<std::string>> parse_python_list(std::string_view text) {
  const std::u32string code_points = py::decode(text);
  return LiteralReader(code_points).read_list();
}

std::string python_float_repr(double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (std::isnan(value)) return "nan";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  const std::string scientific(buffer, result.ptr);
  const size_t e_pos = scientific.find('e');
  std::string mantissa = scientific.substr(0, e_pos);
  const int exponent = std::stoi(scientific.substr(e_pos + 1));
  const bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out.append("0.").append(static_cast<size_t>(-exponent - 1), '0').append(digits);
    } else if (static_cast<size_t>(exponent) + 1 >= digits.size()) {
      out += digits + std::string(static_cast<size_t>(exponent) + 1 - digits.size(), '0') + ".0";
    } else {
      const size_t integer_digits = static_cast<size_t>(exponent) + 1;
      out.append(digits, 0, integer_digits).append(".").append(digits, integer_digits);
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out.append(".").append(digits, 1);
  char exponent_text[16];
  std::snprintf(exponent_text, sizeof exponent_text, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  return out + exponent_text;
}

std::string python_str_repr(std::string_view text) {
  const std::u32string code_points = py::decode(text);
  const bool has_single = code_points.find(U'\'') != std::u32string::npos;
  const bool has_double = code_points.find(U'"') != std::u32string::npos;
  const char32_t quote = (has_single && !has_double) ? U'"' : U'\'';
  std::u32string out(1, quote);
  for (char32_t c : code_points) {
    char escape[16];
    if (c == quote || c == U'\\') {
      out += U'\\';
      out += c;
    } else if (c == U'\n') {
      out += U"\\n";
    } else if (c == U'\r') {
      out += U"\\r";
    } else if (c == U'\t') {
      out += U"\\t";
    } else if (is_printable(c)) {
      out += c;
    } else {
      if (c < 0x100) {
        std::snprintf(escape, sizeof escape, "\\x%02x", static_cast<unsigned>(c));
      } else if (c < 0x10000) {
        std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
      } else {
        std::snprintf(escape, sizeof escape, "\\U%08x", static_cast<unsigned>(c));
      }
      out += py::decode(escape);
    }
  }
  out += quote;
  return py::encode(out);
}

std::vector<std::string> parse_answer_list(std::string_view answer_field) {
  std::optional<std::vector<std::string>> items = parse_python_list(answer_field);
  if (items) return std::move(*items);
  return {std::string(answer_field)};
}

std::string python_list_literal(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += python_str_repr(items[i]);
  }
  return out + "]";
}

}  // namespace smolvlm::eval
