#include "train/dpo_objective.h"

#include <memory>

namespace smolvlm::train {

DpoResult DpoStepMetrics::summary() const {
  DpoResult r;
  r.pairs = pairs;
  if (pairs.empty()) return r;
  const double P = static_cast<double>(pairs.size());
  for (const DpoPairResult& p : pairs) {
    r.loss += p.loss / P;
    r.rewards_chosen += p.reward_chosen / P;
    r.rewards_rejected += p.reward_rejected / P;
    r.rewards_accuracies += (p.reward_chosen > p.reward_rejected ? 1.0 : 0.0) / P;
    r.logps_chosen += p.policy_chosen / P;
    r.logps_rejected += p.policy_rejected / P;
  }
  r.rewards_margins = r.rewards_chosen - r.rewards_rejected;
  return r;
}

TrainingObjective dpo_objective(TrainableDecoder& decoder, std::span<const DpoPair> train_pairs,
                                std::span<const DpoPair> eval_pairs, double beta, DpoStepMetrics& metrics) {
  TrainingObjective o;
  o.n_examples = static_cast<int64_t>(train_pairs.size());
  // Pair by pair: the gradient of the micro-batch's mean is the sum of each
  // pair's gradient scaled by 1 / (pairs in the micro-batch).
  o.accumulate = [&decoder, train_pairs, beta, &metrics](const MicroBatch& mb, double weight, int64_t& tokens) {
    double loss = 0;
    const double per_pair = weight / static_cast<double>(mb.size());
    for (int64_t i : mb) {
      const DpoPair& pair = train_pairs[i];
      const DpoResult r = dpo_accumulate_gradients(decoder, std::span(&pair.chosen, 1), std::span(&pair.rejected, 1),
                                                   beta, per_pair);
      loss += r.loss / static_cast<double>(mb.size());
      metrics.pairs.push_back(r.pairs.front());
      tokens += static_cast<int64_t>(pair.chosen.input_ids.size() + pair.rejected.input_ids.size());
    }
    return loss;
  };
  if (!eval_pairs.empty()) {
    auto chosen = std::make_shared<std::vector<TrainingExample>>();
    auto rejected = std::make_shared<std::vector<TrainingExample>>();
    for (const DpoPair& p : eval_pairs) {
      chosen->push_back(p.chosen);
      rejected->push_back(p.rejected);
    }
    o.eval_loss = [&decoder, chosen, rejected, beta] { return dpo_evaluate(decoder, *chosen, *rejected, beta).loss; };
  }
  return o;
}

}  // namespace smolvlm::train
