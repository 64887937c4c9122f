// JSON files (configs, tokenizer.json, fixtures) read with one clear error.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace smolvlm {

// ordered_json keeps keys in file order, as Python dicts do: chat templates that
// iterate or tojson a dict render keys in the order transformers would.
using Json = nlohmann::ordered_json;

// Big lookup tables whose key order is irrelevant (tokenizer.json's 49k-entry
// vocabulary): sorted keys parse ~30x faster than ordered_json's linear map.
using JsonTable = nlohmann::json;

// Parses `path`; a missing file or malformed JSON throws Error naming the file.
Json read_json_file(const std::string& path);
JsonTable read_json_table_file(const std::string& path);

// Parses `text`; malformed JSON throws Error naming `what` (e.g. "request body").
Json parse_json(const std::string& text, const std::string& what);

}  // namespace smolvlm
