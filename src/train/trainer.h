// The supervised fine-tuning loop (issue #8): micro-batches of examples,
// gradient accumulation with the loss of fixtures/training/README.md "Loss
// reduction", clipping by global norm, torch's AdamW under transformers'
// schedule, and an eval loss. It reads and writes no file: the caller gives
// the examples and gets a report after every step (progress, checkpoints).
//
//   Trainer trainer(config, decoder, train_examples, eval_examples);
//   trainer.run([&](const StepReport& r) { print(r); if (r.step % 25 == 0) save(...); });
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "core/json_file.h"
#include "train/adamw.h"
#include "train/batch_plan.h"
#include "train/finetune_config.h"
#include "train/lr_schedule.h"
#include "train/trainable_decoder.h"

namespace smolvlm::train {

struct StepReport {
  int64_t step = 0;         // 1-based, the optimizer steps done so far
  int64_t total_steps = 0;
  double loss = 0;          // mean over the step's micro-batches of (summed CE / target tokens)
  float grad_norm = 0;      // global L2 norm before clipping (Trainer's "grad_norm")
  float clip_coef = 1;      // what the gradients were multiplied by
  double lr = 0;            // the learning rate this step ran at
  int64_t tokens = 0;       // input tokens forwarded and backwarded in the step
  double seconds = 0;       // wall time of the step
  std::optional<double> eval_loss;  // after the step, when an eval pass ran
  double tokens_per_second() const { return seconds > 0 ? tokens / seconds : 0; }
};

// What is trained: the loss of one micro-batch and its gradients. SFT's is
// below; DPO's is in train/dpo_objective.h.
struct TrainingObjective {
  int64_t n_examples = 0;  // the indices micro-batches hold are below this
  // Adds weight · d(micro-batch loss)/dθ to the gradients, returns the
  // micro-batch's loss and adds the input tokens it ran to `tokens`.
  std::function<double(const MicroBatch& micro_batch, double weight, int64_t& tokens)> accumulate;
  std::function<double()> eval_loss;  // empty: no eval data
};

// README "Loss reduction": a micro-batch's loss is its summed CE over its N
// target tokens divided by N (so each example's gradient scale is weight / N);
// one without targets (all masked) is 0 and adds nothing. The eval loss is the
// token mean of the CE over every eval example.
TrainingObjective sft_objective(TrainableDecoder& decoder, std::span<const TrainingExample> train_examples,
                                std::span<const TrainingExample> eval_examples);

// Everything a resumed run needs besides the weights and the optimizer state.
struct TrainerProgress {
  int64_t step = 0;
  BatchPosition position;
  std::vector<double> loss_history;                         // per step
  std::vector<std::pair<int64_t, double>> eval_history;     // (step, eval loss)
};

class Trainer {
 public:
  // `decoder` and what the objective reads must outlive the trainer. Throws
  // Error for a config the batches cannot follow (batch_plan.h).
  Trainer(const FinetuneConfig& config, TrainableDecoder& decoder, TrainingObjective objective);
  // Supervised fine-tuning: sft_objective(decoder, train_examples, eval_examples).
  Trainer(const FinetuneConfig& config, TrainableDecoder& decoder, std::span<const TrainingExample> train_examples,
          std::span<const TrainingExample> eval_examples = {});

  // One optimizer step. A non-finite loss or gradient norm throws Error
  // before any parameter changes, so the last saved checkpoint stays good.
  StepReport step();
  // Steps until total_steps(), calling after_step after each.
  void run(const std::function<void(const StepReport&)>& after_step);
  bool done() const { return progress_.step >= total_steps(); }
  int64_t total_steps() const { return plan_.total_steps(); }

  // The objective's eval loss (SFT: token-mean CE over every eval example).
  double eval_loss();

  // Keep a copy of each step's gradients before clipping (--dump-tensors).
  void keep_unclipped_gradients(bool keep) { keep_unclipped_ = keep; }
  const std::vector<std::vector<float>>& unclipped_gradients() const { return unclipped_; }

  const TrainerProgress& progress() const { return progress_; }
  AdamW& optimizer() { return optimizer_; }
  TrainableDecoder& decoder() { return decoder_; }

  // trainer_state.json's training part, and back (--resume).
  Json progress_json() const;
  void restore_progress(const Json& state);

 private:

  FinetuneConfig config_;
  TrainableDecoder& decoder_;
  TrainingObjective objective_;
  BatchPlan plan_;
  LrSchedule schedule_;
  AdamW optimizer_;
  TrainerProgress progress_;
  bool keep_unclipped_ = false;
  std::vector<std::vector<float>> unclipped_;
};

}  // namespace smolvlm::train
