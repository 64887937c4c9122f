#include "generate/generator.h"

#include <chrono>

#include "core/error.h"
#include "generate/sequence_state.h"
#include "model/kv_cache.h"
#include "model/text_decoder.h"
#include "tokenizer/tokenizer.h"

namespace smolvlm {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

GenerationOutput generate(const TextDecoder& decoder, const Tokenizer& tokenizer, KvCache& cache,
                          const GenerationRequest& request, const std::function<void(std::string_view)>& on_text) {
  const int64_t vocab = decoder.config().vocab_size;
  const int64_t hidden = decoder.config().hidden_size;
  const auto n_prompt = static_cast<int64_t>(request.prompt_ids.size());
  if (n_prompt == 0) throw Error("prompt", "is empty");
  if (static_cast<int64_t>(request.prompt_embeddings.size()) != n_prompt * hidden)
    throw Error("prompt", "embeddings do not match the prompt length");

  SequenceState sequence(tokenizer, request, on_text);
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

  std::vector<float> embedding(static_cast<size_t>(hidden));
  const auto decode_start = Clock::now();
  while (!sequence.finished()) {
    if (!sequence.generated_ids().empty()) {
      decoder.embed(std::span<const int32_t>(&sequence.generated_ids().back(), 1), embedding);
      decoder.forward(embedding, 1, cache, logits, false);
    }
    sequence.next(logits);
  }
  out.decode_ms = ms_since(decode_start);
  out.generated_ids = sequence.generated_ids();
  out.text = sequence.text();
  out.finish_reason = sequence.finish_reason();
  return out;
}

}  // namespace smolvlm
