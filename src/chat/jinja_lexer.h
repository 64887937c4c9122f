// Splits a template into text and tag tokens, applying whitespace control the
// way jinja2's lexer does with trim_blocks=True and lstrip_blocks=True (the
// settings of transformers' apply_chat_template).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace smolvlm::jinja {

enum class TokenKind {
  kText,            // literal template text, already whitespace-trimmed
  kPrintBegin,      // {{
  kPrintEnd,        // }}
  kStatementBegin,  // {%
  kStatementEnd,    // %}
  kName,
  kString,          // value: unescaped contents
  kInteger,
  kFloat,
  kOperator,        // value: the operator's spelling, e.g. "//", "("
  kEnd,
};

struct Token {
  TokenKind kind;
  std::string value;
  std::int64_t integer = 0;
  double floating = 0.0;
  int line = 1;
};

// Throws smolvlm::Error("chat template", "line N: ...") on malformed input.
std::vector<Token> tokenize(std::string_view source);

}  // namespace smolvlm::jinja
