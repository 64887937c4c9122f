// A Jinja template in the subset Hugging Face chat templates use, rendered the
// way transformers' apply_chat_template renders it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "chat/jinja_ast.h"
#include "chat/jinja_value.h"

namespace smolvlm::jinja {

class Template {
 public:
  // Throws smolvlm::Error("chat template", "line N: ...") on syntax errors.
  static Template parse(std::string_view source);
  // `variables` become the template's globals next to range, namespace, etc.
  std::string render(const Dict& variables) const;

 private:
  explicit Template(std::shared_ptr<const ast::Body> body) : body_(std::move(body)) {}
  std::shared_ptr<const ast::Body> body_;
};

}  // namespace smolvlm::jinja
