// Python str and dict methods, jinja2's globals and transformers' additions.
#include <ctime>
#include <string>

#include "chat/jinja_builtins.h"
#include "chat/jinja_operators.h"
#include "chat/jinja_text.h"

namespace smolvlm::jinja {
namespace {

using Method = Value (*)(const Value& self, const CallArgs& args);

Value bound(const Value& self, std::string_view name, Method method) {
  return Value(Function{std::string(name), [self, method](Renderer&, const CallArgs& args) { return method(self, args); }});
}

std::optional<std::string> optional_string(const Value& v) {
  if (v.is_none()) return std::nullopt;
  if (!v.is_string()) throw RuntimeError("expected a string or None, got " + v.type_name());
  return v.as_string();
}

const std::string& string_argument(const Value& v, std::string_view method) {
  if (!v.is_string()) {
    throw RuntimeError(std::string(method) + "() argument must be str, not " + v.type_name());
  }
  return v.as_string();
}

Value strip_method(const Value& self, const CallArgs& args, const char* name, text::StripSide side) {
  const auto a = bind_arguments(name, args, {{"chars", Value::none()}});
  return Value(text::strip(self.as_string(), optional_string(a[0]), side));
}

// str.startswith / str.endswith accept one prefix or a tuple of them.
Value affix_method(const Value& self, const CallArgs& args, const char* name, bool at_start) {
  const auto a = bind_arguments(name, args, {{"affix", {}, true}});
  const std::string& s = self.as_string();
  auto matches = [&](const Value& affix) {
    const std::string& x = string_argument(affix, name);
    if (x.size() > s.size()) return false;
    return at_start ? s.compare(0, x.size(), x) == 0 : s.compare(s.size() - x.size(), x.size(), x) == 0;
  };
  if (a[0].is_list()) {
    for (const Value& affix : a[0].as_list().items) {
      if (matches(affix)) return Value(true);
    }
    return Value(false);
  }
  return Value(matches(a[0]));
}

Value split_method(const Value& self, const CallArgs& args, const char* name, bool from_right) {
  const auto a = bind_arguments(name, args, {{"sep", Value::none()}, {"maxsplit", Value(-1)}});
  if (!a[1].is_integral()) throw RuntimeError("maxsplit must be an integer");
  List parts;
  for (std::string& part : text::split(self.as_string(), optional_string(a[0]), a[1].as_int(), from_right)) {
    parts.items.emplace_back(std::move(part));
  }
  return Value(std::move(parts));
}

Value case_method(const Value& self, const CallArgs& args, const char* name, std::string (*map)(std::string_view)) {
  bind_arguments(name, args, {});
  return Value(map(self.as_string()));
}

Value string_method_replace(const Value& self, const CallArgs& args) {
  const auto a = bind_arguments("replace", args, {{"old", {}, true}, {"new", {}, true}, {"count", Value(-1)}});
  if (!a[2].is_integral()) throw RuntimeError("replace() count must be an integer");
  return Value(text::replace(self.as_string(), string_argument(a[0], "replace"), string_argument(a[1], "replace"),
                             a[2].as_int()));
}

Value string_method_join(const Value& self, const CallArgs& args) {
  const auto a = bind_arguments("join", args, {{"iterable", {}, true}});
  std::string out;
  bool first = true;
  for (const Value& item : a[0].iterate()) {
    if (!first) out += self.as_string();
    first = false;
    out += string_argument(item, "join");
    if (out.size() > kMaxStringBytes) throw RuntimeError("joined string too long");
  }
  return Value(std::move(out));
}

std::optional<Value> string_method(const Value& self, std::string_view name) {
  using text::StripSide;
  if (name == "strip") return bound(self, name, [](const Value& s, const CallArgs& a) { return strip_method(s, a, "strip", StripSide::kBoth); });
  if (name == "lstrip") return bound(self, name, [](const Value& s, const CallArgs& a) { return strip_method(s, a, "lstrip", StripSide::kLeft); });
  if (name == "rstrip") return bound(self, name, [](const Value& s, const CallArgs& a) { return strip_method(s, a, "rstrip", StripSide::kRight); });
  if (name == "startswith") return bound(self, name, [](const Value& s, const CallArgs& a) { return affix_method(s, a, "startswith", true); });
  if (name == "endswith") return bound(self, name, [](const Value& s, const CallArgs& a) { return affix_method(s, a, "endswith", false); });
  if (name == "split") return bound(self, name, [](const Value& s, const CallArgs& a) { return split_method(s, a, "split", false); });
  if (name == "rsplit") return bound(self, name, [](const Value& s, const CallArgs& a) { return split_method(s, a, "rsplit", true); });
  if (name == "upper") return bound(self, name, [](const Value& s, const CallArgs& a) { return case_method(s, a, "upper", text::upper); });
  if (name == "lower") return bound(self, name, [](const Value& s, const CallArgs& a) { return case_method(s, a, "lower", text::lower); });
  if (name == "title") return bound(self, name, [](const Value& s, const CallArgs& a) { return case_method(s, a, "title", text::python_title); });
  if (name == "capitalize") return bound(self, name, [](const Value& s, const CallArgs& a) { return case_method(s, a, "capitalize", text::capitalize); });
  if (name == "replace") return bound(self, name, string_method_replace);
  if (name == "join") return bound(self, name, string_method_join);
  if (name == "find") {
    return bound(self, name, [](const Value& s, const CallArgs& args) {
      const auto a = bind_arguments("find", args, {{"sub", {}, true}});
      return Value(text::find(s.as_string(), string_argument(a[0], "find"), false));
    });
  }
  if (name == "rfind") {
    return bound(self, name, [](const Value& s, const CallArgs& args) {
      const auto a = bind_arguments("rfind", args, {{"sub", {}, true}});
      return Value(text::find(s.as_string(), string_argument(a[0], "rfind"), true));
    });
  }
  if (name == "count") {
    return bound(self, name, [](const Value& s, const CallArgs& args) {
      const auto a = bind_arguments("count", args, {{"sub", {}, true}});
      return Value(text::count(s.as_string(), string_argument(a[0], "count")));
    });
  }
  return std::nullopt;
}

Value dict_entries(const Value& dict, bool keys) {
  List out;
  for (const auto& [key, value] : dict.as_dict().entries()) out.items.push_back(keys ? Value(key) : value);
  return Value(std::move(out));
}

std::optional<Value> dict_method(const Value& self, std::string_view name) {
  if (name == "get") {
    return bound(self, name, [](const Value& d, const CallArgs& args) {
      const auto a = bind_arguments("get", args, {{"key", {}, true}, {"default", Value::none()}});
      const Value* found = a[0].is_string() ? d.as_dict().find(a[0].as_string()) : nullptr;
      return found != nullptr ? *found : a[1];
    });
  }
  if (name == "items") {
    return bound(self, name, [](const Value& d, const CallArgs& args) {
      bind_arguments("items", args, {});
      List pairs;
      for (const auto& [key, value] : d.as_dict().entries()) pairs.items.push_back(Value::tuple({Value(key), value}));
      return Value(std::move(pairs));
    });
  }
  if (name == "keys") {
    return bound(self, name, [](const Value& d, const CallArgs& a) {
      bind_arguments("keys", a, {});
      return dict_entries(d, true);
    });
  }
  if (name == "values") {
    return bound(self, name, [](const Value& d, const CallArgs& a) {
      bind_arguments("values", a, {});
      return dict_entries(d, false);
    });
  }
  return std::nullopt;
}

Dict keyword_dict(const CallArgs& args, const char* function) {
  Dict dict;
  if (args.positional.size() > 1) throw RuntimeError(std::string(function) + "() takes at most one positional argument");
  if (!args.positional.empty()) {
    const Value& initial = args.positional.front();
    if (!initial.is_dict()) throw RuntimeError(std::string(function) + "() positional argument must be a dict");
    dict = initial.as_dict();
  }
  for (const auto& [key, value] : args.keyword) dict.set(key, value);
  return dict;
}

// jinja2's sandbox refuses ranges longer than this.
constexpr std::int64_t kMaxRange = 100000;

Value global_range(Renderer&, const CallArgs& args) {
  if (!args.keyword.empty() || args.positional.empty() || args.positional.size() > 3) {
    throw RuntimeError("range() takes 1 to 3 positional arguments");
  }
  for (const Value& v : args.positional) {
    if (!v.is_integral()) throw RuntimeError("'" + v.type_name() + "' object cannot be interpreted as an integer");
  }
  const auto& p = args.positional;
  const std::int64_t start = p.size() == 1 ? 0 : p[0].as_int();
  const std::int64_t stop = p.size() == 1 ? p[0].as_int() : p[1].as_int();
  const std::int64_t step = p.size() == 3 ? p[2].as_int() : 1;
  if (step == 0) throw RuntimeError("range() arg 3 must not be zero");
  List out;
  for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (static_cast<std::int64_t>(out.items.size()) >= kMaxRange) {
      throw RuntimeError("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
    }
    out.items.emplace_back(i);
    if ((step > 0 && i > INT64_MAX - step) || (step < 0 && i < INT64_MIN - step)) break;
  }
  return Value(std::move(out));
}

Value global_namespace(Renderer&, const CallArgs& args) {
  auto ns = std::make_shared<Namespace>();
  ns->attributes = keyword_dict(args, "namespace");
  for (const auto& entry : ns->attributes.entries()) {
    if (entry.second.contains_namespace()) throw RuntimeError("a namespace cannot hold another namespace");
  }
  return Value(std::move(ns));
}

Value global_raise_exception(Renderer&, const CallArgs& args) {
  const auto a = bind_arguments("raise_exception", args, {{"message", {}, true}});
  throw RuntimeError(a[0].str());
}

Value global_strftime_now(Renderer&, const CallArgs& args) {
  const auto a = bind_arguments("strftime_now", args, {{"format", {}, true}});
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buffer[512];
  const std::size_t n = std::strftime(buffer, sizeof(buffer), a[0].str().c_str(), &local);
  return Value(std::string(buffer, n));
}

}  // namespace

std::optional<Value> find_method(const Value& object, std::string_view name) {
  if (object.is_string()) return string_method(object, name);
  if (object.is_dict()) return dict_method(object, name);
  return std::nullopt;
}

const Dict& builtin_globals() {
  static const Dict globals = [] {
    Dict d;
    d.set("range", Value(Function{"range", global_range}));
    d.set("namespace", Value(Function{"namespace", global_namespace}));
    d.set("dict", Value(Function{"dict", [](Renderer&, const CallArgs& args) { return Value(keyword_dict(args, "dict")); }}));
    d.set("raise_exception", Value(Function{"raise_exception", global_raise_exception}));
    d.set("strftime_now", Value(Function{"strftime_now", global_strftime_now}));
    return d;
  }();
  return globals;
}

std::vector<Value> bind_arguments(std::string_view function, const CallArgs& args,
                                  std::initializer_list<Parameter> params) {
  const std::string name(function);
  if (args.positional.size() > params.size()) {
    throw RuntimeError(name + "() takes at most " + std::to_string(params.size()) + " argument(s), got " +
                       std::to_string(args.positional.size()));
  }
  std::vector<Value> bound_values;
  std::vector<bool> given;
  for (const Parameter& p : params) {
    bound_values.push_back(p.fallback);
    given.push_back(false);
  }
  for (std::size_t i = 0; i < args.positional.size(); ++i) {
    bound_values[i] = args.positional[i];
    given[i] = true;
  }
  for (const auto& [key, value] : args.keyword) {
    std::size_t i = 0;
    for (const Parameter& p : params) {
      if (p.name == key) break;
      ++i;
    }
    if (i == params.size()) throw RuntimeError(name + "() got an unexpected keyword argument '" + key + "'");
    if (given[i]) throw RuntimeError(name + "() got multiple values for argument '" + key + "'");
    bound_values[i] = value;
    given[i] = true;
  }
  std::size_t i = 0;
  for (const Parameter& p : params) {
    if (p.required && !given[i]) throw RuntimeError(name + "() missing required argument '" + std::string(p.name) + "'");
    ++i;
  }
  return bound_values;
}

}  // namespace smolvlm::jinja
