#include "generate/sampler.h"

#include <cmath>

#include "core/error.h"
#include "generate/logits_processors.h"

namespace smolvlm {

void validate(const SamplingParams& params) {
  // Written as !(in range) so that NaN is rejected too.
  if (params.do_sample && !(params.temperature > 0.0 && std::isfinite(params.temperature))) {
    throw Error("sampling", "temperature must be a positive number when sampling, got " +
                                std::to_string(params.temperature));
  }
  if (params.top_k < 0) throw Error("sampling", "top_k must be >= 0, got " + std::to_string(params.top_k));
  if (!(params.top_p > 0.0 && params.top_p <= 1.0)) {
    throw Error("sampling", "top_p must be in (0, 1], got " + std::to_string(params.top_p));
  }
  if (params.min_p && !(*params.min_p >= 0.0 && *params.min_p <= 1.0)) {
    throw Error("sampling", "min_p must be in [0, 1], got " + std::to_string(*params.min_p));
  }
  if (!(params.repetition_penalty > 0.0 && std::isfinite(params.repetition_penalty))) {
    throw Error("sampling", "repetition_penalty must be a positive number, got " +
                                std::to_string(params.repetition_penalty));
  }
}

Sampler::Sampler(const SamplingParams& params) : params_(params), rng_(params.seed) { validate(params_); }

int32_t Sampler::next(std::span<float> logits, std::span<const int32_t> tokens) {
  apply_repetition_penalty(logits, tokens, params_.repetition_penalty);
  if (!params_.do_sample) return argmax(logits);

  if (params_.temperature != 1.0) apply_temperature(logits, params_.temperature);
  std::vector<Candidate> candidates = top_k_candidates(logits, params_.top_k);
  apply_top_p(candidates, params_.top_p);
  if (params_.min_p) apply_min_p(candidates, *params_.min_p);
  if (candidates.empty()) throw Error("sampling", "no token has a finite score");

  const std::vector<double> p = softmax(candidates);
  // Top 53 bits -> uniform double in [0, 1): exact, library-independent.
  const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
  double cumulative = 0.0;
  size_t last_possible = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == 0.0) continue;  // underflowed: never drawn
    cumulative += p[i];
    last_possible = i;
    if (u < cumulative) return candidates[i].id;
  }
  return candidates[last_possible].id;  // u within rounding of the total
}

}  // namespace smolvlm
