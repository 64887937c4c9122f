// jinja2's built-in filters, tests and globals, and the Python str and dict
// methods templates call; transformers adds raise_exception, strftime_now and
// its own tojson.
#pragma once

#include <initializer_list>
#include <optional>
#include <string_view>
#include <vector>

#include "chat/jinja_value.h"

namespace smolvlm::jinja {

bool is_known_filter(std::string_view name);
bool is_known_test(std::string_view name);
// Both throw RuntimeError for unknown names and bad arguments.
Value apply_filter(std::string_view name, const Value& operand, const CallArgs& args);
bool apply_test(std::string_view name, const Value& operand, const CallArgs& args);

// The str or dict method `name` bound to `object` (as "abc".upper), if any.
std::optional<Value> find_method(const Value& object, std::string_view name);

// range, namespace, dict, raise_exception, strftime_now.
const Dict& builtin_globals();

struct Parameter {
  std::string_view name;
  Value fallback = Value();  // used when the caller leaves the parameter out
  bool required = false;
};
// Matches positional and keyword arguments to parameters as Python does.
std::vector<Value> bind_arguments(std::string_view function, const CallArgs& args,
                                  std::initializer_list<Parameter> params);

}  // namespace smolvlm::jinja
