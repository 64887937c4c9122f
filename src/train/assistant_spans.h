// Where each assistant turn's targets lie in a training sequence, for
// --assistant-only masking (fixtures/training/README.md "Label masking": the
// tokens of " " + answer and that turn's <end_of_utterance>; not the
// "Assistant:" prefix, not the "\n" after). Found by walking the template's
// output turn by turn, never by searching the text for the answer, and the
// token positions by tokenizing the text in pieces cut at the targets' edges.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "smolvlm.h"
#include "tokenizer/tokenizer.h"
#include "train/label_mask.h"
#include "vision/image_prompt.h"

namespace smolvlm::train {

// A half-open byte range of a text.
struct CharSpan {
  size_t begin = 0;
  size_t end = 0;
};

// The checkpoint's chat template, add_generation_prompt = false.
using RenderConversation = std::function<std::string(const Conversation&)>;

// One span per assistant message, in `rendered` (= render(conversation)):
// the conversation is rendered once more with every assistant message's
// content replaced by a marker, and that output is walked (template text,
// then the answer in place of the marker) until it rebuilds `rendered`; each
// answer must be preceded by " " and followed by `end_of_turn`. Throws Error
// naming the message when the template does not fit that shape, and for
// assistant messages that hold anything but text.
std::vector<CharSpan> assistant_target_chars(const Conversation& conversation, const RenderConversation& render,
                                             std::string_view rendered, std::string_view end_of_turn);

// The token ranges of `spans` (byte ranges of `text`, sorted, disjoint) in
// `ids`, the processor's ids of `text`: the text is cut at every span edge,
// each piece expanded with its own images (as the processor expands
// "<image>", nothing when `grids` is empty) and tokenized alone. Throws Error
// when the pieces' ids do not join to `ids` (a tokenization that merges across
// an edge is refused, not guessed).
std::vector<TokenSpan> token_spans_of(std::string_view text, std::span<const CharSpan> spans,
                                      std::span<const ImageGrid> grids, int64_t image_seq_len,
                                      const Tokenizer& tokenizer, std::span<const int32_t> ids);

}  // namespace smolvlm::train
