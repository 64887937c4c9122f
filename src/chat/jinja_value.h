// The dynamic values a chat template computes with, modelled on the Python
// objects jinja2 hands around: printing, truthiness, equality and ordering
// follow Python so that rendered prompts match transformers byte for byte.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace smolvlm::jinja {

// Thrown by value operations, which know no template position; the renderer
// catches it and rethrows smolvlm::Error with the line of the expression.
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bounds that keep a hostile or broken template from exhausting memory.
inline constexpr std::size_t kMaxStringBytes = 32u << 20;
inline constexpr std::size_t kMaxContainerItems = 1u << 20;
inline constexpr int kMaxValueNesting = 256;

class Value;
class Renderer;

// jinja2's default Undefined: prints as '', is falsy and iterates as empty,
// but any attribute access, call or arithmetic raises `message`.
struct Undefined {
  std::string message;
};

struct NoneType {};

struct List {
  std::vector<Value> items;
  bool is_tuple = false;  // only changes how Python prints it and == against lists
  int nesting = 1;
};

// A Python dict with string keys, in insertion order.
class Dict {
 public:
  const Value* find(std::string_view key) const;
  // Replaces the value of an existing key in place, like Python.
  void set(std::string key, Value value);
  const std::vector<std::pair<std::string, Value>>& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  int nesting() const { return nesting_; }

 private:
  std::vector<std::pair<std::string, Value>> entries_;
  int nesting_ = 1;
};

// jinja2's namespace(): the one mutable object, so loops can carry state out.
struct Namespace {
  Dict attributes;
};

struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
};

struct Function {
  std::string name;
  std::function<Value(Renderer&, const CallArgs&)> call;
};

class Value {
 public:
  Value() : storage_(Undefined{}) {}
  Value(Undefined u) : storage_(std::move(u)) {}
  Value(NoneType) : storage_(NoneType{}) {}
  Value(bool b) : storage_(b) {}
  Value(int i) : storage_(std::int64_t{i}) {}
  Value(std::int64_t i) : storage_(i) {}
  Value(double d) : storage_(d) {}
  Value(std::string s);
  Value(const char* s) : Value(std::string(s)) {}
  Value(List list);
  Value(Dict dict);
  Value(std::shared_ptr<Namespace> ns) : storage_(std::move(ns)) {}
  Value(Function fn) : storage_(std::make_shared<const Function>(std::move(fn))) {}

  static Value undefined(std::string message) { return Value(Undefined{std::move(message)}); }
  static Value none() { return Value(NoneType{}); }
  static Value tuple(std::vector<Value> items);

  bool is_undefined() const { return holds<Undefined>(); }
  bool is_none() const { return holds<NoneType>(); }
  bool is_bool() const { return holds<bool>(); }
  bool is_int() const { return holds<std::int64_t>(); }
  bool is_float() const { return holds<double>(); }
  // Python's bool is an int: True + 1 == 2 and True == 1.
  bool is_integral() const { return is_int() || is_bool(); }
  bool is_number() const { return is_integral() || is_float(); }
  bool is_string() const { return holds<std::string>(); }
  bool is_list() const { return holds<std::shared_ptr<const List>>(); }
  bool is_dict() const { return holds<std::shared_ptr<const Dict>>(); }
  bool is_namespace() const { return holds<std::shared_ptr<Namespace>>(); }
  bool is_function() const { return holds<std::shared_ptr<const Function>>(); }

  bool as_bool() const { return std::get<bool>(storage_); }
  std::int64_t as_int() const;  // ints and bools
  double as_double() const;     // any number
  const std::string& as_string() const { return std::get<std::string>(storage_); }
  const List& as_list() const { return *std::get<std::shared_ptr<const List>>(storage_); }
  const Dict& as_dict() const { return *std::get<std::shared_ptr<const Dict>>(storage_); }
  Namespace& as_namespace() const { return *std::get<std::shared_ptr<Namespace>>(storage_); }
  const Function& as_function() const { return *std::get<std::shared_ptr<const Function>>(storage_); }
  const std::string& undefined_message() const { return std::get<Undefined>(storage_).message; }

  // Throws the undefined's own message; for operations jinja2 refuses on Undefined.
  void require_defined() const;

  bool truthy() const;
  std::string str() const;   // Python str(): what {{ }} prints
  std::string repr() const;  // Python repr(): how items print inside lists and dicts
  // Python's type name, as in "'int' object is not iterable".
  std::string type_name() const;
  // How lists and dicts nest; bounded so printing and comparing never overflow the stack.
  int nesting() const;
  // The items a for loop visits: list items, dict keys, string characters.
  std::vector<Value> iterate() const;
  // True for namespaces and anything that holds one (they must not contain themselves).
  bool contains_namespace() const;

  bool identical(const Value& other) const;  // Python `is`, for the sameas test

 private:
  template <typename T>
  bool holds() const { return std::holds_alternative<T>(storage_); }

  std::variant<Undefined, NoneType, bool, std::int64_t, double, std::string,
               std::shared_ptr<const List>, std::shared_ptr<const Dict>,
               std::shared_ptr<Namespace>, std::shared_ptr<const Function>>
      storage_;
};

// Python ==, including 1 == 1.0 == True and list != tuple.
bool values_equal(const Value& a, const Value& b);
// Python <; throws RuntimeError for types Python cannot order.
bool value_less(const Value& a, const Value& b);

std::string python_float_repr(double d);
std::string python_string_repr(std::string_view s);

}  // namespace smolvlm::jinja
