// One sequence's generation between decoder steps (SPEC §8): the sampler, the
// ids so far, streamed text with stop strings, and why it finished. generate()
// drives one with the single-sequence decoder and the server's scheduler
// drives many with the batched one, so both pick the same tokens and text.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "generate/generator.h"
#include "generate/sampler.h"
#include "generate/stop_strings.h"
#include "generate/text_streamer.h"

namespace smolvlm {

class Tokenizer;

class SequenceState {
 public:
  // `request` supplies the prompt ids (for the repetition penalty), the budget,
  // EOS ids, stop strings and sampling; it is copied. `on_text` receives
  // streamed text that is final (UTF-8 complete, never part of a stop string).
  // A budget of 0 tokens is finished at once ("length").
  SequenceState(const Tokenizer& tokenizer, const GenerationRequest& request,
                std::function<void(std::string_view)> on_text);

  // Picks the next id from the logits of the sequence's last position
  // (modified in place), streams its text and updates finished(). Call only
  // while !finished().
  int32_t next(std::span<float> logits);

  bool finished() const { return finished_; }
  const std::string& finish_reason() const { return finish_reason_; }  // "stop" or "length"
  const std::vector<int32_t>& generated_ids() const { return generated_; }
  const std::string& text() const { return text_; }  // all text streamed so far

 private:
  bool push_text(int32_t id);  // true when a stop string completed
  void emit(std::string_view text);
  void finish(std::string reason);

  const Tokenizer& tokenizer_;
  Sampler sampler_;
  int64_t max_new_tokens_;
  std::vector<int32_t> eos_ids_;
  std::vector<int32_t> tokens_;  // prompt, then generated: the repetition penalty's context
  std::vector<int32_t> generated_;
  TextStreamer streamer_;
  StopStringMatcher stops_;
  std::function<void(std::string_view)> on_text_;
  std::string text_;
  bool finished_ = false;
  std::string finish_reason_;
};

}  // namespace smolvlm
