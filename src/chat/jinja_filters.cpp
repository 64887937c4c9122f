// jinja2's filters and tests, with Python's semantics for the values they see.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <unordered_map>

#include "chat/jinja_builtins.h"
#include "chat/jinja_json.h"
#include "chat/jinja_operators.h"
#include "chat/jinja_text.h"

namespace smolvlm::jinja {
namespace {

using FilterFunction = Value (*)(const Value& operand, const CallArgs& args);
using TestFunction = bool (*)(const Value& operand, const CallArgs& args);

std::optional<std::string> optional_string(const Value& v) {
  if (v.is_none() || v.is_undefined()) return std::nullopt;
  return v.str();
}

std::int64_t length_of(const Value& v) {
  if (v.is_undefined()) return 0;
  if (v.is_string()) return static_cast<std::int64_t>(text::length(v.as_string()));
  if (v.is_list()) return static_cast<std::int64_t>(v.as_list().items.size());
  if (v.is_dict()) return static_cast<std::int64_t>(v.as_dict().size());
  throw RuntimeError("object of type '" + v.type_name() + "' has no len()");
}

// Python int(text, base): surrounding whitespace, a sign, single underscores
// between digits, and a 0x/0o/0b prefix matching the base (or any, for base 0).
std::optional<std::int64_t> parse_python_int(const std::string& raw, std::int64_t base) {
  std::string s = text::strip(raw, std::nullopt, text::StripSide::kBoth);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.erase(0, 1);
  }
  if (s.size() > 2 && s[0] == '0') {
    const char p = static_cast<char>(s[1] | 0x20);
    const int prefixed = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
    if (prefixed != 0 && (base == 0 || base == prefixed)) {
      base = prefixed;
      s.erase(0, 2);
      if (!s.empty() && s[0] == '_') s.erase(0, 1);
    }
  }
  if (base == 0) base = 10;
  if (base < 2 || base > 36 || s.empty() || s.front() == '_' || s.back() == '_') return std::nullopt;
  std::string digits;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_') {
      if (s[i + 1] == '_') return std::nullopt;
      continue;
    }
    digits.push_back(s[i]);
  }
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(digits.c_str(), &end, static_cast<int>(base));
  if (end != digits.c_str() + digits.size() || errno == ERANGE || digits.find_first_of("+- ") != std::string::npos) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

// Python float(text) for the spellings templates meet: decimal, exponent, inf, nan.
std::optional<double> parse_python_float(const std::string& raw) {
  std::string s = text::strip(raw, std::nullopt, text::StripSide::kBoth);
  std::string cleaned;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool between_digits = i > 0 && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i - 1])) &&
                                std::isdigit(static_cast<unsigned char>(s[i + 1]));
    if (s[i] == '_' && between_digits) continue;
    cleaned.push_back(s[i]);
  }
  if (cleaned.empty() || cleaned.find_first_of("xXpP") != std::string::npos) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(cleaned.c_str(), &end);
  if (end != cleaned.c_str() + cleaned.size()) return std::nullopt;
  return value;
}

// jinja2's attribute getter for map/selectattr/join: "a.b.0" walks items.
Value lookup_path(const Value& item, const std::string& path) {
  Value current = item;
  for (const std::string& part : text::split(path, std::string("."), -1, false)) {
    const bool numeric = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    current = get_item(current, numeric ? Value(static_cast<std::int64_t>(std::stoll(part))) : Value(part));
  }
  return current;
}

CallArgs rest_of(const CallArgs& args, std::size_t skip) {
  CallArgs rest;
  rest.positional.assign(args.positional.begin() + static_cast<std::ptrdiff_t>(std::min(skip, args.positional.size())),
                         args.positional.end());
  rest.keyword = args.keyword;
  return rest;
}

Value filter_default(const Value& v, const CallArgs& args) {
  const auto a = bind_arguments("default", args, {{"default_value", Value("")}, {"boolean", Value(false)}});
  return (v.is_undefined() || (a[1].truthy() && !v.truthy())) ? a[0] : v;
}

Value filter_string_map(const Value& v, const CallArgs& args, const char* name, std::string (*map)(std::string_view)) {
  bind_arguments(name, args, {});
  return Value(map(v.str()));
}

Value filter_capitalize(const Value& v, const CallArgs& args) { return filter_string_map(v, args, "capitalize", text::capitalize); }
Value filter_lower(const Value& v, const CallArgs& args) { return filter_string_map(v, args, "lower", text::lower); }
Value filter_upper(const Value& v, const CallArgs& args) { return filter_string_map(v, args, "upper", text::upper); }
Value filter_title(const Value& v, const CallArgs& args) { return filter_string_map(v, args, "title", text::jinja_title); }

Value filter_trim(const Value& v, const CallArgs& args) {
  const auto a = bind_arguments("trim", args, {{"chars", Value::none()}});
  return Value(text::strip(v.str(), optional_string(a[0]), text::StripSide::kBoth));
}

Value filter_replace(const Value& v, const CallArgs& args) {
  const auto a = bind_arguments("replace", args, {{"old", {}, true}, {"new", {}, true}, {"count", Value::none()}});
  const std::int64_t count = a[2].is_integral() ? a[2].as_int() : -1;
  std::string replaced = text::replace(v.str(), a[0].str(), a[1].str(), count);
  return Value(std::move(replaced));
}

Value filter_length(const Value& v, const CallArgs& args) {
  bind_arguments("length", args, {});
  return length_of(v);
}

Value filter_string(const Value& v, const CallArgs& args) {
  bind_arguments("string", args, {});
  return Value(v.str());
}

Value filter_safe(const Value& v, const CallArgs& args) {
  bind_arguments("safe", args, {});
  return v.is_string() ? v : Value(v.str());
}

Value filter_int(const Value& v, const CallArgs& args) {
  const auto a = bind_arguments("int", args, {{"default", Value(0)}, {"base", Value(10)}});
  if (v.is_integral()) return v.as_int();
  if (v.is_float()) {
    if (!std::isfinite(v.as_double())) return a[0];
    return static_cast<std::int64_t>(std::trunc(v.as_double()));
  }
  if (v.is_string()) {
    if (auto parsed = parse_python_int(v.as_string(), a[1].is_integral() ? a[1].as_int() : 10)) return *parsed;
    // jinja2's quirk: "42.23"|int gives 42 via float().
    if (auto parsed = parse_python_float(v.as_string()); parsed && std::isfinite(*parsed)) {
      return static_cast<std::int64_t>(std::trunc(*parsed));
    }
  }
  return a[0];
}

Value filter_float(const Value& v, const CallArgs& args) {
  const auto a = bind_arguments("float", args, {{"default", Value(0.0)}});
  if (v.is_number()) return v.as_double();
  if (v.is_string()) {
    if (auto parsed = parse_python_float(v.as_string())) return *parsed;
  }
  return a[0];
}

Value filter_abs(const Value& v, const CallArgs& args) {
  bind_arguments("abs", args, {});
  if (v.is_integral()) return v.as_int() < 0 ? negate(v) : Value(v.as_int());
  if (v.is_float()) return std::fabs(v.as_double());
  throw RuntimeError("bad operand type for abs(): '" + v.type_name() + "'");
}

Value filter_first(const Value& v, const CallArgs& args) {
  bind_arguments("first", args, {});
  const std::vector<Value> items = v.iterate();
  if (items.empty()) return Value::undefined("No first item, sequence was empty.");
  return items.front();
}

Value filter_last(const Value& v, const CallArgs& args) {
  bind_arguments("last", args, {});
  if (!v.is_string() && !v.is_list() && !v.is_dict()) throw RuntimeError("'" + v.type_name() + "' object is not reversible");
  const std::vector<Value> items = v.iterate();
  if (items.empty()) return Value::undefined("No last item, sequence was empty.");
  return items.back();
}

Value filter_list(const Value& v, const CallArgs& args) {
  bind_arguments("list", args, {});
  return Value(List{v.iterate(), false});
}

Value filter_reverse(const Value& v, const CallArgs& args) {
  bind_arguments("reverse", args, {});
  if (v.is_string()) {
    std::u32string chars = text::decode(v.as_string());
    std::reverse(chars.begin(), chars.end());
    return Value(text::encode(chars));
  }
  std::vector<Value> items = v.iterate();
  std::reverse(items.begin(), items.end());
  return Value(List{std::move(items), false});
}

Value filter_items(const Value& v, const CallArgs& args) {
  bind_arguments("items", args, {});
  List pairs;
  if (v.is_undefined()) return Value(std::move(pairs));
  if (!v.is_dict()) throw RuntimeError("Can only get item pairs from a mapping.");
  for (const auto& [key, value] : v.as_dict().entries()) pairs.items.push_back(Value::tuple({Value(key), value}));
  return Value(std::move(pairs));
}

// jinja2 sorts case-insensitively unless told otherwise: strings compare lower-cased.
Value sort_key(const Value& v, bool case_sensitive) {
  return (!case_sensitive && v.is_string()) ? Value(text::lower(v.as_string())) : v;
}

// Python's sorted(): stable, and reverse=True keeps equal items in order.
void stable_sort_by_key(std::vector<std::pair<Value, Value>>& keyed, bool reverse) {
  std::stable_sort(keyed.begin(), keyed.end(), [reverse](const auto& a, const auto& b) {
    return reverse ? value_less(b.first, a.first) : value_less(a.first, b.first);
  });
}

Value filter_dictsort(const Value& v, const CallArgs& args) {
  const auto a = bind_arguments("dictsort", args, {{"case_sensitive", Value(false)}, {"by", Value("key")},
                                                   {"reverse", Value(false)}});
  if (!v.is_dict()) throw RuntimeError("dictsort expects a mapping, got " + v.type_name());
  const std::string by = a[1].str();
  if (by != "key" && by != "value") throw RuntimeError("You can only sort by either \"key\" or \"value\"");
  std::vector<std::pair<Value, Value>> keyed;
  for (const auto& [key, value] : v.as_dict().entries()) {
    keyed.emplace_back(sort_key(by == "key" ? Value(key) : value, a[0].truthy()), Value::tuple({Value(key), value}));
  }
  stable_sort_by_key(keyed, a[2].truthy());
  List out;
  for (auto& entry : keyed) out.items.push_back(std::move(entry.second));
  return Value(std::move(out));
}

Value filter_sort(const Value& v, const CallArgs& args) {
  const auto a = bind_arguments("sort", args, {{"reverse", Value(false)}, {"case_sensitive", Value(false)},
                                               {"attribute", Value::none()}});
  // attribute may name several comma-separated keys, compared in order.
  std::vector<std::string> attributes;
  if (!a[2].is_none()) attributes = text::split(a[2].str(), std::string(","), -1, false);
  std::vector<std::pair<Value, Value>> keyed;
  for (const Value& item : v.iterate()) {
    if (attributes.empty()) {
      keyed.emplace_back(sort_key(item, a[1].truthy()), item);
      continue;
    }
    List parts;
    for (const std::string& attribute : attributes) parts.items.push_back(sort_key(lookup_path(item, attribute), a[1].truthy()));
    keyed.emplace_back(attributes.size() == 1 ? parts.items.front() : Value(std::move(parts)), item);
  }
  stable_sort_by_key(keyed, a[0].truthy());
  List out;
  for (auto& entry : keyed) out.items.push_back(std::move(entry.second));
  return Value(std::move(out));
}

Value filter_join(const Value& v, const CallArgs& args) {
  const auto a = bind_arguments("join", args, {{"d", Value("")}, {"attribute", Value::none()}});
  const std::string separator = a[0].str();
  std::string out;
  bool first = true;
  for (const Value& item : v.iterate()) {
    if (!first) out += separator;
    first = false;
    out += (a[1].is_none() ? item : lookup_path(item, a[1].str())).str();
    if (out.size() > kMaxStringBytes) throw RuntimeError("joined string too long");
  }
  return Value(std::move(out));
}

Value filter_tojson(const Value& v, const CallArgs& args) {
  // transformers replaces jinja2's tojson (which escapes HTML and sorts keys)
  // with json.dumps(x, ensure_ascii=False, indent, separators, sort_keys).
  const auto a = bind_arguments("tojson", args, {{"ensure_ascii", Value(false)},
                                                 {"indent", Value::none()},
                                                 {"separators", Value::none()},
                                                 {"sort_keys", Value(false)}});
  JsonStyle style;
  style.ensure_ascii = a[0].truthy();
  if (a[1].is_integral()) style.indent = std::string(static_cast<std::size_t>(std::max<std::int64_t>(0, a[1].as_int())), ' ');
  else if (a[1].is_string()) style.indent = a[1].as_string();
  else if (!a[1].is_none()) throw RuntimeError("tojson indent must be an int or a string");
  if (style.indent) style.item_separator = ",";
  if (!a[2].is_none()) {
    if (!a[2].is_list() || a[2].as_list().items.size() != 2) throw RuntimeError("tojson separators must be a pair");
    style.item_separator = a[2].as_list().items[0].str();
    style.key_separator = a[2].as_list().items[1].str();
  }
  style.sort_keys = a[3].truthy();
  return Value(to_json_text(v, style));
}

Value filter_map(const Value& v, const CallArgs& args) {
  List out;
  const bool by_attribute = std::any_of(args.keyword.begin(), args.keyword.end(),
                                        [](const auto& kw) { return kw.first == "attribute"; });
  if (by_attribute) {
    const auto a = bind_arguments("map", args, {{"attribute", {}, true}, {"default", Value()}});
    for (const Value& item : v.iterate()) {
      Value mapped = lookup_path(item, a[0].str());
      out.items.push_back(mapped.is_undefined() && !a[1].is_undefined() ? a[1] : mapped);
    }
    return Value(std::move(out));
  }
  if (args.positional.empty()) throw RuntimeError("map requires a filter name or attribute=");
  const std::string filter = args.positional.front().str();
  const CallArgs filter_args = rest_of(args, 1);
  for (const Value& item : v.iterate()) out.items.push_back(apply_filter(filter, item, filter_args));
  return Value(std::move(out));
}

// select/reject/selectattr/rejectattr share one shape: optional attribute,
// optional test name (default: truthiness), then the test's arguments.
Value select_items(const Value& v, const CallArgs& args, bool by_attribute, bool keep_matches) {
  std::size_t next = 0;
  std::string attribute;
  if (by_attribute) {
    if (args.positional.empty()) throw RuntimeError("selectattr/rejectattr require an attribute name");
    attribute = args.positional[next++].str();
  }
  std::string test;
  if (next < args.positional.size()) test = args.positional[next++].str();
  const CallArgs test_args = rest_of(args, next);
  List out;
  for (const Value& item : v.iterate()) {
    const Value subject = by_attribute ? lookup_path(item, attribute) : item;
    const bool matches = test.empty() ? subject.truthy() : apply_test(test, subject, test_args);
    if (matches == keep_matches) out.items.push_back(item);
  }
  return Value(std::move(out));
}

Value filter_select(const Value& v, const CallArgs& a) { return select_items(v, a, false, true); }
Value filter_reject(const Value& v, const CallArgs& a) { return select_items(v, a, false, false); }
Value filter_selectattr(const Value& v, const CallArgs& a) { return select_items(v, a, true, true); }
Value filter_rejectattr(const Value& v, const CallArgs& a) { return select_items(v, a, true, false); }

const std::unordered_map<std::string_view, FilterFunction>& filters() {
  static const std::unordered_map<std::string_view, FilterFunction> table = {
      {"abs", filter_abs},         {"capitalize", filter_capitalize}, {"count", filter_length},
      {"d", filter_default},       {"default", filter_default},       {"dictsort", filter_dictsort},
      {"first", filter_first},
      {"float", filter_float},     {"int", filter_int},               {"items", filter_items},
      {"join", filter_join},       {"last", filter_last},             {"length", filter_length},
      {"list", filter_list},       {"lower", filter_lower},           {"map", filter_map},
      {"reject", filter_reject},   {"rejectattr", filter_rejectattr}, {"replace", filter_replace},
      {"reverse", filter_reverse}, {"safe", filter_safe},             {"select", filter_select},
      {"selectattr", filter_selectattr}, {"sort", filter_sort},       {"string", filter_string},
      {"title", filter_title},
      {"tojson", filter_tojson},   {"trim", filter_trim},             {"upper", filter_upper},
  };
  return table;
}

const Value& single_argument(const char* test, const CallArgs& args) {
  if (args.positional.size() != 1 || !args.keyword.empty()) {
    throw RuntimeError(std::string("test '") + test + "' takes exactly one argument");
  }
  return args.positional.front();
}

bool no_arguments(const char* test, const CallArgs& args) {
  if (!args.positional.empty() || !args.keyword.empty()) {
    throw RuntimeError(std::string("test '") + test + "' takes no arguments");
  }
  return true;
}

// str.islower()/isupper(): some cased character, and all of them in that case.
bool all_cased_are(const std::string& s, bool lower) {
  bool any_cased = false;
  for (char32_t c : text::decode(s)) {
    if (!text::is_cased(c)) continue;
    any_cased = true;
    if ((lower ? text::to_lower(c) : text::to_upper(c)) != c) return false;
  }
  return any_cased;
}

bool is_odd(const Value& v) {
  return binary_operation(ast::BinaryOp::kModulo, v, Value(2)).truthy();
}

const std::unordered_map<std::string_view, TestFunction>& tests() {
  using ast::CompareOp;
  static const std::unordered_map<std::string_view, TestFunction> table = {
      {"defined", [](const Value& v, const CallArgs& a) { return no_arguments("defined", a) && !v.is_undefined(); }},
      {"undefined", [](const Value& v, const CallArgs& a) { return no_arguments("undefined", a) && v.is_undefined(); }},
      {"none", [](const Value& v, const CallArgs& a) { return no_arguments("none", a) && v.is_none(); }},
      {"boolean", [](const Value& v, const CallArgs& a) { return no_arguments("boolean", a) && v.is_bool(); }},
      {"true", [](const Value& v, const CallArgs& a) { return no_arguments("true", a) && v.is_bool() && v.as_bool(); }},
      {"false", [](const Value& v, const CallArgs& a) { return no_arguments("false", a) && v.is_bool() && !v.as_bool(); }},
      {"integer", [](const Value& v, const CallArgs& a) { return no_arguments("integer", a) && v.is_int(); }},
      {"float", [](const Value& v, const CallArgs& a) { return no_arguments("float", a) && v.is_float(); }},
      {"number", [](const Value& v, const CallArgs& a) { return no_arguments("number", a) && v.is_number(); }},
      {"string", [](const Value& v, const CallArgs& a) { return no_arguments("string", a) && v.is_string(); }},
      {"mapping", [](const Value& v, const CallArgs& a) { return no_arguments("mapping", a) && v.is_dict(); }},
      {"callable", [](const Value& v, const CallArgs& a) { return no_arguments("callable", a) && v.is_function(); }},
      {"iterable", [](const Value& v, const CallArgs& a) {
         return no_arguments("iterable", a) && (v.is_string() || v.is_list() || v.is_dict() || v.is_undefined());
       }},
      {"sequence", [](const Value& v, const CallArgs& a) {
         return no_arguments("sequence", a) && (v.is_string() || v.is_list() || v.is_dict() || v.is_undefined());
       }},
      {"odd", [](const Value& v, const CallArgs& a) { return no_arguments("odd", a) && is_odd(v); }},
      {"even", [](const Value& v, const CallArgs& a) { return no_arguments("even", a) && !is_odd(v); }},
      {"divisibleby", [](const Value& v, const CallArgs& a) {
         return !binary_operation(ast::BinaryOp::kModulo, v, single_argument("divisibleby", a)).truthy();
       }},
      {"lower", [](const Value& v, const CallArgs& a) { return no_arguments("lower", a) && all_cased_are(v.str(), true); }},
      {"upper", [](const Value& v, const CallArgs& a) { return no_arguments("upper", a) && all_cased_are(v.str(), false); }},
      {"in", [](const Value& v, const CallArgs& a) { return contains(single_argument("in", a), v); }},
      {"sameas", [](const Value& v, const CallArgs& a) { return v.identical(single_argument("sameas", a)); }},
      {"filter", [](const Value& v, const CallArgs& a) { return no_arguments("filter", a) && is_known_filter(v.str()); }},
      {"test", [](const Value& v, const CallArgs& a) { return no_arguments("test", a) && is_known_test(v.str()); }},
      {"eq", [](const Value& v, const CallArgs& a) { return compare(CompareOp::kEqual, v, single_argument("eq", a)); }},
      {"equalto", [](const Value& v, const CallArgs& a) { return compare(CompareOp::kEqual, v, single_argument("equalto", a)); }},
      {"==", [](const Value& v, const CallArgs& a) { return compare(CompareOp::kEqual, v, single_argument("==", a)); }},
      {"ne", [](const Value& v, const CallArgs& a) { return compare(CompareOp::kNotEqual, v, single_argument("ne", a)); }},
      {"!=", [](const Value& v, const CallArgs& a) { return compare(CompareOp::kNotEqual, v, single_argument("!=", a)); }},
      {"lt", [](const Value& v, const CallArgs& a) { return compare(CompareOp::kLess, v, single_argument("lt", a)); }},
      {"lessthan", [](const Value& v, const CallArgs& a) { return compare(CompareOp::kLess, v, single_argument("lessthan", a)); }},
      {"<", [](const Value& v, const CallArgs& a) { return compare(CompareOp::kLess, v, single_argument("<", a)); }},
      {"le", [](const Value& v, const CallArgs& a) { return compare(CompareOp::kLessEqual, v, single_argument("le", a)); }},
      {"<=", [](const Value& v, const CallArgs& a) { return compare(CompareOp::kLessEqual, v, single_argument("<=", a)); }},
      {"gt", [](const Value& v, const CallArgs& a) { return compare(CompareOp::kGreater, v, single_argument("gt", a)); }},
      {"greaterthan", [](const Value& v, const CallArgs& a) { return compare(CompareOp::kGreater, v, single_argument("greaterthan", a)); }},
      {">", [](const Value& v, const CallArgs& a) { return compare(CompareOp::kGreater, v, single_argument(">", a)); }},
      {"ge", [](const Value& v, const CallArgs& a) { return compare(CompareOp::kGreaterEqual, v, single_argument("ge", a)); }},
      {">=", [](const Value& v, const CallArgs& a) { return compare(CompareOp::kGreaterEqual, v, single_argument(">=", a)); }},
  };
  return table;
}

}  // namespace

bool is_known_filter(std::string_view name) { return filters().count(name) != 0; }
bool is_known_test(std::string_view name) { return tests().count(name) != 0; }

Value apply_filter(std::string_view name, const Value& operand, const CallArgs& args) {
  const auto it = filters().find(name);
  if (it == filters().end()) throw RuntimeError("no filter named '" + std::string(name) + "'");
  return it->second(operand, args);
}

bool apply_test(std::string_view name, const Value& operand, const CallArgs& args) {
  const auto it = tests().find(name);
  if (it == tests().end()) throw RuntimeError("no test named '" + std::string(name) + "'");
  return it->second(operand, args);
}

}  // namespace smolvlm::jinja
