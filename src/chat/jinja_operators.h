// Python's operators on template values: arithmetic, comparison, membership,
// and jinja2's sandboxed attribute and item lookup.
#pragma once

#include <string>

#include "chat/jinja_ast.h"
#include "chat/jinja_value.h"

namespace smolvlm::jinja {

// Arithmetic operators only (not and/or/~, which need no operand types).
Value binary_operation(ast::BinaryOp op, const Value& left, const Value& right);
Value negate(const Value& operand);
Value unary_plus(const Value& operand);
bool compare(ast::CompareOp op, const Value& left, const Value& right);
// Python `needle in haystack`.
bool contains(const Value& haystack, const Value& needle);

// a.b: methods of str and dict first, then dict keys and namespace attributes;
// anything missing is an Undefined that fails only when used further.
Value get_attribute(const Value& object, const std::string& name);
// a[k]: items first, then attributes, as jinja2's sandbox does.
Value get_item(const Value& object, const Value& key);
// a[start:stop:step]; null pointers stand for absent parts.
Value get_slice(const Value& object, const Value* start, const Value* stop, const Value* step);

}  // namespace smolvlm::jinja
