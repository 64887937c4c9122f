// DPO against the TRL re-implementation in PyTorch (fixtures/training/dpo):
// per-pair policy and reference log-prob sums, the sigmoid loss, TRL's
// reward metrics and the gradient of all 28 LoRA tensors at adapter_init.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "train/dpo_loss.h"
#include "training_goldens.h"

namespace smolvlm::train {
namespace {

using namespace testing;

// data/dpo.jsonl's prompts with each {"type": "image"} placeholder given the
// next file of "images" (paths relative to data/).
std::vector<Conversation> dpo_prompts() {
  std::ifstream in(training_dir() + "/data/dpo.jsonl");
  std::vector<Conversation> out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    Json record = parse_json(line, "dpo.jsonl");
    size_t next = 0;
    for (Json& message : record["prompt"])
      for (Json& item : message["content"])
        if (item["type"] == "image") item["path"] = record["images"][next++];
    out.push_back(parse_conversation_json(record["prompt"].dump(), training_dir() + "/data"));
  }
  return out;
}

// Prompt ids and image features from the engine (the prompt with the
// generation prompt, as TRL renders it), then the golden's completion ids;
// labels only on the completion.
TrainingExample dpo_sequence(const PreparedPrompt& prompt, const Json& completion_ids) {
  TrainingExample e;
  e.input_ids = prompt.ids;
  e.labels.assign(prompt.ids.size(), kIgnoreLabel);
  for (const Json& id : completion_ids) {
    e.input_ids.push_back(id.get<int32_t>());
    e.labels.push_back(id.get<int32_t>());
  }
  e.image_features = prompt.image_hidden_states;
  return e;
}

class DpoGradients : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::vector<Conversation> prompts = dpo_prompts();
    ASSERT_EQ(prompts.size(), golden_["pairs"].size());
    for (size_t i = 0; i < prompts.size(); ++i) {
      const Json& pair = golden_["pairs"][i];
      GenerationOptions options;
      options.max_new_tokens = 0;
      options.keep_image_tensors = true;
      const PreparedPrompt p = tiny_model().prompts.prepare(prompts[i], options);
      ASSERT_EQ(p.rendered_prompt, pair["prompt_text"].get<std::string>());
      ASSERT_EQ(static_cast<int64_t>(p.ids.size()), pair["prompt_ids_len"].get<int64_t>());
      chosen_.push_back(dpo_sequence(p, pair["chosen_completion_ids"]));
      rejected_.push_back(dpo_sequence(p, pair["rejected_completion_ids"]));
    }
  }

  const Json golden_ = read_json_file(training_dir() + "/dpo/golden.json");
  std::vector<TrainingExample> chosen_, rejected_;
};

TEST_F(DpoGradients, LogProbsLossRewardsAndGradientsMatchTorch) {
  LoraAdapter adapter = initial_adapter();
  LoadedModel& model = tiny_model();
  TrainableDecoder decoder(model.weights, model.config, adapter, {.gradient_checkpointing = true});
  const double beta = golden_["beta"].get<double>();
  const DpoResult r = dpo_accumulate_gradients(decoder, chosen_, rejected_, beta, 1.0);
  EXPECT_TRUE(decoder.adapter_enabled());
  double worst_logp = 0;
  for (size_t i = 0; i < r.pairs.size(); ++i) {
    const Json& g = golden_["pairs"][i];
    const DpoPairResult& p = r.pairs[i];
    for (auto [got, key] : {std::pair{p.policy_chosen, "policy_logp_chosen"}, {p.policy_rejected, "policy_logp_rejected"},
                            {p.ref_chosen, "ref_logp_chosen"}, {p.ref_rejected, "ref_logp_rejected"}}) {
      EXPECT_NEAR(got, g[key].get<double>(), 1e-4) << "pair " << i << " " << key;
      worst_logp = std::max(worst_logp, std::abs(got - g[key].get<double>()));
    }
    EXPECT_LT(relative_error(p.loss, g["loss"].get<double>()), 1e-5) << i;
    EXPECT_NEAR(p.reward_chosen, g["reward_chosen"].get<double>(), 1e-5) << i;
    EXPECT_NEAR(p.reward_rejected, g["reward_rejected"].get<double>(), 1e-5) << i;
  }
  EXPECT_LT(relative_error(r.loss, golden_["loss"].get<double>()), 1e-5);
  EXPECT_NEAR(r.rewards_chosen, golden_["rewards/chosen"].get<double>(), 1e-5);
  EXPECT_NEAR(r.rewards_rejected, golden_["rewards/rejected"].get<double>(), 1e-5);
  EXPECT_NEAR(r.rewards_margins, golden_["rewards/margins"].get<double>(), 1e-5);
  EXPECT_DOUBLE_EQ(r.rewards_accuracies, golden_["rewards/accuracies"].get<double>());
  EXPECT_NEAR(r.logps_chosen, golden_["logps/chosen"].get<double>(), 1e-4);
  EXPECT_NEAR(r.logps_rejected, golden_["logps/rejected"].get<double>(), 1e-4);

  const TensorStore grads = TensorStore::open_file(training_dir() + "/dpo/golden.safetensors");
  ASSERT_EQ(decoder.tensors().size(), 28u);
  double worst = 0;
  for (const TrainableTensor& t : decoder.tensors()) {
    const double err = norm_relative_error(t.grad, golden_tensor(grads, "grad." + t.name));
    EXPECT_LT(err, 1e-4) << t.name;
    worst = std::max(worst, err);
  }
  std::printf("[ dpo ] loss %.8f (torch %.8f), worst |logp - torch| %.2e, worst grad norm-relative error %.2e\n",
              r.loss, golden_["loss"].get<double>(), worst_logp, worst);
  // Evaluating gives the same numbers without touching the gradients.
  const std::vector<float> before = decoder.tensors()[0].grad;
  const DpoResult e = dpo_evaluate(decoder, chosen_, rejected_, beta);
  EXPECT_DOUBLE_EQ(e.loss, r.loss);
  EXPECT_EQ(decoder.tensors()[0].grad, before);
}

TEST_F(DpoGradients, NeedsAnAdapterAndMatchingPairs) {
  LoadedModel& model = tiny_model();
  TrainableDecoder full(model.weights, model.config, FullFineTuning{});
  EXPECT_THROW(dpo_evaluate(full, chosen_, rejected_, 0.1), Error);
  LoraAdapter adapter = initial_adapter();
  TrainableDecoder lora(model.weights, model.config, adapter);
  EXPECT_THROW(dpo_evaluate(lora, std::span(chosen_).first(2), rejected_, 0.1), Error);
}

}  // namespace
}  // namespace smolvlm::train
