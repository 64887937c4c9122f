// Parses jinja2 expressions with its operator precedence, from loosest:
// a if c else b, or, and, not, comparisons and in, + -, ~, * / // %, **,
// unary - +, then postfix . [] () and filters | and tests is.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "chat/jinja_ast.h"
#include "chat/jinja_token_stream.h"

namespace smolvlm::jinja {

template <typename Node>
ast::ExprPtr make_expr(int line, Node node) {
  auto expr = std::make_unique<ast::Expr>();
  expr->line = line;
  expr->node = std::move(node);
  return expr;
}

class ExpressionParser {
 public:
  explicit ExpressionParser(TokenStream& tokens) : tokens_(tokens) {}

  // Comma-separated expressions make a tuple; a single one stands alone.
  // Without `with_conditional`, a trailing `if` is left for the statement
  // (as in {% for x in xs if x %}).
  ast::ExprPtr parse_tuple(bool with_conditional, std::initializer_list<std::string_view> extra_end_names,
                           bool explicit_parentheses);
  ast::ExprPtr parse_expression(bool with_conditional);
  // A filter application at '|' (operand may be null for {% set x | f %}).
  ast::ExprPtr parse_filter(ast::ExprPtr operand);

  // Inside if-branches (jinja2's "soft" frames) unknown filters and tests are
  // only an error when evaluated, so templates can guard optional features.
  bool soft() const { return soft_; }
  void set_soft(bool soft) { soft_ = soft; }
  // Like jinja2's compiler: unknown filters and tests outside soft frames
  // make the template invalid.
  void check_filters_and_tests() const;

 private:
  struct NameCheck {
    std::string name;
    bool is_filter;
    int line;
    bool soft;
  };

  bool at_tuple_end(std::initializer_list<std::string_view> extra_end_names) const;
  ast::ExprPtr parse_conditional();
  ast::ExprPtr parse_or();
  ast::ExprPtr parse_and();
  ast::ExprPtr parse_not();
  ast::ExprPtr parse_compare();
  ast::ExprPtr parse_math1();
  ast::ExprPtr parse_concat();
  ast::ExprPtr parse_math2();
  ast::ExprPtr parse_pow();
  ast::ExprPtr parse_unary(bool with_filters);
  ast::ExprPtr parse_primary();
  ast::ExprPtr parse_list();
  ast::ExprPtr parse_dict();
  ast::ExprPtr parse_postfix(ast::ExprPtr node);
  ast::ExprPtr parse_subscript(ast::ExprPtr object);
  ast::Arguments parse_call_arguments();
  ast::ExprPtr parse_filters_and_tests(ast::ExprPtr node);
  std::string parse_dotted_name();
  ast::ExprPtr parse_test(ast::ExprPtr operand);

  TokenStream& tokens_;
  bool soft_ = false;
  std::vector<NameCheck> checks_;
};

}  // namespace smolvlm::jinja
