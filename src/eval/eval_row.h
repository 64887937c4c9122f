// One benchmark sample as VLMEvalKit's TSV holds it (image columns left out).
#pragma once

#include <map>
#include <string>

namespace smolvlm::eval {

struct EvalRow {
  std::string index;                          // the `index` column
  std::map<std::string, std::string> fields;  // every other non-image column, as text (e.g. "answer", "A".."E",
                                              // "question", "category", "split", "hint", "question_type", ...)
};

// row.fields[name]; a missing field throws Error naming the row index and the field.
const std::string& required_row_field(const EvalRow& row, const std::string& name);

}  // namespace smolvlm::eval
