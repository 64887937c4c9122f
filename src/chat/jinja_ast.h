// The parsed form of a template: statements and expressions, each with the
// source line that errors point at.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "chat/jinja_value.h"

namespace smolvlm::jinja::ast {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Arguments {
  std::vector<ExprPtr> positional;
  std::vector<std::pair<std::string, ExprPtr>> keyword;
};

struct Literal { Value value; };
struct Variable { std::string name; };
struct ListLiteral { std::vector<ExprPtr> items; bool is_tuple = false; };
struct DictLiteral { std::vector<std::pair<ExprPtr, ExprPtr>> entries; };
struct Attribute { ExprPtr object; std::string name; };       // a.b
struct Subscript { ExprPtr object; ExprPtr key; };            // a[k]
struct Slice { ExprPtr object; ExprPtr start, stop, step; };  // a[x:y:z]; absent parts are null
struct Call { ExprPtr callee; Arguments args; };
struct Filter { ExprPtr operand; std::string name; Arguments args; };  // operand | name(args)
struct Test { ExprPtr operand; std::string name; Arguments args; };    // operand is name(args)

enum class UnaryOp { kNegate, kPlus, kNot };
struct Unary { UnaryOp op; ExprPtr operand; };

enum class BinaryOp { kAdd, kSubtract, kMultiply, kDivide, kFloorDivide, kModulo, kPower, kConcat, kAnd, kOr };
struct Binary { BinaryOp op; ExprPtr left, right; };

enum class CompareOp { kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual, kIn, kNotIn };
// Python chains comparisons: a < b < c means a < b and b < c.
struct Compare { ExprPtr first; std::vector<std::pair<CompareOp, ExprPtr>> rest; };

// if_false may be null: `a if c` yields undefined when c is false.
struct Conditional { ExprPtr condition, if_true, if_false; };

struct Expr {
  int line = 0;
  std::variant<Literal, Variable, ListLiteral, DictLiteral, Attribute, Subscript, Slice, Call, Filter, Test,
               Unary, Binary, Compare, Conditional>
      node;
};

struct Stmt;
using Body = std::vector<std::unique_ptr<Stmt>>;

struct Text { std::string text; };
struct Print { ExprPtr value; };
struct If {
  std::vector<std::pair<ExprPtr, Body>> branches;  // if, then each elif
  Body otherwise;
};
struct For {
  std::vector<std::string> targets;  // more than one unpacks each item
  ExprPtr iterable;
  ExprPtr condition;  // `for x in xs if cond`; may be null
  Body body;
  Body otherwise;  // runs when no item passed
};
// {% set a = x %}, {% set a, b = x %} or {% set ns.attr = x %}.
struct Set {
  std::vector<std::string> targets;
  std::string namespace_attribute;  // non-empty: targets[0] is a namespace
  ExprPtr value;
};
// {% set a | filters %}body{% endset %}
struct SetBlock {
  std::string target;
  std::vector<ExprPtr> filters;  // Filter nodes with a null operand, applied in order to the body's text
  Body body;
};
struct MacroParam { std::string name; ExprPtr default_value; };
struct Macro { std::string name; std::vector<MacroParam> params; Body body; };
struct LoopControl { bool is_break; };

struct Stmt {
  int line = 0;
  std::variant<Text, Print, If, For, Set, SetBlock, Macro, LoopControl> node;
};

}  // namespace smolvlm::jinja::ast
