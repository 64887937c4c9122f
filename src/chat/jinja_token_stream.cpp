#include "chat/jinja_token_stream.h"

#include <algorithm>

#include "chat/jinja_error.h"

namespace smolvlm::jinja {
namespace {

// Deeper nesting than this is no real template and would risk the stack.
constexpr int kMaxParseNesting = 256;

}  // namespace

const Token& TokenStream::peek() const { return tokens_[std::min(pos_ + 1, tokens_.size() - 1)]; }

void TokenStream::advance() {
  if (!at(TokenKind::kEnd)) ++pos_;
}

bool TokenStream::skip_operator(std::string_view op) {
  if (!at_operator(op)) return false;
  advance();
  return true;
}

bool TokenStream::skip_name(std::string_view name) {
  if (!at_name(name)) return false;
  advance();
  return true;
}

void TokenStream::expect_operator(std::string_view op) {
  if (!skip_operator(op)) fail("expected '" + std::string(op) + "', got " + describe_current());
}

std::string TokenStream::expect_name() {
  if (!at(TokenKind::kName)) fail("expected a name, got " + describe_current());
  std::string name = current().value;
  advance();
  return name;
}

void TokenStream::expect_name(std::string_view name) {
  if (!skip_name(name)) fail("expected '" + std::string(name) + "', got " + describe_current());
}

void TokenStream::expect_statement_end() {
  if (!at(TokenKind::kStatementEnd)) fail("expected end of statement block, got " + describe_current());
  advance();
}

void TokenStream::fail(const std::string& problem) const { fail_at(current().line, problem); }

std::string TokenStream::describe_current() const {
  switch (current().kind) {
    case TokenKind::kText: return "template text";
    case TokenKind::kPrintBegin: return "'{{'";
    case TokenKind::kPrintEnd: return "end of print statement";
    case TokenKind::kStatementBegin: return "'{%'";
    case TokenKind::kStatementEnd: return "end of statement block";
    case TokenKind::kString: return "string";
    case TokenKind::kEnd: return "end of template";
    default: return "'" + current().value + "'";
  }
}

Nesting::Nesting(TokenStream& tokens, int levels) : tokens_(tokens) {
  for (int i = 0; i < levels; ++i) deepen();
}

void Nesting::deepen() {
  ++levels_;
  if (++tokens_.nesting_ > kMaxParseNesting) {
    tokens_.fail("template nests deeper than " + std::to_string(kMaxParseNesting) + " levels");
  }
}

}  // namespace smolvlm::jinja
