#include "engine/literal_prompt.h"

#include "core/error.h"
#include "engine/conversation.h"

namespace smolvlm {
namespace {

// Markers are "\x1A<index in hex>\x1A". The SUB control character appears in
// no chat template, and the structure holds no message text to collide with.
constexpr char kMark = '\x1A';

std::string marker(size_t index) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string digits;
  do {
    digits.insert(digits.begin(), kHex[index % 16]);
    index /= 16;
  } while (index > 0);
  return kMark + digits + kMark;
}

}  // namespace

LiteralPrompt::LiteralPrompt(const ChatTemplate& chat_template, const Conversation& conversation,
                             bool content_as_string, bool add_generation_prompt) {
  Conversation marked = conversation;
  for (Message& m : marked)
    for (Content& c : m.content)
      if (c.kind == Content::Kind::Text) {
        texts_.push_back(std::move(c.text));
        c.text = marker(texts_.size() - 1);
      }
  structure_ = chat_template.render(conversation_to_json(marked, content_as_string), add_generation_prompt);
}

std::vector<TextPiece> LiteralPrompt::pieces(std::string_view marked) const {
  std::vector<TextPiece> out;
  size_t from = 0;
  for (size_t open = marked.find(kMark); open != std::string_view::npos; open = marked.find(kMark, from)) {
    const size_t close = marked.find(kMark, open + 1);
    const std::string_view digits =
        close == std::string_view::npos ? std::string_view() : marked.substr(open + 1, close - open - 1);
    size_t index = 0;
    bool valid = !digits.empty() && digits.size() <= 8;
    for (char ch : digits) {
      const bool hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
      valid = valid && hex;
      index = index * 16 + static_cast<size_t>(hex && ch <= '9' ? ch - '0' : ch - 'a' + 10);
    }
    if (!valid || index >= texts_.size())
      throw Error("chat template", "changed the placeholder of a message text; cannot separate user text");
    if (open > from) out.push_back({marked.substr(from, open - from), false});
    out.push_back({texts_[index], true});
    from = close + 1;
  }
  if (from < marked.size()) out.push_back({marked.substr(from), false});
  return out;
}

std::string LiteralPrompt::joined(std::string_view marked) const {
  std::string out;
  for (const TextPiece& piece : pieces(marked)) out += piece.text;
  return out;
}

}  // namespace smolvlm
