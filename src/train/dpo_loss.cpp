#include "train/dpo_loss.h"

#include <cmath>
#include <string>

#include "core/error.h"

namespace smolvlm::train {
namespace {

// -logsigmoid(z) = log(1 + exp(-z)), stable for either sign of z.
double softplus_neg(double z) { return z >= 0 ? std::log1p(std::exp(-z)) : -z + std::log1p(std::exp(z)); }
double sigmoid(double z) { return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z)); }

// The summed completion log-prob of a sequence: minus its summed CE.
double reference_logp(TrainableDecoder& decoder, const TrainingExample& e) {
  decoder.set_adapter_enabled(false);
  const double logp = -decoder.forward(e, false).loss.loss_sum;
  decoder.set_adapter_enabled(true);
  return logp;
}

void check_pairs(const TrainableDecoder& decoder, std::span<const TrainingExample> chosen,
                 std::span<const TrainingExample> rejected) {
  if (!decoder.has_adapter())
    throw Error("DPO", "needs a LoRA adapter: the reference model is the decoder with its adapter disabled");
  if (chosen.size() != rejected.size() || chosen.empty())
    throw Error("DPO", std::to_string(chosen.size()) + " chosen and " + std::to_string(rejected.size()) +
                           " rejected sequences: expected the same positive number");
}

DpoResult run(TrainableDecoder& decoder, std::span<const TrainingExample> chosen,
              std::span<const TrainingExample> rejected, double beta, const double* scale) {
  check_pairs(decoder, chosen, rejected);
  const double P = static_cast<double>(chosen.size());
  DpoResult r;
  for (size_t i = 0; i < chosen.size(); ++i) {
    DpoPairResult p;
    p.ref_chosen = reference_logp(decoder, chosen[i]);
    p.ref_rejected = reference_logp(decoder, rejected[i]);
    const SequencePass c = decoder.forward(chosen[i], scale != nullptr);
    const SequencePass j = decoder.forward(rejected[i], scale != nullptr);
    p.policy_chosen = -c.loss.loss_sum;
    p.policy_rejected = -j.loss.loss_sum;
    p.reward_chosen = beta * (p.policy_chosen - p.ref_chosen);
    p.reward_rejected = beta * (p.policy_rejected - p.ref_rejected);
    const double z = p.reward_chosen - p.reward_rejected;
    p.loss = softplus_neg(z);
    if (scale) {
      // d loss / d pi_c = -(1 - sigmoid(z)) beta / P = -d loss / d pi_r, and pi = -(summed CE).
      const double g = *scale * (1 - sigmoid(z)) * beta / P;
      decoder.backward(c, g);
      decoder.backward(j, -g);
    }
    r.loss += p.loss / P;
    r.rewards_chosen += p.reward_chosen / P;
    r.rewards_rejected += p.reward_rejected / P;
    r.rewards_accuracies += (p.reward_chosen > p.reward_rejected ? 1.0 : 0.0) / P;
    r.logps_chosen += p.policy_chosen / P;
    r.logps_rejected += p.policy_rejected / P;
    r.pairs.push_back(p);
  }
  r.rewards_margins = r.rewards_chosen - r.rewards_rejected;
  return r;
}

}  // namespace

DpoResult dpo_accumulate_gradients(TrainableDecoder& decoder, std::span<const TrainingExample> chosen,
                                   std::span<const TrainingExample> rejected, double beta, double scale) {
  return run(decoder, chosen, rejected, beta, &scale);
}

DpoResult dpo_evaluate(TrainableDecoder& decoder, std::span<const TrainingExample> chosen,
                       std::span<const TrainingExample> rejected, double beta) {
  return run(decoder, chosen, rejected, beta, nullptr);
}

}  // namespace smolvlm::train
