// Conversion between template values and JSON: request messages come in as
// JSON, and |tojson writes what Python's json.dumps would.
#pragma once

#include <optional>
#include <string>

#include "chat/jinja_value.h"
#include "core/json_file.h"

namespace smolvlm::jinja {

// Objects become dicts in the JSON library's key order.
Value value_from_json(const Json& json);

struct JsonStyle {
  bool ensure_ascii = false;
  std::optional<std::string> indent;  // absent: everything on one line
  std::string item_separator = ", ";
  std::string key_separator = ": ";
  bool sort_keys = false;
};
// json.dumps(value, ...); throws RuntimeError for values JSON cannot hold.
std::string to_json_text(const Value& value, const JsonStyle& style);

}  // namespace smolvlm::jinja
