// The generation loop: prefill the prompt, then sample token by token with the
// KV cache, stopping on EOS ids, stop strings or the token budget (SPEC §8).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "generate/sampler.h"

namespace smolvlm {

class TextDecoder;
class KvCache;
class Tokenizer;

struct GenerationRequest {
  std::span<const int32_t> prompt_ids;        // for the repetition penalty and the cache
  std::span<const float> prompt_embeddings;   // [prompt_ids.size(), hidden], images already merged
  int64_t max_new_tokens = 0;
  std::vector<int32_t> eos_ids;               // empty: never stop on a token
  std::vector<std::string> stop_strings;
  SamplingParams sampling;
  bool keep_all_logits = false;
};

struct GenerationOutput {
  std::vector<int32_t> generated_ids;
  std::string text;                 // special tokens skipped, cut before a matched stop string
  std::string finish_reason;        // "stop" or "length"
  std::vector<float> logits_last;   // last prompt position
  std::vector<float> prompt_logits; // [prompt, vocab] when keep_all_logits
  double prefill_ms = 0;
  double decode_ms = 0;
};

// Runs one request from an empty cache. `on_text` receives streamed text that
// is final (UTF-8 complete, never part of a stop string).
GenerationOutput generate(const TextDecoder& decoder, const Tokenizer& tokenizer, KvCache& cache,
                          const GenerationRequest& request, const std::function<void(std::string_view)>& on_text);

}  // namespace smolvlm
