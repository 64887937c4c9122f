#include "chat/jinja_expression_parser.h"

#include <algorithm>

#include "chat/jinja_builtins.h"
#include "chat/jinja_error.h"

namespace smolvlm::jinja {

using namespace ast;

bool ExpressionParser::at_tuple_end(std::initializer_list<std::string_view> extra_end_names) const {
  if (tokens_.at(TokenKind::kPrintEnd) || tokens_.at(TokenKind::kStatementEnd) || tokens_.at_operator(")")) {
    return true;
  }
  return tokens_.at(TokenKind::kName) &&
         std::find(extra_end_names.begin(), extra_end_names.end(), tokens_.current().value) != extra_end_names.end();
}

ExprPtr ExpressionParser::parse_tuple(bool with_conditional, std::initializer_list<std::string_view> extra_end_names,
                                      bool explicit_parentheses) {
  const int line = tokens_.current().line;
  std::vector<ExprPtr> items;
  bool is_tuple = false;
  while (true) {
    if (!items.empty()) tokens_.expect_operator(",");
    if (at_tuple_end(extra_end_names)) break;
    items.push_back(with_conditional ? parse_expression(true) : parse_or());
    if (!tokens_.at_operator(",")) break;
    is_tuple = true;
  }
  if (!is_tuple) {
    if (!items.empty()) return std::move(items.front());
    if (!explicit_parentheses) tokens_.fail("expected an expression, got " + tokens_.describe_current());
  }
  return make_expr(line, ListLiteral{std::move(items), true});
}

ExprPtr ExpressionParser::parse_expression(bool with_conditional) {
  return with_conditional ? parse_conditional() : parse_or();
}

ExprPtr ExpressionParser::parse_conditional() {
  Nesting nesting(tokens_);
  const std::size_t first_check = checks_.size();
  ExprPtr expr = parse_or();
  while (tokens_.at_name("if")) {
    const int line = tokens_.current().line;
    tokens_.advance();
    // jinja2 compiles all parts of a conditional expression "softly":
    // unknown filters there fail only when evaluated.
    ExprPtr condition = parse_or();
    ExprPtr otherwise;
    if (tokens_.skip_name("else")) otherwise = parse_conditional();
    for (std::size_t i = first_check; i < checks_.size(); ++i) checks_[i].soft = true;
    expr = make_expr(line, Conditional{std::move(condition), std::move(expr), std::move(otherwise)});
  }
  return expr;
}

ExprPtr ExpressionParser::parse_or() {
  Nesting nesting(tokens_, 0);
  ExprPtr left = parse_and();
  while (tokens_.at_name("or")) {
    nesting.deepen();
    const int line = tokens_.current().line;
    tokens_.advance();
    left = make_expr(line, Binary{BinaryOp::kOr, std::move(left), parse_and()});
  }
  return left;
}

ExprPtr ExpressionParser::parse_and() {
  Nesting nesting(tokens_, 0);
  ExprPtr left = parse_not();
  while (tokens_.at_name("and")) {
    nesting.deepen();
    const int line = tokens_.current().line;
    tokens_.advance();
    left = make_expr(line, Binary{BinaryOp::kAnd, std::move(left), parse_not()});
  }
  return left;
}

ExprPtr ExpressionParser::parse_not() {
  if (!tokens_.at_name("not")) return parse_compare();
  Nesting nesting(tokens_);
  const int line = tokens_.current().line;
  tokens_.advance();
  return make_expr(line, Unary{UnaryOp::kNot, parse_not()});
}

ExprPtr ExpressionParser::parse_compare() {
  const int line = tokens_.current().line;
  ExprPtr first = parse_math1();
  std::vector<std::pair<CompareOp, ExprPtr>> rest;
  while (true) {
    CompareOp op;
    if (tokens_.skip_operator("==")) op = CompareOp::kEqual;
    else if (tokens_.skip_operator("!=")) op = CompareOp::kNotEqual;
    else if (tokens_.skip_operator("<")) op = CompareOp::kLess;
    else if (tokens_.skip_operator("<=")) op = CompareOp::kLessEqual;
    else if (tokens_.skip_operator(">")) op = CompareOp::kGreater;
    else if (tokens_.skip_operator(">=")) op = CompareOp::kGreaterEqual;
    else if (tokens_.skip_name("in")) op = CompareOp::kIn;
    else if (tokens_.at_name("not") && tokens_.peek().kind == TokenKind::kName && tokens_.peek().value == "in") {
      tokens_.advance();
      tokens_.advance();
      op = CompareOp::kNotIn;
    } else {
      break;
    }
    rest.emplace_back(op, parse_math1());
  }
  if (rest.empty()) return first;
  return make_expr(line, Compare{std::move(first), std::move(rest)});
}

ExprPtr ExpressionParser::parse_math1() {
  Nesting nesting(tokens_, 0);
  ExprPtr left = parse_concat();
  while (tokens_.at_operator("+") || tokens_.at_operator("-")) {
    nesting.deepen();
    const int line = tokens_.current().line;
    const BinaryOp op = tokens_.current().value == "+" ? BinaryOp::kAdd : BinaryOp::kSubtract;
    tokens_.advance();
    left = make_expr(line, Binary{op, std::move(left), parse_concat()});
  }
  return left;
}

ExprPtr ExpressionParser::parse_concat() {
  Nesting nesting(tokens_, 0);
  ExprPtr left = parse_math2();
  while (tokens_.at_operator("~")) {
    nesting.deepen();
    const int line = tokens_.current().line;
    tokens_.advance();
    left = make_expr(line, Binary{BinaryOp::kConcat, std::move(left), parse_math2()});
  }
  return left;
}

ExprPtr ExpressionParser::parse_math2() {
  Nesting nesting(tokens_, 0);
  ExprPtr left = parse_pow();
  while (true) {
    BinaryOp op;
    if (tokens_.at_operator("*")) op = BinaryOp::kMultiply;
    else if (tokens_.at_operator("/")) op = BinaryOp::kDivide;
    else if (tokens_.at_operator("//")) op = BinaryOp::kFloorDivide;
    else if (tokens_.at_operator("%")) op = BinaryOp::kModulo;
    else break;
    nesting.deepen();
    const int line = tokens_.current().line;
    tokens_.advance();
    left = make_expr(line, Binary{op, std::move(left), parse_pow()});
  }
  return left;
}

// jinja2 makes ** left-associative: 2 ** 3 ** 2 == 64.
ExprPtr ExpressionParser::parse_pow() {
  Nesting nesting(tokens_, 0);
  ExprPtr left = parse_unary(true);
  while (tokens_.at_operator("**")) {
    nesting.deepen();
    const int line = tokens_.current().line;
    tokens_.advance();
    left = make_expr(line, Binary{BinaryOp::kPower, std::move(left), parse_unary(true)});
  }
  return left;
}

ExprPtr ExpressionParser::parse_unary(bool with_filters) {
  Nesting nesting(tokens_);
  const int line = tokens_.current().line;
  ExprPtr node;
  if (tokens_.skip_operator("-")) node = make_expr(line, Unary{UnaryOp::kNegate, parse_unary(false)});
  else if (tokens_.skip_operator("+")) node = make_expr(line, Unary{UnaryOp::kPlus, parse_unary(false)});
  else node = parse_primary();
  node = parse_postfix(std::move(node));
  if (with_filters) node = parse_filters_and_tests(std::move(node));
  return node;
}

ExprPtr ExpressionParser::parse_primary() {
  const Token& token = tokens_.current();
  const int line = token.line;
  switch (token.kind) {
    case TokenKind::kName: {
      const std::string name = token.value;
      tokens_.advance();
      if (name == "true" || name == "True") return make_expr(line, Literal{Value(true)});
      if (name == "false" || name == "False") return make_expr(line, Literal{Value(false)});
      if (name == "none" || name == "None") return make_expr(line, Literal{Value::none()});
      return make_expr(line, Variable{name});
    }
    case TokenKind::kString: {
      std::string joined;
      while (tokens_.at(TokenKind::kString)) {
        joined += tokens_.current().value;
        tokens_.advance();
      }
      return make_expr(line, Literal{Value(std::move(joined))});
    }
    case TokenKind::kInteger:
      tokens_.advance();
      return make_expr(line, Literal{Value(token.integer)});
    case TokenKind::kFloat:
      tokens_.advance();
      return make_expr(line, Literal{Value(token.floating)});
    case TokenKind::kOperator:
      if (token.value == "(") {
        tokens_.advance();
        ExprPtr inner = parse_tuple(true, {}, true);
        tokens_.expect_operator(")");
        return inner;
      }
      if (token.value == "[") return parse_list();
      if (token.value == "{") return parse_dict();
      break;
    default:
      break;
  }
  tokens_.fail("unexpected " + tokens_.describe_current());
}

ExprPtr ExpressionParser::parse_list() {
  const int line = tokens_.current().line;
  tokens_.advance();
  std::vector<ExprPtr> items;
  while (!tokens_.at_operator("]")) {
    if (!items.empty()) tokens_.expect_operator(",");
    if (tokens_.at_operator("]")) break;
    items.push_back(parse_expression(true));
  }
  tokens_.advance();
  return make_expr(line, ListLiteral{std::move(items), false});
}

ExprPtr ExpressionParser::parse_dict() {
  const int line = tokens_.current().line;
  tokens_.advance();
  std::vector<std::pair<ExprPtr, ExprPtr>> entries;
  while (!tokens_.at_operator("}")) {
    if (!entries.empty()) tokens_.expect_operator(",");
    if (tokens_.at_operator("}")) break;
    ExprPtr key = parse_expression(true);
    tokens_.expect_operator(":");
    entries.emplace_back(std::move(key), parse_expression(true));
  }
  tokens_.advance();
  return make_expr(line, DictLiteral{std::move(entries)});
}

ExprPtr ExpressionParser::parse_postfix(ExprPtr node) {
  Nesting nesting(tokens_, 0);
  while (true) {
    const int line = tokens_.current().line;
    if (tokens_.at_operator(".") || tokens_.at_operator("[") || tokens_.at_operator("(")) nesting.deepen();
    if (tokens_.skip_operator(".")) {
      if (tokens_.at(TokenKind::kName)) {
        node = make_expr(line, Attribute{std::move(node), tokens_.expect_name()});
      } else if (tokens_.at(TokenKind::kInteger)) {
        ExprPtr key = make_expr(line, Literal{Value(tokens_.current().integer)});
        tokens_.advance();
        node = make_expr(line, Subscript{std::move(node), std::move(key)});
      } else {
        tokens_.fail("expected name or number after '.'");
      }
    } else if (tokens_.at_operator("[")) {
      node = parse_subscript(std::move(node));
    } else if (tokens_.at_operator("(")) {
      node = make_expr(line, Call{std::move(node), parse_call_arguments()});
    } else {
      return node;
    }
  }
}

ExprPtr ExpressionParser::parse_subscript(ExprPtr object) {
  const int line = tokens_.current().line;
  tokens_.advance();
  ExprPtr parts[3];
  bool is_slice = false;
  int part = 0;
  while (!tokens_.at_operator("]")) {
    if (tokens_.at_operator(",")) tokens_.fail("multi-dimensional subscripts are not supported");
    if (tokens_.at_operator(":")) {
      if (++part > 2) tokens_.fail("a slice has at most three parts");
      is_slice = true;
      tokens_.advance();
      continue;
    }
    if (parts[part]) tokens_.fail("expected ':' or ']' in subscript, got " + tokens_.describe_current());
    parts[part] = parse_expression(true);
  }
  tokens_.advance();
  if (is_slice) {
    return make_expr(line, Slice{std::move(object), std::move(parts[0]), std::move(parts[1]), std::move(parts[2])});
  }
  if (!parts[0]) tokens_.fail("empty subscript");
  return make_expr(line, Subscript{std::move(object), std::move(parts[0])});
}

Arguments ExpressionParser::parse_call_arguments() {
  tokens_.expect_operator("(");
  Arguments args;
  bool need_comma = false;
  while (!tokens_.at_operator(")")) {
    if (need_comma) {
      tokens_.expect_operator(",");
      if (tokens_.at_operator(")")) break;
    }
    if (tokens_.at_operator("*") || tokens_.at_operator("**")) {
      tokens_.fail("*args and **kwargs in calls are not supported");
    }
    if (tokens_.at(TokenKind::kName) && tokens_.peek().kind == TokenKind::kOperator && tokens_.peek().value == "=") {
      std::string name = tokens_.expect_name();
      tokens_.advance();
      args.keyword.emplace_back(std::move(name), parse_expression(true));
    } else {
      if (!args.keyword.empty()) tokens_.fail("positional argument follows keyword argument");
      args.positional.push_back(parse_expression(true));
    }
    need_comma = true;
  }
  tokens_.advance();
  return args;
}

ExprPtr ExpressionParser::parse_filters_and_tests(ExprPtr node) {
  Nesting nesting(tokens_, 0);
  while (true) {
    if (tokens_.at_operator("|") || tokens_.at_name("is") || tokens_.at_operator("(")) nesting.deepen();
    if (tokens_.at_operator("|")) {
      node = parse_filter(std::move(node));
    } else if (tokens_.at_name("is")) {
      node = parse_test(std::move(node));
    } else if (tokens_.at_operator("(")) {
      const int line = tokens_.current().line;
      node = make_expr(line, Call{std::move(node), parse_call_arguments()});
    } else {
      return node;
    }
  }
}

std::string ExpressionParser::parse_dotted_name() {
  std::string name = tokens_.expect_name();
  while (tokens_.skip_operator(".")) name += "." + tokens_.expect_name();
  return name;
}

ExprPtr ExpressionParser::parse_filter(ExprPtr operand) {
  tokens_.advance();
  const int line = tokens_.current().line;
  Filter filter{std::move(operand), parse_dotted_name(), {}};
  checks_.push_back(NameCheck{filter.name, true, line, soft_});
  if (tokens_.at_operator("(")) filter.args = parse_call_arguments();
  return make_expr(line, std::move(filter));
}

ExprPtr ExpressionParser::parse_test(ExprPtr operand) {
  const int line = tokens_.current().line;
  tokens_.advance();
  const bool negated = tokens_.skip_name("not");
  Test test{std::move(operand), parse_dotted_name(), {}};
  checks_.push_back(NameCheck{test.name, false, line, soft_});
  const TokenKind kind = tokens_.current().kind;
  if (tokens_.at_operator("(")) {
    test.args = parse_call_arguments();
  } else if ((kind == TokenKind::kName || kind == TokenKind::kString || kind == TokenKind::kInteger ||
              kind == TokenKind::kFloat || tokens_.at_operator("[") || tokens_.at_operator("{")) &&
             !tokens_.at_name("else") && !tokens_.at_name("or") && !tokens_.at_name("and")) {
    if (tokens_.at_name("is")) tokens_.fail("you cannot chain multiple tests with is");
    test.args.positional.push_back(parse_postfix(parse_primary()));
  }
  ExprPtr node = make_expr(line, std::move(test));
  if (negated) node = make_expr(line, Unary{UnaryOp::kNot, std::move(node)});
  return node;
}

void ExpressionParser::check_filters_and_tests() const {
  for (const NameCheck& check : checks_) {
    if (check.soft) continue;
    if (check.is_filter && !is_known_filter(check.name)) fail_at(check.line, "no filter named '" + check.name + "'");
    if (!check.is_filter && !is_known_test(check.name)) fail_at(check.line, "no test named '" + check.name + "'");
  }
}

}  // namespace smolvlm::jinja
