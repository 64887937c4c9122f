#include "core/json_file.h"

#include "core/error.h"
#include "core/mapped_file.h"

namespace smolvlm {

Json parse_json(const std::string& text, const std::string& what) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw Error(what, std::string("malformed JSON: ") + e.what());
  }
}

Json read_json_file(const std::string& path) { return parse_json(read_text_file(path), path); }

}  // namespace smolvlm
