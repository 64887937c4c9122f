// Builds the syntax tree of a template from its tokens, following jinja2's
// grammar and operator precedence.
#pragma once

#include <vector>

#include "chat/jinja_ast.h"
#include "chat/jinja_lexer.h"

namespace smolvlm::jinja {

// Throws smolvlm::Error("chat template", "line N: ...") on syntax errors and,
// like jinja2, on filters or tests that do not exist (outside if-branches).
ast::Body parse(const std::vector<Token>& tokens);

}  // namespace smolvlm::jinja
