// Learning-rate schedules as transformers' get_scheduler builds them
// (optimization.py: get_constant_schedule, get_constant_schedule_with_warmup,
// get_linear_schedule_with_warmup, get_cosine_schedule_with_warmup with
// num_cycles 0.5), each a LambdaLR multiplier of the base learning rate.
#pragma once

#include <cstdint>
#include <string>

namespace smolvlm::train {

enum class LrScheduleKind { Constant, ConstantWithWarmup, Linear, Cosine };

// "constant", "constant_with_warmup", "linear", "cosine" (TrainingArguments'
// lr_scheduler_type spellings); anything else throws Error naming it.
LrScheduleKind parse_lr_schedule(const std::string& name);

struct LrSchedule {
  LrScheduleKind kind = LrScheduleKind::Constant;
  double base_lr = 0;
  int64_t warmup_steps = 0;  // ignored by Constant, as transformers ignores it
  int64_t total_steps = 0;   // num_training_steps (Linear, Cosine)

  // The multiplier after `steps_done` optimizer steps (LambdaLR's
  // last_epoch): Trainer steps the scheduler after each optimizer step, so
  // step k (1-based) runs at lr_at(k - 1).
  double multiplier(int64_t steps_done) const;
  double lr_at(int64_t steps_done) const { return base_lr * multiplier(steps_done); }
};

// TrainingArguments.get_warmup_steps: warmup_steps when > 0, else
// ceil(total_steps * warmup_ratio).
int64_t resolve_warmup_steps(int64_t warmup_steps, double warmup_ratio, int64_t total_steps);

}  // namespace smolvlm::train
