#include "chat/jinja_parser.h"

#include <algorithm>
#include <initializer_list>
#include <string_view>

#include "chat/jinja_expression_parser.h"
#include "chat/jinja_token_stream.h"

namespace smolvlm::jinja {
namespace {

using namespace ast;

template <typename Node>
std::unique_ptr<Stmt> make_stmt(int line, Node node) {
  auto stmt = std::make_unique<Stmt>();
  stmt->line = line;
  stmt->node = std::move(node);
  return stmt;
}

std::string quoted_list(std::initializer_list<std::string_view> names) {
  std::string out;
  std::size_t i = 0;
  for (std::string_view name : names) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += "'" + std::string(name) + "'";
    ++i;
  }
  return out;
}

bool is_closing_tag(std::string_view name) {
  static constexpr std::string_view kClosing[] = {"endfor", "endif",    "elif",         "else",
                                                   "endset", "endmacro", "endgeneration"};
  return std::find(std::begin(kClosing), std::end(kClosing), name) != std::end(kClosing);
}

// Restores the expression parser's soft flag when a block ends.
class SoftScope {
 public:
  SoftScope(ExpressionParser& expressions, bool soft) : expressions_(expressions), outer_(expressions.soft()) {
    expressions_.set_soft(soft);
  }
  ~SoftScope() { expressions_.set_soft(outer_); }
  SoftScope(const SoftScope&) = delete;
  SoftScope& operator=(const SoftScope&) = delete;

 private:
  ExpressionParser& expressions_;
  bool outer_;
};

class StatementParser {
 public:
  explicit StatementParser(const std::vector<Token>& tokens) : tokens_(tokens), expressions_(tokens_) {}

  Body parse_template() {
    Body body;
    parse_body(body, {});
    expressions_.check_filters_and_tests();
    return body;
  }

 private:
  // Parses until {% name %} for a name in `end_names` and returns that name,
  // leaving it current; an empty list parses to the end of the template.
  std::string parse_body(Body& body, std::initializer_list<std::string_view> end_names) {
    Nesting nesting(tokens_);
    while (true) {
      const Token& token = tokens_.current();
      switch (token.kind) {
        case TokenKind::kText:
          body.push_back(make_stmt(token.line, Text{token.value}));
          tokens_.advance();
          break;
        case TokenKind::kPrintBegin: {
          const int line = token.line;
          tokens_.advance();
          ExprPtr value = expressions_.parse_tuple(true, {}, false);
          if (!tokens_.at(TokenKind::kPrintEnd)) {
            tokens_.fail("expected end of print statement, got " + tokens_.describe_current());
          }
          tokens_.advance();
          body.push_back(make_stmt(line, Print{std::move(value)}));
          break;
        }
        case TokenKind::kStatementBegin:
          tokens_.advance();
          if (tokens_.at(TokenKind::kName) &&
              std::find(end_names.begin(), end_names.end(), tokens_.current().value) != end_names.end()) {
            return tokens_.current().value;
          }
          parse_statement(body, end_names);
          break;
        case TokenKind::kEnd:
          if (end_names.size() != 0) tokens_.fail("unexpected end of template, expected " + quoted_list(end_names));
          return {};
        default:
          tokens_.fail("unexpected " + tokens_.describe_current());
      }
    }
  }

  void parse_statement(Body& body, std::initializer_list<std::string_view> open_blocks) {
    if (!tokens_.at(TokenKind::kName)) tokens_.fail("expected a tag name, got " + tokens_.describe_current());
    const std::string tag = tokens_.current().value;
    const int line = tokens_.current().line;
    if (tag == "for") {
      body.push_back(make_stmt(line, parse_for()));
    } else if (tag == "if") {
      body.push_back(make_stmt(line, parse_if()));
    } else if (tag == "set") {
      body.push_back(parse_set());
    } else if (tag == "macro") {
      body.push_back(make_stmt(line, parse_macro()));
    } else if (tag == "break" || tag == "continue") {
      if (loop_depth_ == 0) tokens_.fail("'" + tag + "' outside loop");
      tokens_.advance();
      tokens_.expect_statement_end();
      body.push_back(make_stmt(line, LoopControl{tag == "break"}));
    } else if (tag == "generation") {
      // transformers' AssistantTracker marks assistant spans; the text is unchanged.
      tokens_.advance();
      tokens_.expect_statement_end();
      parse_body(body, {"endgeneration"});
      close_block();
    } else if (is_closing_tag(tag)) {
      tokens_.fail("unexpected '" + tag + "'" +
                   (open_blocks.size() == 0 ? std::string(" outside any block") : ", expected " + quoted_list(open_blocks)));
    } else {
      tokens_.fail("unknown tag '" + tag + "'");
    }
  }

  // Consumes the end tag's name (left current by parse_body) and its %}.
  void close_block() {
    tokens_.advance();
    tokens_.expect_statement_end();
  }

  // Assignment targets: a name or names, optionally parenthesized.
  std::vector<std::string> parse_targets() {
    std::vector<std::string> targets;
    const bool parenthesized = tokens_.skip_operator("(");
    do {
      if (parenthesized && tokens_.at_operator(")")) break;
      if (!parenthesized && (tokens_.at_name("in") || tokens_.at_operator("="))) break;
      targets.push_back(tokens_.expect_name());
    } while (tokens_.skip_operator(","));
    if (parenthesized) tokens_.expect_operator(")");
    if (targets.empty()) tokens_.fail("expected an assignment target");
    return targets;
  }

  For parse_for() {
    tokens_.advance();
    For node;
    node.targets = parse_targets();
    tokens_.expect_name("in");
    node.iterable = expressions_.parse_tuple(false, {"recursive"}, false);
    // Loop bodies are jinja2 "inner" frames, never soft.
    SoftScope soft(expressions_, false);
    if (tokens_.skip_name("if")) node.condition = expressions_.parse_expression(true);
    if (tokens_.at_name("recursive")) tokens_.fail("recursive loops are not supported");
    tokens_.expect_statement_end();
    ++loop_depth_;
    const std::string end = parse_body(node.body, {"endfor", "else"});
    --loop_depth_;
    if (end == "else") {
      close_block();
      parse_body(node.otherwise, {"endfor"});
    }
    close_block();
    return node;
  }

  If parse_if() {
    tokens_.advance();
    If node;
    SoftScope soft(expressions_, true);
    while (true) {
      ExprPtr test = expressions_.parse_tuple(false, {}, false);
      tokens_.expect_statement_end();
      Body branch;
      const std::string end = parse_body(branch, {"elif", "else", "endif"});
      node.branches.emplace_back(std::move(test), std::move(branch));
      tokens_.advance();
      if (end == "elif") continue;
      if (end == "else") {
        tokens_.expect_statement_end();
        parse_body(node.otherwise, {"endif"});
        tokens_.advance();
      }
      break;
    }
    tokens_.expect_statement_end();
    return node;
  }

  std::unique_ptr<Stmt> parse_set() {
    const int line = tokens_.current().line;
    tokens_.advance();
    if (tokens_.at(TokenKind::kName) && tokens_.peek().kind == TokenKind::kOperator && tokens_.peek().value == ".") {
      Set node;
      node.targets.push_back(tokens_.expect_name());
      tokens_.advance();
      node.namespace_attribute = tokens_.expect_name();
      tokens_.expect_operator("=");
      node.value = expressions_.parse_tuple(true, {}, false);
      tokens_.expect_statement_end();
      return make_stmt(line, std::move(node));
    }
    std::vector<std::string> targets = parse_targets();
    if (tokens_.skip_operator("=")) {
      Set node;
      node.targets = std::move(targets);
      node.value = expressions_.parse_tuple(true, {}, false);
      tokens_.expect_statement_end();
      return make_stmt(line, std::move(node));
    }
    if (targets.size() != 1) tokens_.fail("a set block assigns to one name");
    SetBlock node;
    node.target = targets.front();
    while (tokens_.at_operator("|")) node.filters.push_back(expressions_.parse_filter(nullptr));
    tokens_.expect_statement_end();
    {
      SoftScope soft(expressions_, false);
      parse_body(node.body, {"endset"});
    }
    close_block();
    return make_stmt(line, std::move(node));
  }

  Macro parse_macro() {
    tokens_.advance();
    Macro node;
    node.name = tokens_.expect_name();
    tokens_.expect_operator("(");
    while (!tokens_.at_operator(")")) {
      if (!node.params.empty()) tokens_.expect_operator(",");
      if (tokens_.at_operator(")")) break;
      MacroParam param;
      param.name = tokens_.expect_name();
      if (tokens_.skip_operator("=")) {
        param.default_value = expressions_.parse_expression(true);
      } else if (!node.params.empty() && node.params.back().default_value) {
        tokens_.fail("non-default argument follows default argument");
      }
      node.params.push_back(std::move(param));
    }
    tokens_.advance();
    tokens_.expect_statement_end();
    // A macro body is a function: loops around its definition do not count.
    const int outer_loop_depth = loop_depth_;
    loop_depth_ = 0;
    {
      SoftScope soft(expressions_, false);
      parse_body(node.body, {"endmacro"});
    }
    loop_depth_ = outer_loop_depth;
    close_block();
    return node;
  }

  TokenStream tokens_;
  ExpressionParser expressions_;
  int loop_depth_ = 0;
};

}  // namespace

ast::Body parse(const std::vector<Token>& tokens) { return StatementParser(tokens).parse_template(); }

}  // namespace smolvlm::jinja
