#include "chat/jinja_template.h"

#include "chat/jinja_eval.h"
#include "chat/jinja_lexer.h"
#include "chat/jinja_parser.h"

namespace smolvlm::jinja {

Template Template::parse(std::string_view source) {
  return Template(std::make_shared<const ast::Body>(jinja::parse(tokenize(source))));
}

std::string Template::render(const Dict& variables) const { return Renderer(variables).render(*body_); }

}  // namespace smolvlm::jinja
