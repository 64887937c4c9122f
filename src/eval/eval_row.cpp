#include "eval/eval_row.h"

#include "core/error.h"

namespace smolvlm::eval {

const std::string& required_row_field(const EvalRow& row, const std::string& name) {
  const auto field = row.fields.find(name);
  if (field == row.fields.end()) throw Error("row " + row.index, "has no '" + name + "' field");
  return field->second;
}

}  // namespace smolvlm::eval
