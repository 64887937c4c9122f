// Next-token choice from the last-position logits (SPEC §8): greedy argmax, or
// the transformers v4.51.3 sampling chain with our own seeded RNG.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <span>

namespace smolvlm {

// The generation_config.json / request knobs that shape the choice. Defaults
// are transformers' (note top_k 50 applies whenever do_sample is true).
struct SamplingParams {
  bool do_sample = false;
  double temperature = 1.0;  // > 0 when sampling; 1 = untouched
  int64_t top_k = 50;        // >= 0; 0 disables
  double top_p = 1.0;        // in (0, 1]; 1 disables
  std::optional<double> min_p;      // in [0, 1]; unset disables
  double repetition_penalty = 1.0;  // > 0; 1 disables
  uint64_t seed = 0;
};

// Throws Error("sampling", ...) naming the first invalid parameter.
void validate(const SamplingParams& params);

// Order, as transformers applies it to the float32 logits: repetition penalty
// -> (sampling only) temperature -> top-k -> top-p -> min-p -> softmax ->
// multinomial draw. Greedy (do_sample false) is the argmax after the
// repetition penalty, ties to the lowest id.
//
// The draw uses std::mt19937_64 seeded with params.seed and a 53-bit uniform
// built from its raw output (so the stream is the same with every standard
// library). torch's RNG stream is NOT reproduced: a seeded run is repeatable
// here, but does not pick the tokens torch.manual_seed(seed) would.
class Sampler {
 public:
  explicit Sampler(const SamplingParams& params);  // validates

  // `logits`: the last position's scores over the vocabulary, float32; they are
  // modified in place. `tokens`: every id of the sequence so far (prompt incl.
  // image tokens, then generated ones), for the repetition penalty.
  // Throws Error("sampling", ...) when a token id is outside the logits or no
  // logit is finite when sampling.
  int32_t next(std::span<float> logits, std::span<const int32_t> tokens);

  const SamplingParams& params() const { return params_; }

 private:
  SamplingParams params_;
  std::mt19937_64 rng_;
};

}  // namespace smolvlm
