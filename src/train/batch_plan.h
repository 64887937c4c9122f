// Which examples go into which micro-batch, step after step: the goldens'
// explicit micro-batches (the same ones every step), or Trainer's order,
// per_device_batch examples at a time over a seeded shuffle of the data,
// reshuffled every epoch. The shuffle of an epoch is a pure function of
// (seed, epoch), so a resumed run needs only its position to continue exactly.
#pragma once

#include <cstdint>
#include <vector>

#include "train/finetune_config.h"

namespace smolvlm::train {

using MicroBatch = std::vector<int64_t>;  // example indices

// Where the next step starts: the epoch and its next micro-batch.
struct BatchPosition {
  int64_t epoch = 0;
  int64_t micro_batch = 0;
};

class BatchPlan {
 public:
  // Throws Error when explicit micro-batches name examples that are not
  // there or disagree with grad_accumulation, or when there is no example.
  BatchPlan(const FinetuneConfig& config, int64_t n_examples);

  // The micro-batches of the step starting at `position`, and where the next
  // step starts. A step takes grad_accumulation micro-batches, fewer at the
  // end of an epoch (an epoch's last step never reaches into the next one).
  std::vector<MicroBatch> next_step(BatchPosition& position) const;

  int64_t steps_per_epoch() const;
  // max_steps when > 0, else ceil(epochs * steps_per_epoch), at least 1.
  int64_t total_steps() const;

  // The epoch's example order: a Fisher-Yates shuffle driven by splitmix64
  // seeded from (seed, epoch), identical on every platform.
  std::vector<int64_t> epoch_order(int64_t epoch) const;

 private:
  int64_t micro_batches_per_epoch() const;

  FinetuneConfig config_;
  int64_t n_examples_ = 0;
};

}  // namespace smolvlm::train
