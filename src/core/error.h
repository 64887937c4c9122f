// One error type for the whole engine: every failure names the thing it is
// about (a file, a tensor, a JSON key, a request field) and the problem.
#pragma once

#include <stdexcept>
#include <string>

namespace smolvlm {

class Error : public std::runtime_error {
 public:
  // `context` names the thing (e.g. "model.safetensors", "config.json: text_config.hidden_size"),
  // `problem` says what is wrong with it; what() is "context: problem".
  Error(const std::string& context, const std::string& problem)
      : std::runtime_error(context.empty() ? problem : context + ": " + problem),
        context_(context), problem_(problem) {}

  const std::string& context() const { return context_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string context_;
  std::string problem_;
};

}  // namespace smolvlm
