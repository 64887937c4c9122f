// Executes a parsed template against its variables.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "chat/jinja_ast.h"
#include "chat/jinja_value.h"

namespace smolvlm::jinja {

// Renders one template once. Errors throw smolvlm::Error with the line of
// the failing expression and leave the renderer unusable.
class Renderer {
 public:
  explicit Renderer(const Dict& variables);

  std::string render(const ast::Body& body);
  // Reached through the Function values that {% macro %} defines.
  Value call_macro(const ast::Macro& macro, const CallArgs& args);

 private:
  enum class Flow { kNormal, kBreak, kContinue };
  using Scope = std::unordered_map<std::string, Value>;
  class Nesting;

  Flow execute(const ast::Body& body);
  Flow execute(const ast::Stmt& stmt);
  Flow run(const ast::Text& node);
  Flow run(const ast::Print& node);
  Flow run(const ast::If& node);
  Flow run(const ast::For& node);
  Flow run(const ast::Set& node);
  Flow run(const ast::SetBlock& node);
  Flow run(const ast::Macro& node);
  Flow run(const ast::LoopControl& node);

  Value evaluate(const ast::Expr& expr);
  Value eval(const ast::Literal& node, int line);
  Value eval(const ast::Variable& node, int line);
  Value eval(const ast::ListLiteral& node, int line);
  Value eval(const ast::DictLiteral& node, int line);
  Value eval(const ast::Attribute& node, int line);
  Value eval(const ast::Subscript& node, int line);
  Value eval(const ast::Slice& node, int line);
  Value eval(const ast::Call& node, int line);
  Value eval(const ast::Filter& node, int line);
  Value eval(const ast::Test& node, int line);
  Value eval(const ast::Unary& node, int line);
  Value eval(const ast::Binary& node, int line);
  Value eval(const ast::Compare& node, int line);
  Value eval(const ast::Conditional& node, int line);
  CallArgs evaluate_arguments(const ast::Arguments& args);

  const Value* find_variable(const std::string& name) const;
  void assign(const std::vector<std::string>& targets, const Value& value);
  void emit(std::string_view text);
  // Counts work so that loops over loops cannot run for hours.
  void charge(std::uint64_t units);

  std::vector<Scope> scopes_;  // [0] holds the template's variables and top-level sets
  std::size_t macro_scope_ = 0;  // a macro body sees scopes from here up, plus scopes_[0]
  std::string* out_ = nullptr;
  std::uint64_t work_ = 0;
  int nesting_ = 0;
};

}  // namespace smolvlm::jinja
