#include "chat/jinja_json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "chat/jinja_text.h"

namespace smolvlm::jinja {
namespace {

Value from_json(const Json& json, int depth) {
  if (depth > kMaxValueNesting) throw RuntimeError("JSON nests deeper than " + std::to_string(kMaxValueNesting) + " levels");
  switch (json.type()) {
    case Json::value_t::null: return Value::none();
    case Json::value_t::boolean: return Value(json.get<bool>());
    case Json::value_t::number_integer: return Value(json.get<std::int64_t>());
    case Json::value_t::number_unsigned: {
      const auto u = json.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return Value(static_cast<std::int64_t>(u));
      return Value(static_cast<double>(u));
    }
    case Json::value_t::number_float: return Value(json.get<double>());
    case Json::value_t::string: return Value(json.get<std::string>());
    case Json::value_t::array: {
      List list;
      for (const Json& item : json) list.items.push_back(from_json(item, depth + 1));
      return Value(std::move(list));
    }
    case Json::value_t::object: {
      Dict dict;
      for (const auto& [key, item] : json.items()) dict.set(key, from_json(item, depth + 1));
      return Value(std::move(dict));
    }
    default: throw RuntimeError("JSON binary values are not supported");
  }
}

void append_json_string(std::string& out, std::string_view s, bool ensure_ascii) {
  out += '"';
  for (char32_t c : text::decode(s)) {
    char escaped[16];
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (c < 0x20 || (ensure_ascii && c > 0x7F)) {
      if (c >= 0x10000) {
        const char32_t v = c - 0x10000;
        std::snprintf(escaped, sizeof(escaped), "\\u%04x\\u%04x", static_cast<unsigned>(0xD800 + (v >> 10)),
                      static_cast<unsigned>(0xDC00 + (v & 0x3FF)));
      } else {
        std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned>(c));
      }
      out += escaped;
    } else {
      text::append_utf8(out, c);
    }
  }
  out += '"';
}

class JsonWriter {
 public:
  explicit JsonWriter(const JsonStyle& style) : style_(style) {}

  void write(const Value& v, int level) {
    if (out_.size() > kMaxStringBytes) throw RuntimeError("JSON text longer than " + std::to_string(kMaxStringBytes) + " bytes");
    if (v.is_none()) {
      out_ += "null";
    } else if (v.is_bool()) {
      out_ += v.as_bool() ? "true" : "false";
    } else if (v.is_int()) {
      out_ += std::to_string(v.as_int());
    } else if (v.is_float()) {
      const double d = v.as_double();
      if (std::isnan(d)) out_ += "NaN";
      else if (std::isinf(d)) out_ += d > 0 ? "Infinity" : "-Infinity";
      else out_ += python_float_repr(d);
    } else if (v.is_string()) {
      append_json_string(out_, v.as_string(), style_.ensure_ascii);
    } else if (v.is_list()) {
      const auto& items = v.as_list().items;
      if (items.empty()) {
        out_ += "[]";
        return;
      }
      out_ += '[';
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out_ += style_.item_separator;
        newline(level + 1);
        write(items[i], level + 1);
      }
      newline(level);
      out_ += ']';
    } else if (v.is_dict()) {
      std::vector<const std::pair<std::string, Value>*> entries;
      for (const auto& entry : v.as_dict().entries()) entries.push_back(&entry);
      if (entries.empty()) {
        out_ += "{}";
        return;
      }
      if (style_.sort_keys) {
        std::stable_sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->first < b->first; });
      }
      out_ += '{';
      for (std::size_t i = 0; i < entries.size(); ++i) {
        if (i > 0) out_ += style_.item_separator;
        newline(level + 1);
        append_json_string(out_, entries[i]->first, style_.ensure_ascii);
        out_ += style_.key_separator;
        write(entries[i]->second, level + 1);
      }
      newline(level);
      out_ += '}';
    } else {
      throw RuntimeError("Object of type " + v.type_name() + " is not JSON serializable");
    }
  }

  std::string take() { return std::move(out_); }

 private:
  void newline(int level) {
    if (!style_.indent) return;
    out_ += '\n';
    for (int i = 0; i < level; ++i) out_ += *style_.indent;
  }

  const JsonStyle& style_;
  std::string out_;
};

}  // namespace

Value value_from_json(const Json& json) { return from_json(json, 0); }

std::string to_json_text(const Value& value, const JsonStyle& style) {
  JsonWriter writer(style);
  writer.write(value, 0);
  return writer.take();
}

}  // namespace smolvlm::jinja
