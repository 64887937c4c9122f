// The training loop's parts on their own: the batch plan (explicit
// micro-batches, seeded per-epoch shuffles, epoch ends), PEFT's default LoRA
// init, the Trainer's stop on a non-finite loss, atomic checkpoint folders
// (a failed save keeps the previous one) and the resume checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "common/fixtures.h"
#include "core/error.h"
#include "model/lora_io.h"
#include "train/batch_plan.h"
#include "train/checkpoint.h"
#include "train/lora_init.h"
#include "train/trainer.h"
#include "training_goldens.h"

namespace smolvlm::train {
namespace {

using namespace testing;
using smolvlm::testing::TempDir;

FinetuneConfig batches(int64_t per_device_batch, int64_t grad_accumulation, uint64_t seed = 7) {
  FinetuneConfig c;
  c.per_device_batch = per_device_batch;
  c.grad_accumulation = grad_accumulation;
  c.seed = seed;
  return c;
}

TEST(BatchPlan, ExplicitMicroBatchesRepeatEveryStep) {
  FinetuneConfig c = batches(2, 2);
  c.micro_batches = {{0, 1}, {2, 3}};
  c.max_steps = 3;
  const BatchPlan plan(c, 4);
  BatchPosition pos;
  for (int step = 0; step < 3; ++step) EXPECT_EQ(plan.next_step(pos), c.micro_batches);
  EXPECT_EQ(plan.total_steps(), 3);
  c.micro_batches = {{0, 4}, {1}};
  EXPECT_THROW(BatchPlan(c, 4), Error);  // example 4 is not there
  c.micro_batches = {{0}};
  EXPECT_THROW(BatchPlan(c, 4), Error);  // one micro-batch, grad_accumulation 2
}

TEST(BatchPlan, EveryEpochIsASeededShuffleOfAllExamples) {
  const BatchPlan plan(batches(2, 2), 7);
  const std::vector<int64_t> e0 = plan.epoch_order(0), e1 = plan.epoch_order(1);
  EXPECT_EQ(std::set<int64_t>(e0.begin(), e0.end()).size(), 7u);
  EXPECT_EQ(std::set<int64_t>(e1.begin(), e1.end()).size(), 7u);
  EXPECT_NE(e0, e1);
  EXPECT_EQ(e0, BatchPlan(batches(2, 2), 7).epoch_order(0));     // same seed, same order
  EXPECT_NE(e0, BatchPlan(batches(2, 2, 8), 7).epoch_order(0));  // another seed
}

// 7 examples, 2 per micro-batch: 4 micro-batches per epoch (the last has one
// example), 2 per step: 2 steps per epoch; a step never crosses an epoch.
TEST(BatchPlan, StepsFollowTheEpochs) {
  FinetuneConfig c = batches(2, 2);
  c.epochs = 1.5;
  const BatchPlan plan(c, 7);
  EXPECT_EQ(plan.steps_per_epoch(), 2);
  EXPECT_EQ(plan.total_steps(), 3);
  BatchPosition pos;
  std::vector<int64_t> seen;
  for (int step = 0; step < 2; ++step)
    for (const MicroBatch& mb : plan.next_step(pos)) seen.insert(seen.end(), mb.begin(), mb.end());
  EXPECT_EQ(seen, plan.epoch_order(0));
  EXPECT_EQ(pos.epoch, 1);
  EXPECT_EQ(pos.micro_batch, 0);
  const std::vector<MicroBatch> next = plan.next_step(pos);
  ASSERT_EQ(next.size(), 2u);
  const std::vector<int64_t> order1 = plan.epoch_order(1);
  EXPECT_EQ(next[0], MicroBatch(order1.begin(), order1.begin() + 2));

  c.grad_accumulation = 3;  // 4 micro-batches: a step of 3, then the epoch's last one alone
  const BatchPlan uneven(c, 7);
  BatchPosition p;
  EXPECT_EQ(uneven.next_step(p).size(), 3u);
  EXPECT_EQ(uneven.next_step(p).size(), 1u);
  EXPECT_EQ(p.epoch, 1);
}

TEST(LoraInit, PeftDefaultOnTheTextDecoderOnly) {
  const ModelConfig& model = tiny_model().config;
  FinetuneConfig c;
  c.r = 4;
  c.lora_alpha = 8;
  const LoraAdapter a = new_lora_adapter(model, c, 1);
  ASSERT_EQ(a.modules.size(), 14u);  // 2 layers x 7 projections
  EXPECT_TRUE(a.target_modules_is_regex);
  ASSERT_EQ(a.target_modules.size(), 1u);
  EXPECT_EQ(a.target_modules[0].rfind("model\\.text_model\\.layers\\.", 0), 0u) << a.target_modules[0];
  EXPECT_FALSE(lora_targets_module(a.target_modules, true, "model.vision_model.encoder.layers.0.self_attn.q_proj"));
  for (const LoraModule& m : a.modules) {
    EXPECT_EQ(m.rank, 4);
    const float bound = 1.0f / std::sqrt(static_cast<float>(m.in_features));
    EXPECT_TRUE(std::all_of(m.a.begin(), m.a.end(), [&](float x) { return std::abs(x) <= bound; })) << m.name;
    EXPECT_GT(*std::max_element(m.a.begin(), m.a.end()), 0.5f * bound);
    EXPECT_LT(*std::min_element(m.a.begin(), m.a.end()), -0.5f * bound);
    EXPECT_TRUE(std::all_of(m.b.begin(), m.b.end(), [](float x) { return x == 0.0f; })) << m.name;
  }
  EXPECT_EQ(new_lora_adapter(model, c, 1).modules[3].a, a.modules[3].a);
  EXPECT_NE(new_lora_adapter(model, c, 2).modules[3].a, a.modules[3].a);

  c.target_modules = {"q_proj", "v_proj"};
  EXPECT_EQ(new_lora_adapter(model, c, 1).modules.size(), 4u);
  c.target_modules = {"fc1"};
  EXPECT_THROW(new_lora_adapter(model, c, 1), Error);
  c.target_modules = {"q_proj"};
  c.lora_dropout = 0.1;
  EXPECT_THROW(new_lora_adapter(model, c, 1), Error);
}

// A NaN in the adapter makes the loss NaN: the step throws before touching
// any parameter, so what was saved before stays the last good state.
TEST(Trainer, NonFiniteLossStopsBeforeTheUpdate) {
  const std::vector<TrainingExample>& examples = sft_examples("labels_notebook", false);
  LoraAdapter adapter = initial_adapter();
  adapter.modules[2].b[5] = std::nanf("");
  const std::vector<float> a_before = adapter.modules[0].a;
  TrainableDecoder decoder(tiny_model().weights, tiny_model().config, adapter);
  FinetuneConfig c = batches(1, 1);
  c.micro_batches = {{1}};
  c.max_steps = 2;
  Trainer trainer(c, decoder, examples);
  try {
    trainer.step();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("step 1: the loss is"), std::string::npos) << e.what();
  }
  EXPECT_EQ(adapter.modules[0].a, a_before);
  EXPECT_EQ(trainer.progress().step, 0);
  EXPECT_EQ(trainer.optimizer().step_count(decoder.tensors()[0].name), 0);
}

// The loss of a fixed batch goes down step after step, and the eval loss is the token-mean CE.
TEST(Trainer, LossDecreasesAndEvalIsTheTokenMean) {
  const std::vector<TrainingExample>& examples = sft_examples("labels_notebook", false);
  LoraAdapter adapter = initial_adapter();
  TrainableDecoder decoder(tiny_model().weights, tiny_model().config, adapter);
  FinetuneConfig c = batches(1, 1);
  c.micro_batches = {{1}};
  c.max_steps = 3;
  c.lr = 1e-3;
  c.lr_scheduler = "constant";
  c.eval_every = 2;
  const std::span<const TrainingExample> eval(examples.data() + 1, 1);
  Trainer trainer(c, decoder, examples, eval);
  std::vector<StepReport> reports;
  trainer.run([&](const StepReport& r) { reports.push_back(r); });
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_LT(reports[1].loss, reports[0].loss);
  EXPECT_LT(reports[2].loss, reports[1].loss);
  EXPECT_FALSE(reports[0].eval_loss.has_value());
  ASSERT_TRUE(reports[1].eval_loss.has_value());  // step 2 (eval_every) and the last step
  ASSERT_TRUE(reports[2].eval_loss.has_value());
  EXPECT_LT(*reports[1].eval_loss, reports[1].loss);  // evaluated after step 2's update
  const LossSum s = decoder.evaluate(eval);
  EXPECT_DOUBLE_EQ(*reports[2].eval_loss, s.loss_sum / static_cast<double>(s.n_tokens));
  EXPECT_GT(reports[0].tokens, 0);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(Checkpoint, AFailedSaveKeepsThePreviousOne) {
  TempDir out;
  const std::string first =
      save_folder_atomically(out.path(), "checkpoint-1", [](const std::string& d) { write_text(d + "/a", "one"); }, "");
  EXPECT_EQ(read_text(first + "/a"), "one");
  auto full_disk = [](const std::string& d) {
    write_text(d + "/a", "half");
    throw Error(d + "/b", "write failed (disk full?)");
  };
  for (const char* name : {"checkpoint-2", "checkpoint-1"}) {  // a new folder, and one replacing the old
    try {
      save_folder_atomically(out.path(), name, full_disk, first);
      FAIL() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("disk full"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("the previous checkpoint " + first + " is kept"), std::string::npos);
    }
  }
  EXPECT_EQ(read_text(first + "/a"), "one");
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(out.path())) left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"checkpoint-1"});  // no temp folder, no checkpoint-2
}

TEST(Checkpoint, ResumeStateMustMatchTheRun) {
  TempDir dir;
  FinetuneConfig c;
  Json state;
  state["step"] = 1;
  state["config"] = config_to_json(c);
  state["data_sha256"] = "abc";
  write_text(dir.file("trainer_state.json"), state.dump());
  EXPECT_NO_THROW(read_resume_state(dir.path(), c, "abc"));
  c.max_steps = 10;  // may change
  EXPECT_NO_THROW(read_resume_state(dir.path(), c, "abc"));
  EXPECT_THROW(read_resume_state(dir.path(), c, "abd"), Error);  // other data
  c.r = 16;
  try {
    read_resume_state(dir.path(), c, "abc");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("r was 8, now 16"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace smolvlm::train
