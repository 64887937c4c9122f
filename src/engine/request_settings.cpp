#include "engine/request_settings.h"

#include <algorithm>

#include "core/error.h"

namespace smolvlm {
namespace {

// Used when neither the request nor generation_config.json bounds the answer;
// transformers' class default max_length=20 would cut answers to a few words.
constexpr int64_t kDefaultMaxNewTokens = 512;

int64_t budget(const GenerationOptions& options, const GenerationConfig& g, int64_t n_prompt) {
  if (options.max_new_tokens) {
    if (*options.max_new_tokens < 0) throw Error("max_new_tokens", "must not be negative");
    return *options.max_new_tokens;
  }
  if (g.max_new_tokens) return *g.max_new_tokens;
  if (g.max_length) return std::max<int64_t>(0, *g.max_length - n_prompt);
  return kDefaultMaxNewTokens;
}

SamplingParams sampling(const GenerationOptions& o, const GenerationConfig& g) {
  SamplingParams p;
  p.do_sample = o.do_sample.value_or(g.do_sample);
  p.temperature = o.temperature.value_or(g.temperature);
  p.top_k = o.top_k.value_or(g.top_k);
  p.top_p = o.top_p.value_or(g.top_p);
  p.min_p = o.min_p ? o.min_p : g.min_p;
  p.repetition_penalty = o.repetition_penalty.value_or(g.repetition_penalty);
  p.seed = o.seed;
  validate(p);
  return p;
}

}  // namespace

GenerationRequest settle_request(const GenerationOptions& options, const GenerationConfig& checkpoint,
                                 int64_t n_prompt, int64_t max_positions) {
  GenerationRequest request;
  request.max_new_tokens = std::min(budget(options, checkpoint, n_prompt), max_positions - n_prompt);
  if (!options.ignore_eos) request.eos_ids = checkpoint.eos_token_ids;
  request.stop_strings = options.stop_strings;
  request.sampling = sampling(options, checkpoint);
  request.keep_all_logits = options.keep_all_logits;
  return request;
}

}  // namespace smolvlm
