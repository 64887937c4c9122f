#include "chat/jinja_lexer.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>

#include "chat/jinja_error.h"
#include "chat/jinja_text.h"

namespace smolvlm::jinja {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

int count_newlines(std::string_view s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

// jinja2 treats \r\n, \r and \n alike and, without keep_trailing_newline,
// drops one newline at the very end of the template.
std::string normalize_newlines(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out.push_back(source[i]);
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// Python's unicode-escape decoding, which jinja2 applies to string literals.
std::string unescape(std::string_view body, int line) {
  std::string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\') {
      out.push_back(body[i]);
      continue;
    }
    if (++i == body.size()) fail_at(line, "string literal ends with a backslash");
    const char c = body[i];
    auto read_hex = [&](std::size_t digits) {
      char32_t value = 0;
      for (std::size_t k = 1; k <= digits; ++k) {
        const char h = i + k < body.size() ? body[i + k] : '\0';
        int v = -1;
        if (h >= '0' && h <= '9') v = h - '0';
        else if (h >= 'a' && h <= 'f') v = h - 'a' + 10;
        else if (h >= 'A' && h <= 'F') v = h - 'A' + 10;
        if (v < 0) fail_at(line, std::string("truncated \\") + c + " escape in string literal");
        value = value * 16 + static_cast<char32_t>(v);
      }
      i += digits;
      if (value > 0x10FFFF) fail_at(line, "illegal Unicode character in string literal");
      text::append_utf8(out, value);
    };
    switch (c) {
      case '\n': break;
      case '\\': case '\'': case '"': out.push_back(c); break;
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'v': out.push_back('\v'); break;
      case 'x': read_hex(2); break;
      case 'u': read_hex(4); break;
      case 'U': read_hex(8); break;
      case 'N': fail_at(line, "\\N{...} escapes are not supported");
      default:
        if (c >= '0' && c <= '7') {
          char32_t value = 0;
          std::size_t k = 0;
          for (; k < 3 && i + k < body.size() && body[i + k] >= '0' && body[i + k] <= '7'; ++k) {
            value = value * 8 + static_cast<char32_t>(body[i + k] - '0');
          }
          i += k - 1;
          text::append_utf8(out, value);
        } else {
          out.push_back('\\');
          out.push_back(c);
        }
    }
  }
  return out;
}

class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(normalize_newlines(source)) {}

  std::vector<Token> run() {
    while (pos_ < src_.size()) lex_text_until_tag();
    push(TokenKind::kEnd);
    return std::move(tokens_);
  }

 private:
  void push(TokenKind kind, std::string value = {}) { tokens_.push_back(Token{kind, std::move(value), 0, 0.0, line_}); }

  bool at(std::string_view s) const { return src_.compare(pos_, s.size(), s) == 0; }

  // Root state: text up to the next {{, {% or {#, stripped per the tag's
  // whitespace control; then the tag itself.
  void lex_text_until_tag() {
    std::size_t open = pos_;
    while (true) {
      open = src_.find('{', open);
      if (open == std::string::npos || open + 1 >= src_.size()) {
        emit_text(std::string_view(src_).substr(pos_));
        pos_ = src_.size();
        return;
      }
      const char kind = src_[open + 1];
      if (kind == '{' || kind == '%' || kind == '#') break;
      ++open;
    }
    const char kind = src_[open + 1];
    std::size_t after = open + 2;
    char sign = 0;
    if (after < src_.size() && (src_[after] == '-' || src_[after] == '+')) sign = src_[after++];
    std::size_t raw_end = 0;
    const bool raw = kind == '%' && match_raw_begin(after, raw_end);
    emit_stripped_text(std::string_view(src_).substr(pos_, open - pos_), sign, kind != '{');
    pos_ = after;
    if (raw) {
      line_ += count_newlines(std::string_view(src_).substr(after, raw_end - after));
      line_starting_ = src_[raw_end - 1] == '\n';
      pos_ = raw_end;
      lex_raw_body();
    } else if (kind == '#') {
      lex_comment();
    } else {
      lex_tag(kind == '%');
    }
  }

  void emit_text(std::string_view text) {
    if (!text.empty()) push(TokenKind::kText, std::string(text));
    line_ += count_newlines(text);
  }

  // `sign` '-' strips all whitespace before the tag; otherwise lstrip_blocks
  // removes spaces between a line start and a statement or comment tag.
  void emit_stripped_text(std::string_view text, char sign, bool lstrip_applies) {
    const int newlines = count_newlines(text);
    std::string_view kept = text;
    if (sign == '-') {
      kept = text.substr(0, text::rstripped_size(text));
    } else if (sign != '+' && lstrip_applies) {
      const std::size_t last_newline = text.rfind('\n');
      const std::size_t line_begin = last_newline == std::string_view::npos ? 0 : last_newline + 1;
      if ((line_begin > 0 || line_starting_) && line_begin < text.size() &&
          text::skip_spaces(text, line_begin) == text.size()) {
        kept = text.substr(0, line_begin);
      }
    }
    if (!kept.empty()) push(TokenKind::kText, std::string(kept));
    line_ += newlines;
  }

  // {%-? raw -?%}: jinja2 matches it as one unit, with no trim_blocks newline.
  bool match_raw_begin(std::size_t pos, std::size_t& end) const {
    pos = text::skip_spaces(src_, pos);
    if (src_.compare(pos, 3, "raw") != 0) return false;
    pos += 3;
    if (pos < src_.size() && is_name_char(src_[pos])) return false;
    pos = text::skip_spaces(src_, pos);
    if (src_.compare(pos, 3, "-%}") == 0) {
      end = text::skip_spaces(src_, pos + 3);
      return true;
    }
    if (src_.compare(pos, 2, "%}") == 0) {
      end = pos + 2;
      return true;
    }
    return false;
  }

  void lex_raw_body() {
    for (std::size_t open = src_.find("{%", pos_); open != std::string::npos; open = src_.find("{%", open + 1)) {
      std::size_t p = open + 2;
      char sign = 0;
      if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) sign = src_[p++];
      p = text::skip_spaces(src_, p);
      if (src_.compare(p, 6, "endraw") != 0) continue;
      const std::size_t end = statement_end(text::skip_spaces(src_, p + 6));
      if (end == std::string::npos) continue;
      emit_stripped_text(std::string_view(src_).substr(pos_, open - pos_), sign, true);
      line_ += count_newlines(std::string_view(src_).substr(open, end - open));
      finish_tag(end);
      return;
    }
    fail_at(line_, "missing end of raw directive");
  }

  // The offset past a statement end at `p` (+%}, -%} plus whitespace, or %}
  // plus one newline for trim_blocks), or npos if there is none.
  std::size_t statement_end(std::size_t p) const {
    if (src_.compare(p, 3, "+%}") == 0) return p + 3;
    if (src_.compare(p, 3, "-%}") == 0) return text::skip_spaces(src_, p + 3);
    if (src_.compare(p, 2, "%}") == 0) return p + 2 + (src_.compare(p + 2, 1, "\n") == 0 ? 1 : 0);
    return std::string::npos;
  }

  void finish_tag(std::size_t end) {
    line_starting_ = src_[end - 1] == '\n';
    pos_ = end;
  }

  void lex_comment() {
    const std::size_t close = src_.find("#}", pos_);
    if (close == std::string::npos) fail_at(line_, "missing end of comment tag");
    std::size_t end = close + 2;
    const char sign = close > pos_ ? src_[close - 1] : 0;
    if (sign == '-') end = text::skip_spaces(src_, end);
    else if (sign != '+' && end < src_.size() && src_[end] == '\n') ++end;
    line_ += count_newlines(std::string_view(src_).substr(pos_, end - pos_));
    finish_tag(end);
  }

  void lex_tag(bool statement) {
    push(statement ? TokenKind::kStatementBegin : TokenKind::kPrintBegin);
    const int open_line = line_;
    std::string brackets;  // closers still expected, innermost last
    while (true) {
      if (pos_ >= src_.size()) {
        fail_at(open_line, std::string("unexpected end of template, missing '") + (statement ? "%}" : "}}") + "'");
      }
      if (brackets.empty() && lex_tag_end(statement)) return;
      const std::size_t after_space = text::skip_spaces(src_, pos_);
      if (after_space != pos_) {
        line_ += count_newlines(std::string_view(src_).substr(pos_, after_space - pos_));
        pos_ = after_space;
        continue;
      }
      if (lex_number()) continue;
      const char c = src_[pos_];
      if (is_name_start(c)) {
        std::size_t end = pos_;
        while (end < src_.size() && is_name_char(src_[end])) ++end;
        push(TokenKind::kName, src_.substr(pos_, end - pos_));
        pos_ = end;
      } else if (c == '\'' || c == '"') {
        lex_string(c);
      } else {
        lex_operator(brackets);
      }
    }
  }

  bool lex_tag_end(bool statement) {
    std::size_t end = std::string::npos;
    if (statement) end = statement_end(pos_);
    else if (at("-}}")) end = text::skip_spaces(src_, pos_ + 3);
    else if (at("}}")) end = pos_ + 2;
    if (end == std::string::npos) return false;
    const int line = line_;
    line_ += count_newlines(std::string_view(src_).substr(pos_, end - pos_));
    finish_tag(end);
    tokens_.push_back(Token{statement ? TokenKind::kStatementEnd : TokenKind::kPrintEnd, {}, 0, 0.0, line});
    return true;
  }

  // (\d+_)*\d+ : digits with single underscores between them.
  std::size_t match_digits(std::size_t p) const {
    if (p >= src_.size() || !is_digit(src_[p])) return std::string::npos;
    while (p < src_.size()) {
      if (is_digit(src_[p])) ++p;
      else if (src_[p] == '_' && p + 1 < src_.size() && is_digit(src_[p + 1])) ++p;
      else break;
    }
    return p;
  }

  std::size_t match_exponent(std::size_t p) const {
    if (p >= src_.size() || (src_[p] != 'e' && src_[p] != 'E')) return std::string::npos;
    ++p;
    if (p < src_.size() && (src_[p] == '+' || src_[p] == '-')) ++p;
    return match_digits(p);
  }

  bool lex_number() {
    const std::size_t int_end = match_digits(pos_);
    if (int_end == std::string::npos) return false;
    // jinja2 never reads a float right after '.', so foo.0.1 stays two subscripts.
    if (pos_ == 0 || src_[pos_ - 1] != '.') {
      std::size_t float_end = std::string::npos;
      const std::size_t frac_end = (int_end < src_.size() && src_[int_end] == '.') ? match_digits(int_end + 1)
                                                                                    : std::string::npos;
      const std::size_t exp_end = match_exponent(frac_end != std::string::npos ? frac_end : int_end);
      if (exp_end != std::string::npos) float_end = exp_end;
      else if (frac_end != std::string::npos) float_end = frac_end;
      if (float_end != std::string::npos) {
        std::string digits = without_underscores(pos_, float_end);
        Token token{TokenKind::kFloat, digits, 0, std::strtod(digits.c_str(), nullptr), line_};
        tokens_.push_back(std::move(token));
        pos_ = float_end;
        return true;
      }
    }
    lex_integer();
    return true;
  }

  void lex_integer() {
    int base = 10;
    std::size_t end = pos_;
    auto digits_of_base = [&](std::size_t p, auto is_valid) {
      while (p < src_.size() && (is_valid(src_[p]) || (src_[p] == '_' && p + 1 < src_.size() && is_valid(src_[p + 1])))) ++p;
      return p;
    };
    const char prefix = pos_ + 1 < src_.size() ? static_cast<char>(src_[pos_ + 1] | 0x20) : 0;
    auto is_bin = [](char c) { return c == '0' || c == '1'; };
    auto is_oct = [](char c) { return c >= '0' && c <= '7'; };
    auto is_hex = [](char c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); };
    auto is_zero = [](char c) { return c == '0'; };
    if (src_[pos_] == '0' && prefix == 'b' && digits_of_base(pos_ + 2, is_bin) > pos_ + 2) {
      base = 2;
      end = digits_of_base(pos_ + 2, is_bin);
    } else if (src_[pos_] == '0' && prefix == 'o' && digits_of_base(pos_ + 2, is_oct) > pos_ + 2) {
      base = 8;
      end = digits_of_base(pos_ + 2, is_oct);
    } else if (src_[pos_] == '0' && prefix == 'x' && digits_of_base(pos_ + 2, is_hex) > pos_ + 2) {
      base = 16;
      end = digits_of_base(pos_ + 2, is_hex);
    } else if (src_[pos_] == '0') {
      end = digits_of_base(pos_ + 1, is_zero);
    } else {
      end = match_digits(pos_);
    }
    const std::string digits = without_underscores(base == 10 ? pos_ : pos_ + 2, end);
    errno = 0;
    char* parsed_end = nullptr;
    const long long value = std::strtoll(digits.c_str(), &parsed_end, base);
    if (errno == ERANGE) fail_at(line_, "integer literal " + digits + " is too large");
    tokens_.push_back(Token{TokenKind::kInteger, src_.substr(pos_, end - pos_), value, 0.0, line_});
    pos_ = end;
  }

  std::string without_underscores(std::size_t begin, std::size_t end) const {
    std::string out;
    for (std::size_t i = begin; i < end; ++i) {
      if (src_[i] != '_') out.push_back(src_[i]);
    }
    return out;
  }

  void lex_string(char quote) {
    std::size_t p = pos_ + 1;
    while (p < src_.size() && src_[p] != quote) p += src_[p] == '\\' ? 2 : 1;
    if (p >= src_.size()) fail_at(line_, "unterminated string literal");
    const std::string_view body = std::string_view(src_).substr(pos_ + 1, p - pos_ - 1);
    push(TokenKind::kString, unescape(body, line_));
    line_ += count_newlines(body);
    pos_ = p + 1;
  }

  void lex_operator(std::string& brackets) {
    static constexpr std::array<std::string_view, 6> kTwoChar = {"//", "**", "==", "!=", ">=", "<="};
    static constexpr std::string_view kOneChar = "+-/*%~[](){}><=.:|,;";
    for (std::string_view op : kTwoChar) {
      if (at(op)) {
        push(TokenKind::kOperator, std::string(op));
        pos_ += 2;
        return;
      }
    }
    const char c = src_[pos_];
    if (kOneChar.find(c) == std::string_view::npos) {
      fail_at(line_, "unexpected character " + std::string(1, c) + " in tag");
    }
    if (c == '(' || c == '[' || c == '{') {
      brackets.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
    } else if (c == ')' || c == ']' || c == '}') {
      if (brackets.empty()) fail_at(line_, std::string("unexpected '") + c + "'");
      if (brackets.back() != c) fail_at(line_, std::string("unexpected '") + c + "', expected '" + brackets.back() + "'");
      brackets.pop_back();
    }
    push(TokenKind::kOperator, std::string(1, c));
    ++pos_;
  }

  std::string src_;
  std::size_t pos_ = 0;
  int line_ = 1;
  // Whether the last tag ended with a newline; lstrip_blocks only strips a
  // tag's indentation at a line start (or the template start).
  bool line_starting_ = true;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) { return Lexer(source).run(); }

}  // namespace smolvlm::jinja
