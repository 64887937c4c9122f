#include "chat/jinja_value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "chat/jinja_text.h"

namespace smolvlm::jinja {
namespace {

void check_nesting(int nesting) {
  if (nesting > kMaxValueNesting) {
    throw RuntimeError("values nest deeper than " + std::to_string(kMaxValueNesting) + " levels");
  }
}

// str.isprintable() for non-ASCII: separators, format characters, controls,
// surrogates and private use are escaped by repr().
bool is_printable_non_ascii(char32_t c) {
  if (c <= 0xA0 || c == 0xAD) return false;
  if ((c >= 0x600 && c <= 0x605) || c == 0x61C || c == 0x6DD || c == 0x70F || c == 0x180E) return false;
  if (c == 0x1680 || (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F)) return false;
  if ((c >= 0x205F && c <= 0x2064) || (c >= 0x2066 && c <= 0x206F) || c == 0x3000) return false;
  if ((c >= 0xD800 && c <= 0xF8FF) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFB)) return false;
  if (c == 0xFFFE || c == 0xFFFF || c == 0x110BD || (c >= 0x1D173 && c <= 0x1D17A)) return false;
  if (c == 0xE0001 || (c >= 0xE0020 && c <= 0xE007F) || c >= 0xF0000) return false;
  return true;
}

std::string join_reprs(const std::vector<Value>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i].repr();
  }
  return out;
}

std::string dict_repr(const Dict& dict) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : dict.entries()) {
    if (!first) out += ", ";
    first = false;
    out += python_string_repr(key) + ": " + value.repr();
  }
  return out + "}";
}

}  // namespace

const Value* Dict::find(std::string_view key) const {
  for (const auto& entry : entries_) {
    if (entry.first == key) return &entry.second;
  }
  return nullptr;
}

void Dict::set(std::string key, Value value) {
  nesting_ = std::max(nesting_, value.nesting() + 1);
  check_nesting(nesting_);
  for (auto& entry : entries_) {
    if (entry.first == key) {
      entry.second = std::move(value);
      return;
    }
  }
  if (entries_.size() >= kMaxContainerItems) throw RuntimeError("dict has too many items");
  entries_.emplace_back(std::move(key), std::move(value));
}

Value::Value(std::string s) {
  if (s.size() > kMaxStringBytes) {
    throw RuntimeError("string longer than " + std::to_string(kMaxStringBytes) + " bytes");
  }
  storage_ = std::move(s);
}

Value::Value(List list) {
  if (list.items.size() > kMaxContainerItems) throw RuntimeError("list has too many items");
  list.nesting = 1;
  for (const Value& item : list.items) list.nesting = std::max(list.nesting, item.nesting() + 1);
  check_nesting(list.nesting);
  storage_ = std::make_shared<const List>(std::move(list));
}

Value::Value(Dict dict) : storage_(std::make_shared<const Dict>(std::move(dict))) {}

Value Value::tuple(std::vector<Value> items) { return Value(List{std::move(items), true}); }

std::int64_t Value::as_int() const { return is_bool() ? (as_bool() ? 1 : 0) : std::get<std::int64_t>(storage_); }

double Value::as_double() const { return is_float() ? std::get<double>(storage_) : static_cast<double>(as_int()); }

void Value::require_defined() const {
  if (is_undefined()) throw RuntimeError(undefined_message());
}

bool Value::truthy() const {
  if (is_undefined() || is_none()) return false;
  if (is_bool()) return as_bool();
  if (is_int()) return as_int() != 0;
  if (is_float()) return as_double() != 0.0;
  if (is_string()) return !as_string().empty();
  if (is_list()) return !as_list().items.empty();
  if (is_dict()) return as_dict().size() != 0;
  return true;
}

std::string Value::str() const {
  if (is_undefined()) return "";
  if (is_none()) return "None";
  if (is_bool()) return as_bool() ? "True" : "False";
  if (is_int()) return std::to_string(as_int());
  if (is_float()) return python_float_repr(as_double());
  if (is_string()) return as_string();
  if (is_list()) {
    const List& list = as_list();
    if (!list.is_tuple) return "[" + join_reprs(list.items) + "]";
    return "(" + join_reprs(list.items) + (list.items.size() == 1 ? ",)" : ")");
  }
  if (is_dict()) return dict_repr(as_dict());
  if (is_namespace()) return "<Namespace " + dict_repr(as_namespace().attributes) + ">";
  return "<function " + as_function().name + ">";
}

std::string Value::repr() const {
  if (is_undefined()) return "Undefined";
  if (is_string()) return python_string_repr(as_string());
  return str();
}

std::string Value::type_name() const {
  if (is_undefined()) return "Undefined";
  if (is_none()) return "NoneType";
  if (is_bool()) return "bool";
  if (is_int()) return "int";
  if (is_float()) return "float";
  if (is_string()) return "str";
  if (is_list()) return as_list().is_tuple ? "tuple" : "list";
  if (is_dict()) return "dict";
  if (is_namespace()) return "Namespace";
  return "function";
}

int Value::nesting() const {
  if (is_list()) return as_list().nesting;
  if (is_dict()) return as_dict().nesting();
  return 0;
}

std::vector<Value> Value::iterate() const {
  if (is_undefined()) return {};
  if (is_list()) return as_list().items;
  std::vector<Value> items;
  if (is_dict()) {
    for (const auto& entry : as_dict().entries()) items.emplace_back(entry.first);
    return items;
  }
  if (is_string()) {
    for (char32_t c : text::decode(as_string())) {
      std::string one;
      text::append_utf8(one, c);
      items.emplace_back(std::move(one));
    }
    return items;
  }
  throw RuntimeError("'" + type_name() + "' object is not iterable");
}

bool Value::contains_namespace() const {
  if (is_namespace()) return true;
  if (is_list()) {
    const auto& items = as_list().items;
    return std::any_of(items.begin(), items.end(), [](const Value& v) { return v.contains_namespace(); });
  }
  if (is_dict()) {
    const auto& entries = as_dict().entries();
    return std::any_of(entries.begin(), entries.end(), [](const auto& e) { return e.second.contains_namespace(); });
  }
  return false;
}

bool Value::identical(const Value& other) const {
  if (storage_.index() != other.storage_.index()) return false;
  if (is_list()) return &as_list() == &other.as_list();
  if (is_dict()) return &as_dict() == &other.as_dict();
  if (is_namespace()) return &as_namespace() == &other.as_namespace();
  if (is_function()) return &as_function() == &other.as_function();
  return values_equal(*this, other);
}

bool values_equal(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_integral() && b.is_integral()) return a.as_int() == b.as_int();
    return a.as_double() == b.as_double();
  }
  if (a.is_string() && b.is_string()) return a.as_string() == b.as_string();
  if (a.is_undefined() && b.is_undefined()) return true;
  if (a.is_none() && b.is_none()) return true;
  if (a.is_list() && b.is_list()) {
    const List& x = a.as_list();
    const List& y = b.as_list();
    if (x.is_tuple != y.is_tuple || x.items.size() != y.items.size()) return false;
    for (std::size_t i = 0; i < x.items.size(); ++i) {
      if (!values_equal(x.items[i], y.items[i])) return false;
    }
    return true;
  }
  if (a.is_dict() && b.is_dict()) {
    const Dict& x = a.as_dict();
    const Dict& y = b.as_dict();
    if (x.size() != y.size()) return false;
    for (const auto& [key, value] : x.entries()) {
      const Value* other = y.find(key);
      if (other == nullptr || !values_equal(value, *other)) return false;
    }
    return true;
  }
  if ((a.is_namespace() && b.is_namespace()) || (a.is_function() && b.is_function())) return a.identical(b);
  return false;
}

bool value_less(const Value& a, const Value& b) {
  a.require_defined();
  b.require_defined();
  if (a.is_number() && b.is_number()) {
    if (a.is_integral() && b.is_integral()) return a.as_int() < b.as_int();
    return a.as_double() < b.as_double();
  }
  // UTF-8 byte order is code point order, which is how Python orders str.
  if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();
  if (a.is_list() && b.is_list() && a.as_list().is_tuple == b.as_list().is_tuple) {
    const auto& x = a.as_list().items;
    const auto& y = b.as_list().items;
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (!values_equal(x[i], y[i])) return value_less(x[i], y[i]);
    }
    return x.size() < y.size();
  }
  throw RuntimeError("'<' not supported between instances of '" + a.type_name() + "' and '" +
                     b.type_name() + "'");
}

std::string python_float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  if (d == 0.0) return std::signbit(d) ? "-0.0" : "0.0";
  // Shortest round-trip digits, then Python's layout: positional for
  // exponents in [-4, 16), otherwise d.ddde+XX.
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), d, std::chars_format::scientific);
  std::string_view sci(buffer, static_cast<std::size_t>(result.ptr - buffer));
  std::string sign;
  if (sci.front() == '-') {
    sign = "-";
    sci.remove_prefix(1);
  }
  const std::size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  const int exponent = std::stoi(std::string(sci.substr(e_pos + 1)));
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return sign + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    const auto int_digits = static_cast<std::size_t>(exponent + 1);
    if (digits.size() <= int_digits) return sign + digits + std::string(int_digits - digits.size(), '0') + ".0";
    return sign + digits.substr(0, int_digits) + "." + digits.substr(int_digits);
  }
  std::string mantissa = digits.substr(0, 1);
  if (digits.size() > 1) mantissa += "." + digits.substr(1);
  char exp_text[16];
  std::snprintf(exp_text, sizeof(exp_text), "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  return sign + mantissa + exp_text;
}

std::string python_string_repr(std::string_view s) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const bool has_double = s.find('"') != std::string_view::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, quote);
  for (char32_t c : text::decode(s)) {
    if (c == '\\' || c == static_cast<char32_t>(quote)) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F || (c >= 0x80 && !is_printable_non_ascii(c))) {
      char escaped[16];
      if (c < 0x100) std::snprintf(escaped, sizeof(escaped), "\\x%02x", static_cast<unsigned>(c));
      else if (c < 0x10000) std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned>(c));
      else std::snprintf(escaped, sizeof(escaped), "\\U%08x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      text::append_utf8(out, c);
    }
  }
  out += quote;
  return out;
}

}  // namespace smolvlm::jinja
