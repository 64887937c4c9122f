#include "generate/generator.h"

#include <chrono>

#include "core/error.h"
#include "generate/stop_strings.h"
#include "generate/text_streamer.h"
#include "model/kv_cache.h"
#include "model/text_decoder.h"
#include "tokenizer/tokenizer.h"

namespace smolvlm {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

bool is_eos(int32_t id, const std::vector<int32_t>& eos_ids) {
  for (int32_t e : eos_ids)
    if (e == id) return true;
  return false;
}

// Turns token ids into streamed text: special tokens are skipped (as
// decode(skip_special_tokens=True)), UTF-8 is completed across tokens, and
// stop strings are held back until they either match or cannot.
class TextPipeline {
 public:
  TextPipeline(const Tokenizer& tokenizer, std::vector<std::string> stop_strings,
               const std::function<void(std::string_view)>& on_text)
      : tokenizer_(tokenizer), stops_(std::move(stop_strings)), on_text_(on_text) {}

  // Returns true when a stop string completed.
  bool push(int32_t id) {
    if (tokenizer_.is_special(id)) return false;
    return emit(stops_.feed(streamer_.push(tokenizer_.token_bytes(id))));
  }

  void finish() {
    if (stops_.stopped()) return;
    if (emit(stops_.feed(streamer_.finish()))) return;
    const std::string rest = stops_.flush();
    text_ += rest;
    if (on_text_ && !rest.empty()) on_text_(rest);
  }

  std::string& text() { return text_; }

 private:
  bool emit(const StopStep& step) {
    text_ += step.ready;
    if (on_text_ && !step.ready.empty()) on_text_(step.ready);
    return step.match.has_value();
  }

  const Tokenizer& tokenizer_;
  TextStreamer streamer_;
  StopStringMatcher stops_;
  const std::function<void(std::string_view)>& on_text_;
  std::string text_;
};

}  // namespace

GenerationOutput generate(const TextDecoder& decoder, const Tokenizer& tokenizer, KvCache& cache,
                          const GenerationRequest& request, const std::function<void(std::string_view)>& on_text) {
  const int64_t vocab = decoder.config().vocab_size;
  const int64_t hidden = decoder.config().hidden_size;
  const auto n_prompt = static_cast<int64_t>(request.prompt_ids.size());
  if (n_prompt == 0) throw Error("prompt", "is empty");
  if (static_cast<int64_t>(request.prompt_embeddings.size()) != n_prompt * hidden)
    throw Error("prompt", "embeddings do not match the prompt length");

  Sampler sampler(request.sampling);
  TextPipeline text(tokenizer, request.stop_strings, on_text);
  GenerationOutput out;
  cache.clear();

  const auto prefill_start = Clock::now();
  std::vector<float> logits(static_cast<size_t>(request.keep_all_logits ? n_prompt * vocab : vocab));
  decoder.forward(request.prompt_embeddings, n_prompt, cache, logits, request.keep_all_logits);
  if (request.keep_all_logits) {
    out.logits_last.assign(logits.end() - vocab, logits.end());
    out.prompt_logits = std::move(logits);
    logits = out.logits_last;
  } else {
    out.logits_last = logits;
  }
  out.prefill_ms = ms_since(prefill_start);

  std::vector<int32_t> tokens(request.prompt_ids.begin(), request.prompt_ids.end());
  std::vector<float> embedding(static_cast<size_t>(hidden));
  const auto decode_start = Clock::now();
  out.finish_reason = "length";
  for (int64_t step = 0; step < request.max_new_tokens; ++step) {
    if (step > 0) {
      decoder.embed(std::span<const int32_t>(&tokens.back(), 1), embedding);
      decoder.forward(embedding, 1, cache, logits, false);
    }
    const int32_t id = sampler.next(logits, tokens);
    tokens.push_back(id);
    out.generated_ids.push_back(id);
    const bool stop_string_hit = text.push(id);
    if (stop_string_hit || is_eos(id, request.eos_ids)) {
      out.finish_reason = "stop";
      break;
    }
  }
  text.finish();
  out.decode_ms = ms_since(decode_start);
  out.text = std::move(text.text());
  return out;
}

}  // namespace smolvlm
