// The continuous-batching scheduler without HTTP: sequences that share the
// batch give the one-shot engine's answers, budgets and queue bounds hold,
// and cancelled sequences leave at once.
#include "server/scheduler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "common/fixtures.h"
#include "engine/loaded_model.h"
#include "engine/request_settings.h"
#include "server/api_error.h"
#include "smolvlm.h"

namespace smolvlm::server {
namespace {

using namespace std::chrono_literals;

class SchedulerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { model_ = new LoadedModel(testing::fixtures_dir() + "/models/tiny-smolvlm-256m"); }
  static void TearDownTestSuite() { delete model_; }

  static Conversation ask(const std::string& text) { return {{"user", {Content::text_item(text)}}}; }

  static Job job(const Conversation& c, const GenerationOptions& o) {
    Job j;
    j.prompt = model_->prompts.prepare(c, o);
    j.request = settle_request(o, model_->generation_config, static_cast<int64_t>(j.prompt.ids.size()),
                               model_->config.text.max_position_embeddings);
    return j;
  }

  // Waits (bounded) for the channel's result; returns the text and result.
  static std::pair<std::string, SequenceResult> collect(SequenceChannel& channel) {
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      SequenceChannel::Update u = channel.wait(100ms);
      text += u.text;
      if (u.result) return {text, *u.result};
    }
    ADD_FAILURE() << "no result within 60 s";
    return {text, {}};
  }

  static LoadedModel* model_;
};
LoadedModel* SchedulerTest::model_ = nullptr;

TEST_F(SchedulerTest, BatchedSequencesGiveTheEngineAnswers) {
  SchedulerOptions so;
  so.prefill_chunk = 7;  // prompts span several steps, so prefill and decode interleave
  Scheduler scheduler(model_->decoder, model_->prompts.tokenizer(), so);
  std::vector<Conversation> prompts;
  std::vector<GenerationOptions> options;
  for (int i = 0; i < 6; ++i) {
    prompts.push_back(ask("Question number " + std::to_string(i) + std::string(i * 9, '!')));
    GenerationOptions o;
    o.max_new_tokens = 6 + 5 * i;
    if (i % 3 == 2) {
      o.do_sample = true;
      o.temperature = 0.9;
      o.seed = static_cast<uint64_t>(i);
    }
    options.push_back(o);
  }
  std::vector<std::shared_ptr<SequenceChannel>> channels;
  for (size_t i = 0; i < prompts.size(); ++i)
    channels.push_back(scheduler.submit(*scheduler.try_reserve(), job(prompts[i], options[i])));
  const auto engine = Engine::load(testing::fixtures_dir() + "/models/tiny-smolvlm-256m");
  for (size_t i = 0; i < prompts.size(); ++i) {
    const auto [text, result] = collect(*channels[i]);
    const GenerationResult expected = engine->generate(prompts[i], options[i]);
    EXPECT_EQ(text, expected.text) << "sequence " << i;
    EXPECT_EQ(result.finish_reason, expected.finish_reason);
    EXPECT_EQ(result.completion_tokens, static_cast<int64_t>(expected.generated_ids.size()));
    EXPECT_EQ(result.prompt_tokens, static_cast<int64_t>(expected.input_ids.size()));
    EXPECT_TRUE(result.error.empty()) << result.error;
  }
  const SchedulerStats stats = scheduler.stats();
  EXPECT_GT(stats.decode_rows, stats.decode_steps);  // some steps decoded several sequences
  EXPECT_EQ(stats.kv_bytes, 0u);
  EXPECT_EQ(stats.running, 0);
}

TEST_F(SchedulerTest, QueueIsBoundedAndSlotsComeBack) {
  SchedulerOptions so;
  so.max_waiting = 2;
  Scheduler scheduler(model_->decoder, model_->prompts.tokenizer(), so);
  {
    std::optional<Scheduler::Slot> a = scheduler.try_reserve(), b = scheduler.try_reserve();
    EXPECT_TRUE(a && b);
    EXPECT_FALSE(scheduler.try_reserve());
    EXPECT_EQ(scheduler.stats().waiting, 2);
  }
  EXPECT_EQ(scheduler.stats().waiting, 0);
  EXPECT_TRUE(scheduler.try_reserve());
}

TEST_F(SchedulerTest, KvBudgetBoundsWhatRunsAndRejectsWhatNeverFits) {
  GenerationOptions o;
  o.max_new_tokens = 20;
  const TextConfig& c = model_->config.text;
  const auto positions = static_cast<size_t>(job(ask("hello"), o).prompt.ids.size() + 20);
  const size_t one = static_cast<size_t>(c.num_layers * 2 * c.num_kv_heads * c.head_dim) * positions * sizeof(float);
  SchedulerOptions so;
  so.kv_budget_bytes = one + one / 2;  // room for one sequence at a time
  Scheduler scheduler(model_->decoder, model_->prompts.tokenizer(), so);
  auto first = scheduler.submit(*scheduler.try_reserve(), job(ask("hello"), o));
  auto second = scheduler.submit(*scheduler.try_reserve(), job(ask("hello"), o));
  EXPECT_EQ(collect(*first).first, collect(*second).first);  // both ran, one after the other
  o.max_new_tokens = 4000;
  try {
    scheduler.submit(*scheduler.try_reserve(), job(ask("hello"), o));
    ADD_FAILURE() << "a request bigger than the budget was queued";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 400);
    EXPECT_EQ(e.code, "context_length_exceeded");
  }
  EXPECT_EQ(scheduler.stats().waiting, 0);  // the rejected request's slot came back
}

TEST_F(SchedulerTest, CancelledSequencesLeaveAtOnce) {
  Scheduler scheduler(model_->decoder, model_->prompts.tokenizer(), {});
  GenerationOptions o;
  o.max_new_tokens = 4000;
  o.ignore_eos = true;
  auto channel = scheduler.submit(*scheduler.try_reserve(), job(ask("forever"), o));
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (scheduler.stats().decode_steps < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  channel->cancel();
  while (scheduler.stats().running > 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  const SchedulerStats s = scheduler.stats();
  EXPECT_EQ(s.running, 0);
  EXPECT_EQ(s.cancelled, 1u);
  EXPECT_EQ(s.kv_bytes, 0u);
  EXPECT_LT(s.decode_rows, 4000u);
}

TEST_F(SchedulerTest, ZeroTokenBudgetFinishesWithoutGenerating) {
  Scheduler scheduler(model_->decoder, model_->prompts.tokenizer(), {});
  GenerationOptions o;
  o.max_new_tokens = 0;
  auto channel = scheduler.submit(*scheduler.try_reserve(), job(ask("hello"), o));
  const auto [text, result] = collect(*channel);
  EXPECT_EQ(text, "");
  EXPECT_EQ(result.finish_reason, "length");
  EXPECT_EQ(result.completion_tokens, 0);
}

TEST_F(SchedulerTest, StopEndsEverySequenceWithAnError) {
  SchedulerOptions so;
  so.max_batch = 1;
  Scheduler scheduler(model_->decoder, model_->prompts.tokenizer(), so);
  GenerationOptions o;
  o.max_new_tokens = 4000;
  o.ignore_eos = true;
  auto running = scheduler.submit(*scheduler.try_reserve(), job(ask("a"), o));
  auto queued = scheduler.submit(*scheduler.try_reserve(), job(ask("b"), o));
  scheduler.stop();
  EXPECT_FALSE(collect(*running).second.error.empty());
  EXPECT_FALSE(collect(*queued).second.error.empty());
  EXPECT_FALSE(scheduler.try_reserve());
}

}  // namespace
}  // namespace smolvlm::server
