// A checkpoint's chat template: turns HF chat messages into the prompt text
// exactly as transformers' apply_chat_template(..., tokenize=False) does.
#pragma once

#include <string>

#include "chat/jinja_template.h"
#include "chat/jinja_value.h"
#include "core/json_file.h"

namespace smolvlm {

class ChatTemplate {
 public:
  // Template from chat_template.json, else tokenizer_config.json's
  // "chat_template" (a string, or a list of {name, template} where "default"
  // is used), else chat_template.jinja; special tokens from
  // tokenizer_config.json. Throws Error naming the folder if there is none.
  static ChatTemplate from_dir(const std::string& model_dir);
  // `special_tokens` maps names such as "bos_token" to a string or an
  // {"content": ...} object (or a list of those); they become template variables.
  static ChatTemplate from_string(std::string source, Json special_tokens = {});

  // `messages` is a JSON array of {"role", "content"}; content is a string or
  // a list of typed items ({"type": "text", "text"}, {"type": "image"}, ...).
  std::string render(const Json& messages, bool add_generation_prompt) const;
  const std::string& source() const { return source_; }

 private:
  ChatTemplate(std::string source, jinja::Template compiled, jinja::Dict special_tokens)
      : source_(std::move(source)), compiled_(std::move(compiled)), special_tokens_(std::move(special_tokens)) {}

  std::string source_;
  jinja::Template compiled_;
  jinja::Dict special_tokens_;
};

}  // namespace smolvlm
