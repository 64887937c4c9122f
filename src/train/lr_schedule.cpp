#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.h"

namespace smolvlm::train {

LrScheduleKind parse_lr_schedule(const std::string& name) {
  if (name == "constant") return LrScheduleKind::Constant;
  if (name == "constant_with_warmup") return LrScheduleKind::ConstantWithWarmup;
  if (name == "linear") return LrScheduleKind::Linear;
  if (name == "cosine") return LrScheduleKind::Cosine;
  throw Error("lr_scheduler \"" + name + "\"", "unknown (expected constant, constant_with_warmup, linear or cosine)");
}

double LrSchedule::multiplier(int64_t step) const {
  if (kind == LrScheduleKind::Constant) return 1.0;
  // The shared warm-up: float(current_step) / float(max(1, num_warmup_steps)).
  if (step < warmup_steps) return static_cast<double>(step) / static_cast<double>(std::max<int64_t>(1, warmup_steps));
  if (kind == LrScheduleKind::ConstantWithWarmup) return 1.0;
  const double decay_steps = static_cast<double>(std::max<int64_t>(1, total_steps - warmup_steps));
  if (kind == LrScheduleKind::Linear)
    return std::max(0.0, static_cast<double>(total_steps - step) / decay_steps);
  const double progress = static_cast<double>(step - warmup_steps) / decay_steps;
  constexpr double kNumCycles = 0.5;
  return std::max(0.0, 0.5 * (1.0 + std::cos(std::numbers::pi * kNumCycles * 2.0 * progress)));
}

int64_t resolve_warmup_steps(int64_t warmup_steps, double warmup_ratio, int64_t total_steps) {
  if (warmup_steps > 0) return warmup_steps;
  return static_cast<int64_t>(std::ceil(static_cast<double>(total_steps) * warmup_ratio));
}

}  // namespace smolvlm::train
