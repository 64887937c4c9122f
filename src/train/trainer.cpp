#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <string>

#include "core/error.h"
#include "train/grad_clip.h"
#include "train/optimizer_params.h"

namespace smolvlm::train {
namespace {

LrSchedule make_schedule(const FinetuneConfig& config, int64_t total_steps) {
  LrSchedule s;
  s.kind = parse_lr_schedule(config.lr_scheduler);
  s.base_lr = config.lr;
  s.total_steps = total_steps;
  s.warmup_steps = resolve_warmup_steps(config.warmup_steps, 0.0, total_steps);
  return s;
}

AdamWConfig adamw_config(const FinetuneConfig& c) { return AdamWConfig{c.beta1, c.beta2, c.eps, c.weight_decay}; }

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

TrainingObjective sft_objective(TrainableDecoder& decoder, std::span<const TrainingExample> train_examples,
                                std::span<const TrainingExample> eval_examples) {
  TrainingObjective o;
  o.n_examples = static_cast<int64_t>(train_examples.size());
  o.accumulate = [&decoder, train_examples](const MicroBatch& mb, double weight, int64_t& tokens) {
    int64_t N = 0;
    for (int64_t i : mb) N += count_label_tokens(train_examples.subspan(i, 1));
    if (N == 0) return 0.0;
    double summed = 0;
    for (int64_t i : mb) {
      summed += decoder.accumulate_gradients(train_examples.subspan(i, 1), weight / static_cast<double>(N)).loss_sum;
      tokens += static_cast<int64_t>(train_examples[i].input_ids.size());
    }
    return summed / static_cast<double>(N);
  };
  if (!eval_examples.empty())
    o.eval_loss = [&decoder, eval_examples] {
      LossSum total;
      for (size_t i = 0; i < eval_examples.size(); ++i) {
        const LossSum s = decoder.evaluate(eval_examples.subspan(i, 1));
        total.loss_sum += s.loss_sum;
        total.n_tokens += s.n_tokens;
      }
      if (total.n_tokens == 0) throw Error("eval data", "has no target tokens");
      return total.loss_sum / static_cast<double>(total.n_tokens);
    };
  return o;
}

Trainer::Trainer(const FinetuneConfig& config, TrainableDecoder& decoder, TrainingObjective objective)
    : config_(config),
      decoder_(decoder),
      objective_(std::move(objective)),
      plan_(config, objective_.n_examples),
      schedule_(make_schedule(config, plan_.total_steps())),
      optimizer_(adamw_config(config)) {}

Trainer::Trainer(const FinetuneConfig& config, TrainableDecoder& decoder,
                 std::span<const TrainingExample> train_examples, std::span<const TrainingExample> eval_examples)
    : Trainer(config, decoder, sft_objective(decoder, train_examples, eval_examples)) {}

StepReport Trainer::step() {
  if (done()) throw Error("trainer", "all " + std::to_string(total_steps()) + " steps are done");
  const auto start = std::chrono::steady_clock::now();
  StepReport r;
  r.step = progress_.step + 1;
  r.total_steps = total_steps();
  r.lr = schedule_.lr_at(progress_.step);

  BatchPosition next = progress_.position;
  const std::vector<MicroBatch> micro_batches = plan_.next_step(next);
  decoder_.zero_gradients();
  // Trainer divides each micro-batch's loss by the accumulation count (README "Loss reduction"); an
  // epoch's last step may hold fewer micro-batches (batch_plan.h) and is then the mean of those.
  const double weight = 1.0 / static_cast<double>(micro_batches.size());
  for (const MicroBatch& mb : micro_batches) r.loss += objective_.accumulate(mb, weight, r.tokens) * weight;
  const std::string where = "step " + std::to_string(r.step);
  if (!std::isfinite(r.loss))
    throw Error(where, "the loss is " + number(r.loss) + "; training stopped before updating the weights");

  const std::vector<ParamRef> params = optimizer_params(decoder_.tensors());
  if (keep_unclipped_) {
    unclipped_.clear();
    for (const ParamRef& p : params) unclipped_.emplace_back(p.grad.begin(), p.grad.end());
  }
  const GradClipResult clip = clip_grad_norm(params, config_.max_grad_norm);
  r.grad_norm = clip.total_norm;
  r.clip_coef = clip.coef;
  if (!std::isfinite(clip.total_norm))
    throw Error(where, "the gradient norm is " + number(clip.total_norm) +
                           " (loss " + number(r.loss) + "); training stopped before updating the weights");
  optimizer_.step(params, r.lr);

  progress_.step = r.step;
  progress_.position = next;
  progress_.loss_history.push_back(r.loss);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();  // eval not counted
  const bool eval_now = objective_.eval_loss && ((config_.eval_every > 0 && r.step % config_.eval_every == 0) || done());
  if (eval_now) {
    r.eval_loss = eval_loss();
    progress_.eval_history.emplace_back(r.step, *r.eval_loss);
  }
  return r;
}

void Trainer::run(const std::function<void(const StepReport&)>& after_step) {
  while (!done()) {
    const StepReport r = step();
    if (after_step) after_step(r);
  }
}

double Trainer::eval_loss() {
  if (!objective_.eval_loss) throw Error("trainer", "there is no eval data");
  return objective_.eval_loss();
}

Json Trainer::progress_json() const {
  Json j;
  j["step"] = progress_.step;
  j["epoch"] = progress_.position.epoch;
  j["micro_batch_in_epoch"] = progress_.position.micro_batch;
  // The data order is a pure function of (seed, epoch) (batch_plan.h): this is the whole RNG state.
  j["rng"] = {{"kind", "splitmix64 shuffle per epoch"}, {"seed", config_.seed}, {"epoch", progress_.position.epoch}};
  j["loss_history"] = progress_.loss_history;
  Json evals = Json::array();
  for (const auto& [step, loss] : progress_.eval_history) evals.push_back({{"step", step}, {"eval_loss", loss}});
  j["eval_history"] = evals;
  return j;
}

void Trainer::restore_progress(const Json& state) {
  try {
    TrainerProgress p;
    p.step = state.at("step").get<int64_t>();
    p.position.epoch = state.at("epoch").get<int64_t>();
    p.position.micro_batch = state.at("micro_batch_in_epoch").get<int64_t>();
    p.loss_history = state.at("loss_history").get<std::vector<double>>();
    for (const Json& e : state.at("eval_history"))
      p.eval_history.emplace_back(e.at("step").get<int64_t>(), e.at("eval_loss").get<double>());
    if (p.step < 0 || static_cast<int64_t>(p.loss_history.size()) != p.step)
      throw Error("", "step and loss_history disagree");
    progress_ = std::move(p);
  } catch (const Json::exception& e) {
    throw Error("trainer_state.json", std::string("malformed: ") + e.what());
  }
}

}  // namespace smolvlm::train
