// JSON files (configs, tokenizer.json, fixtures) read with one clear error.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace smolvlm {

// ordered_json keeps keys in file order, as Python dicts do: chat templates that
// iterate or tojson a dict render keys in the order transformers would.
using Json = nlohmann::ordered_json;

// Parses `path`; a missing file or malformed JSON throws Error naming the file.
Json read_json_file(const std::string& path);

// Parses `text`; malformed JSON throws Error naming `what` (e.g. "request body").
Json parse_json(const std::string& text, const std::string& what);

}  // namespace smolvlm
