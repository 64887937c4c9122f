// DPO with TRL's sigmoid loss over LoRA (fixtures/training/README.md "DPO"):
// the policy is the decoder with its adapter, the reference the same decoder
// with the adapter off (no second copy of the model). For pair i:
//   logp(seq) = sum over completion positions of log_softmax(logits[t-1])[id[t]]  (labels set there)
//   z_i = beta ((pi_c - ref_c) - (pi_r - ref_r)),  loss = mean_i -logsigmoid(z_i)
// and TRL's logged metrics: rewards/chosen = mean beta (pi_c - ref_c), rewards/rejected,
// rewards/margins, rewards/accuracies = mean(reward_c > reward_r), logps/chosen = mean pi_c, logps/rejected.
#pragma once

#include <span>
#include <vector>

#include "train/trainable_decoder.h"
#include "train/training_example.h"

namespace smolvlm::train {

struct DpoPairResult {
  double policy_chosen = 0, policy_rejected = 0;  // summed completion log-probs
  double ref_chosen = 0, ref_rejected = 0;
  double loss = 0;
  double reward_chosen = 0, reward_rejected = 0;
};

struct DpoResult {
  std::vector<DpoPairResult> pairs;
  double loss = 0;  // mean over pairs
  double rewards_chosen = 0, rewards_rejected = 0, rewards_margins = 0, rewards_accuracies = 0;
  double logps_chosen = 0, logps_rejected = 0;
};

// chosen[i] / rejected[i]: the pair's sequences, labels kIgnoreLabel on the
// prompt and the ids on the completion (train/dpo_data.h builds them). Adds
// scale · d(loss)/dθ to the adapter's gradients (scale 1 for one batch without
// accumulation). Throws Error when the decoder has no adapter (its reference
// would be itself) or the spans differ in length.
DpoResult dpo_accumulate_gradients(TrainableDecoder& decoder, std::span<const TrainingExample> chosen,
                                   std::span<const TrainingExample> rejected, double beta, double scale);

// The same loss and metrics, no gradients.
DpoResult dpo_evaluate(TrainableDecoder& decoder, std::span<const TrainingExample> chosen,
                       std::span<const TrainingExample> rejected, double beta);

}  // namespace smolvlm::train
