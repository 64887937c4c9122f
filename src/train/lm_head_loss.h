// The top of the decoder for training (SPEC §2 step 3 and
// fixtures/training/README.md "Loss per token"): final RMSNorm, lm_head and
// softmax cross-entropy CE(logits[t-1], label[t]) for t = 1 .. n-1 whose label
// is not ignored. Only those rows are computed, in chunks, and the logits are
// recomputed in the backward rather than kept ([rows, vocab] is the largest
// tensor of a step).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "io/model_config.h"
#include "train/trainable_weights.h"

namespace smolvlm::train {

// The positions whose next token is a target: row t - 1 predicts labels[t].
struct ScoredRows {
  std::vector<int64_t> rows;
  std::vector<int32_t> targets;
};
ScoredRows scored_rows(std::span<const int32_t> labels);

struct LmHeadActivations {
  ScoredRows scored;
  std::vector<float> x;       // [S, H] the last layer's output at the scored rows
  std::vector<float> normed;  // [S, H] after the final norm
  std::vector<float> lse;     // [S]
  std::vector<float> loss;    // [S] per-token CE
};

// x [n, H], the last layer's output. Returns the summed CE over the scored rows.
double lm_head_loss_forward(const TrainableWeights& w, const TextConfig& c, std::span<const float> x,
                            std::span<const int32_t> labels, LmHeadActivations& a);

// Adds the gradients of scale · (summed CE) to the final norm and lm_head
// when they train, and writes d(x) [n, H] (zero outside the scored rows).
void lm_head_loss_backward(const TrainableWeights& w, const TextConfig& c, const LmHeadActivations& a, double scale,
                           std::span<float> dx);

}  // namespace smolvlm::train
