#include "train/assistant_spans.h"

#include <algorithm>

#include "core/error.h"

namespace smolvlm::train {
namespace {

// "\x1A" (SUB) appears in no chat template, as in engine/literal_prompt.cpp.
std::string answer_marker(size_t message_index) { return "\x1A" "answer " + std::to_string(message_index) + "\x1A"; }

std::string answer_text(const Message& message, const std::string& where) {
  std::string text;
  for (const Content& item : message.content) {
    if (item.kind != Content::Kind::Text)
      throw Error(where, "assistant-only masking needs assistant turns of text only");
    text += item.text;
  }
  return text;
}

std::string where_of(size_t message_index) { return "messages[" + std::to_string(message_index) + "]"; }

}  // namespace

std::vector<CharSpan> assistant_target_chars(const Conversation& conversation, const RenderConversation& render,
                                             std::string_view rendered, std::string_view end_of_turn) {
  Conversation marked = conversation;
  std::vector<size_t> assistants;
  for (size_t i = 0; i < marked.size(); ++i) {
    if (marked[i].role != "assistant") continue;
    answer_text(marked[i], where_of(i));  // checks the content
    marked[i].content = {Content::text_item(answer_marker(i))};
    assistants.push_back(i);
  }
  const std::string structure = render(marked);
  std::vector<CharSpan> spans;
  size_t structure_pos = 0;  // walked so far in `structure`
  size_t text_pos = 0;       // the same point in `rendered`
  for (size_t i : assistants) {
    const std::string where = where_of(i);
    const std::string marker = answer_marker(i);
    const size_t at = structure.find(marker, structure_pos);
    if (at == std::string::npos) throw Error(where, "the chat template does not render this assistant turn");
    const std::string_view template_text = std::string_view(structure).substr(structure_pos, at - structure_pos);
    const std::string answer = answer_text(conversation[i], where);
    if (rendered.substr(text_pos, template_text.size()) != template_text ||
        rendered.substr(text_pos + template_text.size(), answer.size()) != answer)
      throw Error(where, "the chat template renders the turns before this answer differently when it changes");
    const size_t answer_begin = text_pos + template_text.size();
    const size_t answer_end = answer_begin + answer.size();
    if (answer_begin == 0 || rendered[answer_begin - 1] != ' ' ||
        rendered.substr(answer_end, end_of_turn.size()) != end_of_turn)
      throw Error(where, "the chat template does not write \"<role>: \" + answer + \"" + std::string(end_of_turn) +
                             "\" for this turn, which --assistant-only masking needs");
    spans.push_back({answer_begin - 1, answer_end + end_of_turn.size()});
    structure_pos = at + marker.size();
    text_pos = answer_end;
  }
  if (rendered.substr(text_pos) != std::string_view(structure).substr(structure_pos))
    throw Error("messages", "the chat template's text after the last answer depends on the answers");
  return spans;
}

namespace {

size_t count_placeholders(std::string_view text) {
  constexpr std::string_view kImage = "<image>";
  size_t n = 0;
  for (size_t at = text.find(kImage); at != std::string_view::npos; at = text.find(kImage, at + kImage.size())) ++n;
  return n;
}

std::vector<size_t> cut_points(std::string_view text, std::span<const CharSpan> spans) {
  std::vector<size_t> cuts = {0};
  for (const CharSpan& s : spans) {
    if (s.begin < cuts.back() || s.end < s.begin || s.end > text.size())
      throw Error("assistant-only labels", "target byte ranges must be sorted, disjoint and inside the text");
    cuts.push_back(s.begin);
    cuts.push_back(s.end);
  }
  cuts.push_back(text.size());
  return cuts;
}

}  // namespace

std::vector<TokenSpan> token_spans_of(std::string_view text, std::span<const CharSpan> spans,
                                      std::span<const ImageGrid> grids, int64_t image_seq_len,
                                      const Tokenizer& tokenizer, std::span<const int32_t> ids) {
  const std::vector<size_t> cuts = cut_points(text, spans);
  std::vector<size_t> token_cuts = {0};
  std::vector<int32_t> joined;
  size_t grids_used = 0;
  for (size_t k = 0; k + 1 < cuts.size(); ++k) {
    const std::string_view piece = text.substr(cuts[k], cuts[k + 1] - cuts[k]);
    std::string expanded(piece);
    if (!grids.empty()) {
      const size_t n = std::min(count_placeholders(piece), grids.size() - grids_used);
      expanded = expand_image_placeholders(piece, grids.subspan(grids_used, n), image_seq_len);
      grids_used += n;
    }
    const std::vector<int32_t> piece_ids = tokenizer.encode(expanded);
    joined.insert(joined.end(), piece_ids.begin(), piece_ids.end());
    token_cuts.push_back(joined.size());
  }
  if (!std::equal(joined.begin(), joined.end(), ids.begin(), ids.end()))
    throw Error("assistant-only labels",
                "the text tokenizes differently when cut at the answers' edges; cannot place the targets");
  std::vector<TokenSpan> out;
  for (size_t k = 0; k < spans.size(); ++k) out.push_back({token_cuts[2 * k + 1], token_cuts[2 * k + 2]});
  return out;
}

}  // namespace smolvlm::train
