// DPO as a Trainer objective (TRL's DPOTrainer, sigmoid loss, over LoRA;
// fixtures/training/README.md "DPO"): a micro-batch's loss is the mean of its
// pairs' losses, and the step logs TRL's rewards/* and logps/* over its pairs.
#pragma once

#include <span>
#include <vector>

#include "train/dpo_data.h"
#include "train/dpo_loss.h"
#include "train/trainer.h"

namespace smolvlm::train {

// The pairs a step ran, for its logged metrics.
struct DpoStepMetrics {
  std::vector<DpoPairResult> pairs;
  // Means over the pairs, as TRL names them (rewards/margins = chosen - rejected).
  DpoResult summary() const;
};

// `metrics` gets every pair the objective trains on (the caller clears it
// after each step); the eval loss is dpo_evaluate's mean over `eval_pairs`.
// The decoder must hold a LoRA adapter (the reference is the adapter off).
TrainingObjective dpo_objective(TrainableDecoder& decoder, std::span<const DpoPair> train_pairs,
                                std::span<const DpoPair> eval_pairs, double beta, DpoStepMetrics& metrics);

}  // namespace smolvlm::train
