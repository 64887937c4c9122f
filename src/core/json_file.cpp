#include "core/json_file.h"

#include "core/error.h"
#include "core/mapped_file.h"

namespace smolvlm {
namespace {

template <class JsonType>
JsonType parse_as(const std::string& text, const std::string& what) {
  try {
    return JsonType::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(what, std::string("malformed JSON: ") + e.what());
  }
}

}  // namespace

Json parse_json(const std::string& text, const std::string& what) { return parse_as<Json>(text, what); }

Json read_json_file(const std::string& path) { return parse_as<Json>(read_text_file(path), path); }

JsonTable read_json_table_file(const std::string& path) { return parse_as<JsonTable>(read_text_file(path), path); }

}  // namespace smolvlm
