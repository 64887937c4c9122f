// The logits processors of transformers v4.51.3 that SmolVLM generation uses
// (SPEC §8), one function each, in float32 like the reference.
//
// Two shapes of data:
//  - full-vocabulary steps work in place on the last-position logits;
//  - the sampling filters after top-k work on a candidate list: the tokens not
//    yet removed. transformers sets removed tokens to -inf over the whole
//    vocabulary; dropping them from the list is the same thing (a -inf score has
//    probability 0 in every later softmax) without O(V log V) sorts.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace smolvlm {

// One token still in the running for sampling.
struct Candidate {
  int32_t id = 0;
  float score = 0.0f;
};

// RepetitionPenaltyLogitsProcessor: every distinct id in `tokens` (prompt,
// image tokens and generated ids alike) gets score*penalty if its score is
// negative, score/penalty otherwise. Ids outside the logits are an error
// (Error "sampling"). penalty == 1 leaves the logits untouched.
void apply_repetition_penalty(std::span<float> logits, std::span<const int32_t> tokens, double penalty);

// TemperatureLogitsWarper: divides every score by the temperature (float32).
void apply_temperature(std::span<float> logits, double temperature);

// Greedy choice: the index of the largest score, ties to the lowest index.
int32_t argmax(std::span<const float> logits);

// TopKLogitsWarper: keeps every finite score >= the k-th largest score, so ties
// at the k-th value are all kept. k == 0 (or k >= vocabulary) keeps every
// finite score. O(V) selection, no full sort. Order of the result is unspecified.
std::vector<Candidate> top_k_candidates(std::span<const float> logits, int64_t k);

// TopPLogitsWarper: sorts ascending (ties by ascending id, as a stable sort of
// the vocabulary would), removes candidates whose cumulative probability is
// <= 1 - top_p, always keeps the most probable one. top_p >= 1 is a no-op.
// Leaves `candidates` in that ascending order.
void apply_top_p(std::vector<Candidate>& candidates, double top_p);

// MinPLogitsWarper: keeps candidates whose probability is >= min_p times the
// largest probability (the most probable one always survives since min_p <= 1).
// Keeps the order of the survivors.
void apply_min_p(std::vector<Candidate>& candidates, double min_p);

// Softmax over the candidates' scores (the probabilities of the full-vocabulary
// softmax, since removed tokens would be -inf): exp(s - max) / sum, summed in
// double. Empty input gives an empty result.
std::vector<double> softmax(const std::vector<Candidate>& candidates);

}  // namespace smolvlm
