// The parsers' view of the token list: lookahead, expectations with clear
// errors, and a nesting budget that keeps recursion off the stack's edge.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chat/jinja_lexer.h"

namespace smolvlm::jinja {

class TokenStream {
 public:
  explicit TokenStream(const std::vector<Token>& tokens) : tokens_(tokens) {}

  const Token& current() const { return tokens_[pos_]; }
  const Token& peek() const;  // the token after current()
  void advance();

  bool at(TokenKind kind) const { return current().kind == kind; }
  bool at_operator(std::string_view op) const { return at(TokenKind::kOperator) && current().value == op; }
  bool at_name(std::string_view name) const { return at(TokenKind::kName) && current().value == name; }
  bool skip_operator(std::string_view op);
  bool skip_name(std::string_view name);

  void expect_operator(std::string_view op);
  std::string expect_name();
  void expect_name(std::string_view name);
  void expect_statement_end();

  [[noreturn]] void fail(const std::string& problem) const;
  std::string describe_current() const;

 private:
  friend class Nesting;
  const std::vector<Token>& tokens_;
  std::size_t pos_ = 0;
  int nesting_ = 0;
};

// Holds levels of nesting for as long as it lives. Operator chains such as
// a + b + c count too: they build left-deep trees that rendering (and the
// tree's destructor) walk recursively.
class Nesting {
 public:
  explicit Nesting(TokenStream& tokens, int levels = 1);
  ~Nesting() { tokens_.nesting_ -= levels_; }
  Nesting(const Nesting&) = delete;
  Nesting& operator=(const Nesting&) = delete;

  void deepen();

 private:
  TokenStream& tokens_;
  int levels_ = 0;
};

}  // namespace smolvlm::jinja
