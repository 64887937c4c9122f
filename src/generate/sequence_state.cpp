#include "generate/sequence_state.h"

#include <algorithm>

#include "tokenizer/tokenizer.h"

namespace smolvlm {

SequenceState::SequenceState(const Tokenizer& tokenizer, const GenerationRequest& request,
                             std::function<void(std::string_view)> on_text)
    : tokenizer_(tokenizer),
      sampler_(request.sampling),
      max_new_tokens_(request.max_new_tokens),
      eos_ids_(request.eos_ids),
      tokens_(request.prompt_ids.begin(), request.prompt_ids.end()),
      stops_(request.stop_strings),
      on_text_(std::move(on_text)) {
  if (max_new_tokens_ <= 0) finish("length");
}

int32_t SequenceState::next(std::span<float> logits) {
  const int32_t id = sampler_.next(logits, tokens_);
  tokens_.push_back(id);
  generated_.push_back(id);
  const bool stop_string_hit = push_text(id);
  if (stop_string_hit || std::find(eos_ids_.begin(), eos_ids_.end(), id) != eos_ids_.end()) {
    finish("stop");
  } else if (static_cast<int64_t>(generated_.size()) >= max_new_tokens_) {
    finish("length");
  }
  return id;
}

// Special tokens are skipped (as decode(skip_special_tokens=True)), UTF-8 is
// completed across tokens, and stop strings are held back until they either
// match or cannot.
bool SequenceState::push_text(int32_t id) {
  if (tokenizer_.is_special(id)) return false;
  const StopStep step = stops_.feed(streamer_.push(tokenizer_.token_bytes(id)));
  emit(step.ready);
  return step.match.has_value();
}

void SequenceState::emit(std::string_view text) {
  if (text.empty()) return;
  text_ += text;
  if (on_text_) on_text_(text);
}

void SequenceState::finish(std::string reason) {
  finished_ = true;
  finish_reason_ = std::move(reason);
  if (stops_.stopped()) return;
  const StopStep step = stops_.feed(streamer_.finish());
  emit(step.ready);
  if (!step.match) emit(stops_.flush());
}

}  // namespace smolvlm
