#include "chat/jinja_eval.h"

#include "chat/jinja_builtins.h"
#include "chat/jinja_error.h"
#include "chat/jinja_operators.h"

namespace smolvlm::jinja {
namespace {

// Far beyond any chat template; bounds the C++ stack (macro recursion
// included) and the time a hostile template can take.
constexpr int kMaxRenderNesting = 1000;
constexpr std::uint64_t kMaxWork = 10'000'000;

// Copying strings and lists costs time in proportion to their size.
std::uint64_t work_units(const Value& v) {
  if (v.is_string()) return 1 + v.as_string().size() / 64;
  if (v.is_list()) return 1 + v.as_list().items.size();
  if (v.is_dict()) return 1 + v.as_dict().size();
  return 1;
}

Value make_loop_info(const std::vector<Value>& items, std::size_t i) {
  const auto n = static_cast<std::int64_t>(items.size());
  const auto index = static_cast<std::int64_t>(i);
  Dict loop;
  loop.set("index", index + 1);
  loop.set("index0", index);
  loop.set("revindex", n - index);
  loop.set("revindex0", n - index - 1);
  loop.set("first", index == 0);
  loop.set("last", index == n - 1);
  loop.set("length", n);
  loop.set("depth", 1);
  loop.set("depth0", 0);
  if (i > 0) loop.set("previtem", items[i - 1]);
  if (i + 1 < items.size()) loop.set("nextitem", items[i + 1]);
  loop.set("cycle", Value(Function{"cycle", [i](Renderer&, const CallArgs& args) {
                                     if (args.positional.empty()) throw RuntimeError("no items for cycling given");
                                     return args.positional[i % args.positional.size()];
                                   }}));
  return Value(std::move(loop));
}

}  // namespace

class Renderer::Nesting {
 public:
  Nesting(Renderer& renderer, int line) : renderer_(renderer) {
    if (++renderer_.nesting_ > kMaxRenderNesting) {
      fail_at(line, "template nests deeper than " + std::to_string(kMaxRenderNesting) + " levels while rendering");
    }
  }
  ~Nesting() { --renderer_.nesting_; }
  Nesting(const Nesting&) = delete;
  Nesting& operator=(const Nesting&) = delete;

 private:
  Renderer& renderer_;
};

Renderer::Renderer(const Dict& variables) {
  scopes_.emplace_back();
  for (const auto& [name, value] : variables.entries()) scopes_.front()[name] = value;
}

std::string Renderer::render(const ast::Body& body) {
  std::string output;
  out_ = &output;
  execute(body);
  return output;
}

Renderer::Flow Renderer::execute(const ast::Body& body) {
  for (const auto& stmt : body) {
    const Flow flow = execute(*stmt);
    if (flow != Flow::kNormal) return flow;
  }
  return Flow::kNormal;
}

Renderer::Flow Renderer::execute(const ast::Stmt& stmt) {
  Nesting nesting(*this, stmt.line);
  try {
    charge(1);
    return std::visit([this](const auto& node) { return run(node); }, stmt.node);
  } catch (const RuntimeError& e) {
    fail_at(stmt.line, e.what());
  }
}

Renderer::Flow Renderer::run(const ast::Text& node) {
  emit(node.text);
  return Flow::kNormal;
}

Renderer::Flow Renderer::run(const ast::Print& node) {
  emit(evaluate(*node.value).str());
  return Flow::kNormal;
}

Renderer::Flow Renderer::run(const ast::If& node) {
  for (const auto& [condition, body] : node.branches) {
    if (evaluate(*condition).truthy()) return execute(body);
  }
  return execute(node.otherwise);
}

Renderer::Flow Renderer::run(const ast::For& node) {
  std::vector<Value> items = evaluate(*node.iterable).iterate();
  if (node.condition) {
    // The filter runs before the loop so that loop.length and loop.last count
    // only the items that pass, as in jinja2.
    std::vector<Value> kept;
    for (Value& item : items) {
      charge(1);
      scopes_.emplace_back();
      assign(node.targets, item);
      const bool keep = evaluate(*node.condition).truthy();
      scopes_.pop_back();
      if (keep) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  if (items.empty()) {
    scopes_.emplace_back();
    execute(node.otherwise);
    scopes_.pop_back();
    return Flow::kNormal;
  }
  // Each iteration gets a fresh scope: a {% set %} in the body is neither
  // seen by the next iteration nor after the loop.
  for (std::size_t i = 0; i < items.size(); ++i) {
    charge(1);
    scopes_.emplace_back();
    assign(node.targets, items[i]);
    scopes_.back()["loop"] = make_loop_info(items, i);
    const Flow flow = execute(node.body);
    scopes_.pop_back();
    if (flow == Flow::kBreak) break;
  }
  return Flow::kNormal;
}

Renderer::Flow Renderer::run(const ast::Set& node) {
  Value value = evaluate(*node.value);
  if (node.namespace_attribute.empty()) {
    assign(node.targets, value);
    return Flow::kNormal;
  }
  const Value* target = find_variable(node.targets.front());
  if (target == nullptr || !target->is_namespace()) throw RuntimeError("cannot assign attribute on non-namespace object");
  // Keeps namespaces acyclic, so shared ownership never leaks and printing ends.
  if (value.contains_namespace()) throw RuntimeError("a namespace cannot hold another namespace");
  target->as_namespace().attributes.set(node.namespace_attribute, std::move(value));
  return Flow::kNormal;
}

Renderer::Flow Renderer::run(const ast::SetBlock& node) {
  std::string captured;
  std::string* outer = out_;
  out_ = &captured;
  const Flow flow = execute(node.body);
  out_ = outer;
  Value value(std::move(captured));
  for (const auto& filter_expr : node.filters) {
    const auto& filter = std::get<ast::Filter>(filter_expr->node);
    try {
      value = apply_filter(filter.name, value, evaluate_arguments(filter.args));
    } catch (const RuntimeError& e) {
      fail_at(filter_expr->line, e.what());
    }
  }
  assign({node.target}, value);
  return flow;
}

Renderer::Flow Renderer::run(const ast::Macro& node) {
  const ast::Macro* macro = &node;
  scopes_.back()[node.name] = Value(Function{
      node.name, [macro](Renderer& renderer, const CallArgs& args) { return renderer.call_macro(*macro, args); }});
  return Flow::kNormal;
}

Renderer::Flow Renderer::run(const ast::LoopControl& node) { return node.is_break ? Flow::kBreak : Flow::kContinue; }

Value Renderer::call_macro(const ast::Macro& macro, const CallArgs& args) {
  if (args.positional.size() > macro.params.size()) {
    throw RuntimeError("macro '" + macro.name + "' takes not more than " + std::to_string(macro.params.size()) +
                       " argument(s)");
  }
  // A macro sees its parameters and the template's top-level names, not the
  // caller's loop variables.
  const std::size_t outer_macro_scope = macro_scope_;
  scopes_.emplace_back();
  macro_scope_ = scopes_.size() - 1;
  std::vector<bool> given(macro.params.size(), false);
  for (std::size_t i = 0; i < args.positional.size(); ++i) {
    scopes_.back()[macro.params[i].name] = args.positional[i];
    given[i] = true;
  }
  for (const auto& [key, value] : args.keyword) {
    std::size_t i = 0;
    while (i < macro.params.size() && macro.params[i].name != key) ++i;
    if (i == macro.params.size()) throw RuntimeError("macro '" + macro.name + "' takes no keyword argument '" + key + "'");
    scopes_.back()[key] = value;
    given[i] = true;
  }
  for (std::size_t i = 0; i < macro.params.size(); ++i) {
    if (given[i]) continue;
    const ast::MacroParam& param = macro.params[i];
    scopes_.back()[param.name] = param.default_value
                                     ? evaluate(*param.default_value)
                                     : Value::undefined("parameter '" + param.name + "' was not provided");
  }
  std::string result;
  std::string* outer = out_;
  out_ = &result;
  execute(macro.body);
  out_ = outer;
  scopes_.pop_back();
  macro_scope_ = outer_macro_scope;
  return Value(std::move(result));
}

Value Renderer::evaluate(const ast::Expr& expr) {
  Nesting nesting(*this, expr.line);
  try {
    Value value = std::visit([&](const auto& node) { return eval(node, expr.line); }, expr.node);
    charge(work_units(value));
    return value;
  } catch (const RuntimeError& e) {
    fail_at(expr.line, e.what());
  }
}

Value Renderer::eval(const ast::Literal& node, int) { return node.value; }

Value Renderer::eval(const ast::Variable& node, int) {
  if (const Value* found = find_variable(node.name)) return *found;
  return Value::undefined("'" + node.name + "' is undefined");
}

Value Renderer::eval(const ast::ListLiteral& node, int) {
  List list{{}, node.is_tuple};
  for (const auto& item : node.items) list.items.push_back(evaluate(*item));
  return Value(std::move(list));
}

Value Renderer::eval(const ast::DictLiteral& node, int) {
  Dict dict;
  for (const auto& [key_expr, value_expr] : node.entries) {
    const Value key = evaluate(*key_expr);
    if (!key.is_string()) throw RuntimeError("only string keys are supported in dict literals, got " + key.type_name());
    dict.set(key.as_string(), evaluate(*value_expr));
  }
  return Value(std::move(dict));
}

Value Renderer::eval(const ast::Attribute& node, int) { return get_attribute(evaluate(*node.object), node.name); }

Value Renderer::eval(const ast::Subscript& node, int) {
  const Value object = evaluate(*node.object);
  return get_item(object, evaluate(*node.key));
}

Value Renderer::eval(const ast::Slice& node, int) {
  const Value object = evaluate(*node.object);
  const Value start = node.start ? evaluate(*node.start) : Value::none();
  const Value stop = node.stop ? evaluate(*node.stop) : Value::none();
  const Value step = node.step ? evaluate(*node.step) : Value::none();
  return get_slice(object, &start, &stop, &step);
}

Value Renderer::eval(const ast::Call& node, int) {
  const Value callee = evaluate(*node.callee);
  const CallArgs args = evaluate_arguments(node.args);
  callee.require_defined();
  if (!callee.is_function()) throw RuntimeError("'" + callee.type_name() + "' object is not callable");
  return callee.as_function().call(*this, args);
}

Value Renderer::eval(const ast::Filter& node, int) {
  const Value operand = evaluate(*node.operand);
  return apply_filter(node.name, operand, evaluate_arguments(node.args));
}

Value Renderer::eval(const ast::Test& node, int) {
  const Value operand = evaluate(*node.operand);
  return apply_test(node.name, operand, evaluate_arguments(node.args));
}

Value Renderer::eval(const ast::Unary& node, int) {
  const Value operand = evaluate(*node.operand);
  switch (node.op) {
    case ast::UnaryOp::kNot: return !operand.truthy();
    case ast::UnaryOp::kNegate: return negate(operand);
    case ast::UnaryOp::kPlus: return unary_plus(operand);
  }
  return operand;
}

Value Renderer::eval(const ast::Binary& node, int) {
  Value left = evaluate(*node.left);
  // and/or short-circuit and yield an operand, as in Python.
  if (node.op == ast::BinaryOp::kAnd) return left.truthy() ? evaluate(*node.right) : left;
  if (node.op == ast::BinaryOp::kOr) return left.truthy() ? left : evaluate(*node.right);
  const Value right = evaluate(*node.right);
  if (node.op == ast::BinaryOp::kConcat) return Value(left.str() + right.str());
  return binary_operation(node.op, left, right);
}

Value Renderer::eval(const ast::Compare& node, int) {
  Value left = evaluate(*node.first);
  for (const auto& [op, right_expr] : node.rest) {
    Value right = evaluate(*right_expr);
    if (!compare(op, left, right)) return false;
    left = std::move(right);
  }
  return true;
}

Value Renderer::eval(const ast::Conditional& node, int line) {
  if (evaluate(*node.condition).truthy()) return evaluate(*node.if_true);
  if (node.if_false) return evaluate(*node.if_false);
  return Value::undefined("the inline if-expression on line " + std::to_string(line) +
                          " evaluated to false and no else section was defined.");
}

CallArgs Renderer::evaluate_arguments(const ast::Arguments& args) {
  CallArgs values;
  for (const auto& arg : args.positional) values.positional.push_back(evaluate(*arg));
  for (const auto& [name, arg] : args.keyword) values.keyword.emplace_back(name, evaluate(*arg));
  return values;
}

const Value* Renderer::find_variable(const std::string& name) const {
  for (std::size_t i = scopes_.size(); i-- > macro_scope_;) {
    if (auto it = scopes_[i].find(name); it != scopes_[i].end()) return &it->second;
  }
  if (macro_scope_ > 0) {
    if (auto it = scopes_.front().find(name); it != scopes_.front().end()) return &it->second;
  }
  return builtin_globals().find(name);
}

void Renderer::assign(const std::vector<std::string>& targets, const Value& value) {
  if (targets.size() == 1) {
    scopes_.back()[targets.front()] = value;
    return;
  }
  const std::vector<Value> parts = value.iterate();
  if (parts.size() < targets.size()) {
    throw RuntimeError("not enough values to unpack (expected " + std::to_string(targets.size()) + ", got " +
                       std::to_string(parts.size()) + ")");
  }
  if (parts.size() > targets.size()) {
    throw RuntimeError("too many values to unpack (expected " + std::to_string(targets.size()) + ")");
  }
  for (std::size_t i = 0; i < targets.size(); ++i) scopes_.back()[targets[i]] = parts[i];
}

void Renderer::emit(std::string_view text) {
  if (out_->size() + text.size() > kMaxStringBytes) {
    throw RuntimeError("output longer than " + std::to_string(kMaxStringBytes) + " bytes");
  }
  out_->append(text);
}

void Renderer::charge(std::uint64_t units) {
  work_ += units;
  if (work_ > kMaxWork) throw RuntimeError("template does too much work (over " + std::to_string(kMaxWork) + " steps)");
}

}  // namespace smolvlm::jinja
