// Chat-template rendering that keeps message text apart from what the
// template itself writes, for prompts from untrusted users: the template is
// rendered with a marker in place of every text item, so the tokenizer can
// treat message text as literal (a typed "<end_of_utterance>" is not the
// marker) and only template-made "<image>" placeholders get expanded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chat/chat_template.h"
#include "smolvlm.h"
#include "tokenizer/tokenizer.h"

namespace smolvlm {

class LiteralPrompt {
 public:
  // Renders `conversation` with markers in place of its text items.
  LiteralPrompt(const ChatTemplate& chat_template, const Conversation& conversation, bool content_as_string,
                bool add_generation_prompt);

  // The template's output with markers (contains no message text).
  const std::string& structure() const { return structure_; }

  // `marked` (structure() or a transformation of it that kept the markers,
  // such as image expansion) with every marker replaced by its text.
  std::string joined(std::string_view marked) const;

  // `marked` cut into template pieces and literal message-text pieces, which
  // view into `marked` and into this object. Throws Error for a stray marker
  // character (a template that mangled a marker).
  std::vector<TextPiece> pieces(std::string_view marked) const;

 private:
  std::vector<std::string> texts_;  // marker i stands for texts_[i]
  std::string structure_;
};

}  // namespace smolvlm
