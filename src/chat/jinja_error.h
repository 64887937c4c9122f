// Every parse and render failure of a template surfaces as one Error kind.
#pragma once

#include <string>

#include "core/error.h"

namespace smolvlm::jinja {

[[noreturn]] inline void fail_at(int line, const std::string& problem) {
  throw Error("chat template", "line " + std::to_string(line) + ": " + problem);
}

}  // namespace smolvlm::jinja
