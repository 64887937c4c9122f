#include "train/batch_plan.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "core/splitmix64.h"

namespace smolvlm::train {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

BatchPlan::BatchPlan(const FinetuneConfig& config, int64_t n_examples) : config_(config), n_examples_(n_examples) {
  if (n_examples <= 0) throw Error("training data", "no example to train on");
  if (config.micro_batches.empty()) return;
  if (static_cast<int64_t>(config.micro_batches.size()) != config.grad_accumulation)
    throw Error("micro_batches", "lists " + std::to_string(config.micro_batches.size()) +
                                     " micro-batches but grad_accumulation is " +
                                     std::to_string(config.grad_accumulation));
  for (const MicroBatch& mb : config.micro_batches)
    for (int64_t i : mb)
      if (i >= n_examples)
        throw Error("micro_batches", "names example " + std::to_string(i) + " but the data has " +
                                         std::to_string(n_examples) + " usable examples");
}

int64_t BatchPlan::micro_batches_per_epoch() const { return ceil_div(n_examples_, config_.per_device_batch); }

int64_t BatchPlan::steps_per_epoch() const {
  if (!config_.micro_batches.empty()) return 1;
  return ceil_div(micro_batches_per_epoch(), config_.grad_accumulation);
}

int64_t BatchPlan::total_steps() const {
  if (config_.max_steps > 0) return config_.max_steps;
  const double steps = std::ceil(config_.epochs * static_cast<double>(steps_per_epoch()));
  return std::max<int64_t>(1, static_cast<int64_t>(steps));
}

std::vector<int64_t> BatchPlan::epoch_order(int64_t epoch) const {
  std::vector<int64_t> order(n_examples_);
  for (int64_t i = 0; i < n_examples_; ++i) order[i] = i;
  uint64_t state = config_.seed * 0x100000001B3ull + static_cast<uint64_t>(epoch) + 1;
  for (int64_t i = n_examples_ - 1; i > 0; --i) {
    const int64_t j = static_cast<int64_t>(splitmix64(state) % static_cast<uint64_t>(i + 1));
    std::swap(order[i], order[j]);
  }
  return order;
}

std::vector<MicroBatch> BatchPlan::next_step(BatchPosition& position) const {
  if (!config_.micro_batches.empty()) {
    ++position.epoch;
    return config_.micro_batches;
  }
  const std::vector<int64_t> order = epoch_order(position.epoch);
  std::vector<MicroBatch> step;
  const int64_t per_epoch = micro_batches_per_epoch();
  while (static_cast<int64_t>(step.size()) < config_.grad_accumulation && position.micro_batch < per_epoch) {
    const int64_t begin = position.micro_batch * config_.per_device_batch;
    const int64_t end = std::min(begin + config_.per_device_batch, n_examples_);
    step.emplace_back(order.begin() + begin, order.begin() + end);
    ++position.micro_batch;
  }
  if (position.micro_batch == per_epoch) {
    ++position.epoch;
    position.micro_batch = 0;
  }
  return step;
}

}  // namespace smolvlm::train
